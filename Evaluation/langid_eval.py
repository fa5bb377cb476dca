#!/usr/bin/env python3
"""Language detection: CityLine's detector against langid.py on the same short texts.

    swift build -c release
    pip install langid
    python3 Evaluation/langid_eval.py --bin .build/release/cityline [--data ../shared/data/real/langid_short_texts.csv]

The task is the one the engine faces: a city offers some locales (the demo city: en, es, zh, vi, ar); every
message is either in one of them or in another language ("other"). A row counts as correct when the
detector names its language, or names a language outside the city's set for an "other" row. The first table
scores what the engine does with a first message: a sure city language is adopted; a language the city
does not offer gets the language menu (right for an "other" row); an unsure lean to a city language other
than the default also gets the menu ("asks": wrong for a city-language row, right for an "other" row); an
unsure lean to the default, or a text with no evidence, stays in English. langid.py always picks one of its 97 languages; its pick is
mapped the same way. Rows are split by a stable hash into a tuning half and a held-out half (tuning
changed only the detector's thresholds and word lists after looking at the tuning half's errors).
"""
import argparse
import collections
import csv
import hashlib
import json
import os
import subprocess
import sys

SUPPORTED = ["en", "es", "zh", "vi", "ar"]


def half(text):
    return "tune" if hashlib.sha1(text.encode()).digest()[0] % 2 == 0 else "held-out"


def gold_label(lang):
    return lang if lang in SUPPORTED else "other"


def mapped(lang):
    return lang if lang in SUPPORTED else "other"


def run_cityline(binary, texts, config):
    command = [binary, "classify", "--explain"] + (["--config", config] if config else [])
    out = subprocess.run(command, input="\n".join(texts) + "\n", capture_output=True, text=True, check=True).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(lines) == len(texts), (len(lines), len(texts))
    return [(line["language"], line["language_sure"], line["language_evidence"]) for line in lines]


def engine_action(lang, sure):
    """What the engine does with a first message (Engine+Language.swift, noticeLanguage):
    a sure city language is adopted; a language the city does not offer gets the language menu ("other");
    an unsure lean to a city language other than the default (en) also gets the menu ("asks"); an unsure
    lean to the default, or no evidence at all, stays in the default language."""
    if lang not in SUPPORTED:
        return "other"
    if sure or lang == "en":
        return lang
    return "asks"


def table(rows, predictions, title):
    """rows: list of gold labels; predictions: list of predicted labels (incl. 'unsure')."""
    labels = SUPPORTED + ["other"]
    print(f"\n{title}")
    print(f"{'language':<10}{'rows':>6}{'correct':>9}{'asks':>8}  confused with")
    confusion = collections.defaultdict(collections.Counter)
    for gold, pred in zip(rows, predictions):
        confusion[gold][pred] += 1
    total_correct = total = 0
    supported_correct = supported_total = 0
    for label in labels:
        counts = confusion[label]
        n = sum(counts.values())
        if not n:
            continue
        correct = counts[label]
        total += n
        total_correct += correct
        if label in SUPPORTED:
            supported_total += n
            supported_correct += correct
        wrong = ", ".join(f"{k} {v}" for k, v in counts.most_common() if k not in (label, "asks"))
        print(f"{label:<10}{n:>6}{correct / n:>9.1%}{counts['asks'] / n:>8.1%}  {wrong}")
    if supported_total:
        print(f"{'supported':<10}{supported_total:>6}{supported_correct / supported_total:>9.1%}")
    print(f"{'all':<10}{total:>6}{total_correct / total:>9.1%}")


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--bin", default=os.path.join(here, "..", ".build", "release", "cityline"))
    parser.add_argument("--config", default=None)
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "real", "langid_short_texts.csv"))
    parser.add_argument("--errors", type=int, default=0, help="print this many misdetected supported rows")
    parser.add_argument("--split", choices=["all", "tune", "held-out"], default="all")
    args = parser.parse_args()

    with open(args.data, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if args.split == "all" or half(r["text"]) == args.split]
    texts = [" ".join(r["text"].split()) for r in rows]
    golds = [gold_label(r["lang"]) for r in rows]

    ours = run_cityline(args.bin, texts, args.config)
    our_labels = [engine_action(lang, sure) for lang, sure, _ in ours]
    # For an "other" row, the menu is the right outcome whichever way it was reached.
    our_labels = [("other" if (g == "other" and p == "asks") else p) for g, p in zip(golds, our_labels)]
    our_forced = [mapped(lang) for lang, _, _ in ours]
    print(f"{len(rows)} rows of {os.path.basename(args.data)} ({args.split}); city locales {', '.join(SUPPORTED)}")
    table(golds, our_labels, "CityLine as the engine acts on a first message ('asks' = language menu, wrong for a city language)")
    table(golds, our_forced, "CityLine best guess (as if it never asked)")

    try:
        import langid
    except ImportError:
        print("\nlangid.py not installed (pip install langid): no comparison")
    else:
        theirs = [mapped(langid.classify(t)[0]) for t in texts]
        table(golds, theirs, "langid.py 1.1.6 (all 97 languages, mapped the same way)")

    if args.errors:
        print("\nMisdetected rows of supported languages:")
        shown = 0
        for r, gold, pred, (lang, sure, evidence) in zip(rows, golds, our_labels, ours):
            if gold != pred and shown < args.errors:
                print(f"  {gold} -> {pred} ({evidence})  {r['text'][:80]}")
                shown += 1


if __name__ == "__main__":
    sys.exit(main())
