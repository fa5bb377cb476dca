#!/usr/bin/env python3
"""Scores the emergency triage on the team's corpus (Evaluation/triage/{dev,test}/<locale>.tsv).

Usage (from the repository root):
    python3 Evaluation/triage_eval.py [--bin PATH] [--config DIR] [--split dev|test|blind…|everyday|all|every] [--lang CODE]
                                      [--errors N] [--by-concept] [--answer-language] [--check]

Each row is `label<TAB>concept<TAB>text`: `emergency` rows must get the "call 911" answer (recall), `routine` rows
(near-misses that share words with an emergency, and everyday reports) must not (false alarms). Messages go
through `cityline classify` one per line, exactly as the engine reads a first message. `--check` exits 1 when a
language misses the targets: recall >= 98% and false alarms <= 1%. `--answer-language` also counts the emergencies
triage answers (a call or a caution) in a language other than the row's: a resident the city does not know yet is
answered in the language of the words that raised the alarm.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Evaluation", "triage")
# The real 311 requests, beside the repository (../shared), for the scripts that read them too.
REAL = os.path.join(os.path.dirname(ROOT), "shared", "data", "real", "requests_combined.csv")
LANGUAGES = ["en", "es", "zh-Hans", "vi", "ar"]
RECALL_TARGET = 0.98
FALSE_ALARM_TARGET = 0.01


def split_names():
    return sorted(name for name in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, name)))


def read_rows(split, lang):
    splits = split_names() if split == "every" else ["dev", "test"] if split == "all" else [split]
    rows = []
    for name in splits:
        path = os.path.join(CORPUS, name, f"{lang}.tsv")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["label"] not in ("emergency", "routine"):
                    sys.exit(f"{path}: bad label {row['label']!r}")
                rows.append({"split": name, **row})
    return rows


def classify(command, texts):
    if not texts:
        return []
    result = subprocess.run(command, input="\n".join(texts) + "\n", capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != len(texts):
        sys.exit(f"expected {len(texts)} answers, got {len(lines)}")
    return lines


def percent(part, whole):
    return f"{100 * part / whole:.1f}%" if whole else "–"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", help="a built cityline binary (default: swift run -c release cityline)")
    parser.add_argument("--config", help="city configuration directory (default: the demo city)")
    parser.add_argument("--split", default="all", choices=split_names() + ["all", "every"],
                        help="dev and test (all, the default); blind to blind4: written apart, scored once, then tuned on "
                             "(phrases, or the model's training); blind5, blind6: written apart, held out of both; "
                             "everyday: routine reports only, for the model's training")
    parser.add_argument("--lang", action="append", help="score only this locale (repeatable)")
    parser.add_argument("--errors", type=int, default=0, help="print up to this many misses and false alarms per language")
    parser.add_argument("--by-concept", action="store_true", help="also print recall and false alarms per concept")
    parser.add_argument("--answer-language", action="store_true",
                        help="also count the emergencies answered in another language than the row's (and list them with --errors)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a language misses the targets")
    args = parser.parse_args()

    command = [args.bin] if args.bin else ["swift", "run", "-c", "release", "cityline"]
    command += ["classify"] + (["--explain"] if args.answer_language else [])
    if args.config:
        command += ["--config", args.config]

    print(f"Triage on Evaluation/triage ({args.split}); targets: recall >= {RECALL_TARGET:.0%}, false alarms <= {FALSE_ALARM_TARGET:.0%}")
    print()
    print("| language | emergencies | caught | recall | + cautioned | told to call 911 | routine | false alarms | rate | cautioned |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed = []
    totals = collections.Counter()
    details = []
    for lang in args.lang or LANGUAGES:
        rows = read_rows(args.split, lang)
        if not rows:
            continue
        answers = classify(command, [row["text"] for row in rows])
        emergencies = [(r, a) for r, a in zip(rows, answers) if r["label"] == "emergency"]
        routine = [(r, a) for r, a in zip(rows, answers) if r["label"] == "routine"]
        caught = sum(1 for _, a in emergencies if a["emergency"])
        alarms = sum(1 for _, a in routine if a["emergency"])
        # a caution: the turn goes on with "if anyone is in danger now, call 911 first" (not a diversion)
        warned = sum(1 for _, a in emergencies if not a["emergency"] and a.get("caution"))
        cautioned = sum(1 for _, a in routine if not a["emergency"] and a.get("caution"))
        recall = caught / len(emergencies) if emergencies else 1
        rate = alarms / len(routine) if routine else 0
        print(f"| {lang} | {len(emergencies)} | {caught} | {percent(caught, len(emergencies))} | {warned} "
              f"| {percent(caught + warned, len(emergencies))} | {len(routine)} | {alarms} | {percent(alarms, len(routine))} "
              f"| {percent(cautioned, len(routine))} |")
        totals.update(emergencies=len(emergencies), caught=caught, routine=len(routine), alarms=alarms, warned=warned,
                      cautioned=cautioned)
        if recall < RECALL_TARGET or rate > FALSE_ALARM_TARGET:
            failed.append(lang)
        details.append((lang, emergencies, routine))
    print(f"| all | {totals['emergencies']} | {totals['caught']} | {percent(totals['caught'], totals['emergencies'])} "
          f"| {totals['warned']} | {percent(totals['caught'] + totals['warned'], totals['emergencies'])} "
          f"| {totals['routine']} | {totals['alarms']} | {percent(totals['alarms'], totals['routine'])} "
          f"| {percent(totals['cautioned'], totals['routine'])} |")

    for lang, emergencies, routine in details:
        if args.by_concept:
            print(f"\n{lang} by concept:")
            concepts = sorted({r["concept"] for r, _ in emergencies + routine})
            for concept in concepts:
                e = [a for r, a in emergencies if r["concept"] == concept]
                n = [a for r, a in routine if r["concept"] == concept]
                print(f"  {concept:16} recall {percent(sum(a['emergency'] for a in e), len(e)):>7} of {len(e):3}"
                      f"   false alarms {sum(a['emergency'] for a in n):2} of {len(n):3}")
        if args.errors:
            misses = [(r, a) for r, a in emergencies if not a["emergency"]][: args.errors]
            alarms = [r for r, a in routine if a["emergency"]][: args.errors]
            for r, a in misses:
                print(f"  {'WARN' if a.get('caution') else 'MISS'}  {lang} {r['split']} {r['concept']}: {r['text']}")
            for r in alarms:
                print(f"  ALARM {lang} {r['split']} {r['concept']}: {r['text']}")

    if args.answer_language:
        print("\n| language | emergencies answered | in another language |\n|---|---:|---:|")
        wrong_all, answered_all, listed = 0, 0, []
        for lang, emergencies, _ in details:
            answered = [(r, a) for r, a in emergencies if a.get("triage_language")]
            wrong = [(r, a) for r, a in answered if a["triage_language"] != lang]
            print(f"| {lang} | {len(answered)} | {len(wrong)} |")
            wrong_all += len(wrong)
            answered_all += len(answered)
            listed += [(lang, r, a) for r, a in wrong][: args.errors]
        print(f"| all | {answered_all} | {wrong_all} |")
        for lang, r, a in listed:
            print(f"  LANG  {lang} {r['split']} {r['concept']} answered in {a['triage_language']}: {r['text']}")

    if args.check and failed:
        print(f"\nbelow target: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
