#!/usr/bin/env python3
"""Scores `cityline classify` on real 311 request texts.

Usage (from the repository root):
    python3 Evaluation/classifier_eval.py [--data ../shared/data/real/requests_combined.csv] [--bin PATH]

Rows whose (city, category) is in Evaluation/category-map.csv are scored: top-1 accuracy (the top service
equals the mapped one; "no service" counts as wrong), the asked-back rate (the engine would confirm, offer
choices or show the menu instead of going straight on), and accuracy of the rows it would take directly.
The data is for evaluation only (see its SOURCES.md for licences); nothing of it is copied here.
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "real", "requests_combined.csv"))
    parser.add_argument("--map", default=os.path.join(ROOT, "Evaluation", "category-map.csv"))
    parser.add_argument("--bin", help="path to a built cityline binary (default: swift run -c release cityline)")
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified rows")
    parser.add_argument("--cities", help="comma-separated cities to score (e.g. 'Newport, RI;Topeka, KS' with ';')")
    args = parser.parse_args()

    mapping = {}
    with open(args.map, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            mapping[(row["city"], row["category"])] = row["service_code"]

    rows = []
    with open(args.data, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = mapping.get((row["city"], row["category"]))
            if args.cities and row["city"] not in args.cities.split(";"):
                continue
            if code:
                text = " ".join(row["text"].split())
                free = "category_is_free_text" in (row.get("extra") or "")
                rows.append((text, code, free))

    command = [args.bin] if args.bin else ["swift", "run", "-q", "-c", "release", "cityline"]
    result = subprocess.run(command + ["classify"], input="\n".join(r[0] for r in rows) + "\n",
                            capture_output=True, text=True, cwd=ROOT, check=True)
    outputs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(outputs) == len(rows), (len(outputs), len(rows))

    def score(selected):
        n = len(selected)
        correct = sum(1 for (_, code, _), out in selected if out["service_code"] == code)
        asked = sum(1 for _, out in selected if out["decision"] != "direct")
        direct = [(r, o) for r, o in selected if o["decision"] == "direct"]
        direct_ok = sum(1 for (_, code, _), out in direct if out["service_code"] == code)
        return n, correct, asked, len(direct), direct_ok

    pairs = list(zip(rows, outputs))
    print("| rows | scored | top-1 accuracy | asked back | taken directly | accuracy when direct |")
    print("|---|---:|---:|---:|---:|---:|")
    named = [p for p in pairs if p[1]["service_code"] is not None or p[1]["decision"] == "information"]
    for label, selected in [("all mapped rows", pairs), ("without user-typed titles", [p for p in pairs if not p[0][2]]),
                            ("where the text names any problem", named)]:
        n, correct, asked, direct, direct_ok = score(selected)
        print(f"| {label} | {n} | {correct / n:.1%} | {asked / n:.1%} | {direct / n:.1%} | "
              f"{(direct_ok / direct if direct else 0):.1%} |")
    print()
    print("| service | rows | top-1 | asked back |")
    print("|---|---:|---:|---:|")
    by_code = collections.defaultdict(list)
    for pair in pairs:
        by_code[pair[0][1]].append(pair)
    for code in sorted(by_code, key=lambda c: -len(by_code[c])):
        n, correct, asked, _, _ = score(by_code[code])
        print(f"| {code} | {n} | {correct / n:.0%} | {asked / n:.0%} |")
    if args.errors:
        print()
        shown = 0
        for (text, code, _), out in pairs:
            if out["service_code"] != code and shown < args.errors:
                print(f"- expected {code}, got {out['service_code']} ({out['decision']}): {text[:140]}")
                shown += 1


if __name__ == "__main__":
    sys.exit(main())
