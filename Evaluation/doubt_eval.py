#!/usr/bin/env python3
"""What `doubt-below` (and `never-doubt`) in emergencies.yaml's `model:` would change, without editing the city.

Runs `cityline classify --explain` once over the splits, then for each doubt level and each set of triggers never
doubted counts the rule emergencies it would soften to the caution: emergencies (which it must not), near-misses
(the false alarms it takes off) and real 311 requests. A crisis (988) and a message too short to score are never
doubted, as in `Triage.assess`; nor is a message the language detector does not place in one of the city's languages
(`--locales`, the first word of `language_evidence`; Cantonese reads as Chinese), as the engine does since the model
was trained on those languages only (an Arabizi fire scores 0.01–0.05).

    python3 Evaluation/doubt_eval.py --bin .build/debug/cityline --splits blind20,blind21,real
    python3 Evaluation/doubt_eval.py --bin .build/debug/cityline --splits blind17,blind18 --doubt 0.02,0.05 \\
        --never-doubt power-line,live-metal --list 0.05
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triage_eval  # noqa: E402

CRISIS = {"suicide"}
WRITTEN = {"yue": "zh"}  # LanguageDetector.writtenLanguage


def placed(answer, languages):
    """Whether the detector placed the message in one of the city's languages (`Engine.isInCityLanguage`)."""
    found = (answer.get("language_evidence") or "none").split()[0]
    return found in languages or WRITTEN.get(found) in languages


def rows_of(split):
    if split == "real":
        with open(triage_eval.REAL, encoding="utf-8") as f:
            return [("real", "?", "real", " ".join(r["text"].split())) for r in csv.DictReader(f) if r["text"].strip()]
    return [(split, lang, r["label"], " ".join(r["text"].split()))
            for lang in triage_eval.LANGUAGES for r in triage_eval.read_rows(split, lang)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--config", help="a city configuration directory (default: the binary's demo city)")
    parser.add_argument("--splits", required=True, help="comma-separated splits of Evaluation/triage, or 'real'")
    parser.add_argument("--doubt", default="0.02,0.05,0.1", help="doubt levels to try")
    parser.add_argument("--never-doubt", default="", help="trigger codes never doubted (comma-separated)")
    parser.add_argument("--list", type=float, help="list what this doubt level softens")
    parser.add_argument("--locales", default="en,es,zh,vi,ar", help="the city's languages (default: the demo city's)")
    args = parser.parse_args()

    rows = [row for split in args.splits.split(",") for row in rows_of(split)]
    command = [args.bin, "classify", "--explain"] + (["--config", args.config] if args.config else [])
    answers = triage_eval.classify(command, [r[3] for r in rows])
    languages = {code.split("-")[0] for code in args.locales.split(",")}
    found = []  # (split, language, label, trigger, score, text, placed) of every rule emergency
    for (split, lang, label, text), answer in zip(rows, answers):
        if not answer.get("emergency"):
            continue
        parts = [p.strip() for p in answer["triage"].split("|")]
        score = parts[1].split()[-1]
        found.append((split, lang, label, parts[0], None if score == "-" else float(score), text, placed(answer, languages)))

    never = set(filter(None, args.never_doubt.split(",")))
    print(f"{len(rows)} messages of {args.splits}; never doubted: {', '.join(sorted(never)) or 'none'}")
    print("| doubt-below | emergencies softened | false alarms | real requests softened |")
    print("|---:|---:|---:|---:|")
    alarms = sum(1 for f in found if f[2] == "routine")
    print(f"| off | 0 | {alarms} | 0 |")
    for level in [float(x) for x in args.doubt.split(",")]:
        soft = [f for f in found if f[3] not in CRISIS and f[3] not in never and f[6] and f[4] is not None and f[4] < level]
        count = lambda label: sum(1 for f in soft if f[2] == label)  # noqa: E731
        print(f"| {level:g} | {count('emergency')} | {alarms - count('routine')} | {count('real')} |")
        if args.list is not None and abs(level - args.list) < 1e-9:
            for f in soft:
                print(f"  {f[0]} {f[1]} {f[2]} {f[3]} {f[4]:.2f} {f[5][:140]}")


if __name__ == "__main__":
    main()
