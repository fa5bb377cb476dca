#!/usr/bin/env python3
"""Scores `cityline geocode` on the held-out geocoder set (Evaluation/geocode/queries.tsv).

Usage (from the repository root):
    python3 Evaluation/geocode_eval.py [--binary PATH] [--config DIR] [--queries FILE] [--failures N]
                                       [--category NAME] [--language CODE]

Each query's `text` goes to `cityline geocode` on stdin, one per line (`swift run -c release cityline geocode`, or
the binary `--binary` names). The CLI answers one JSON object per line: {"text", "kind", "matched", "latitude",
"longitude", "jurisdiction", "confidence"}. A row that should match is right when the answer's point is within
30 m (haversine) of the expected one. A `none` row is right when latitude is null (a correct rejection). Prints
Markdown tables by category and by language, and `--failures N` prints N wrong rows. Exits 0 whatever the score:
it reports, it does not gate. The set is made by Evaluation/geocode/make_queries.py from the demo city's data.
"""
import argparse
import collections
import csv
import json
import math
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUERIES = os.path.join(ROOT, "Evaluation", "geocode", "queries.tsv")
LANGUAGES = ["en", "es", "zh-Hans", "vi", "ar"]
CATEGORIES = ["address", "abbrev", "no_suffix", "typo", "unit", "interpolated", "intersection", "near", "place",
              "coordinates", "none"]
TOLERANCE = 30.0


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


def read_queries(path):
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["should_match"] = row["expected_latitude"] != ""
        if row["should_match"]:
            row["expected"] = (float(row["expected_latitude"]), float(row["expected_longitude"]))
    return rows


def run(rows, args):
    command = [args.binary] if args.binary else ["swift", "run", "-q", "-c", "release", "cityline"]
    command.append("geocode")
    if args.config:
        command += ["--config", args.config]
    try:
        result = subprocess.run(command, input="\n".join(r["text"] for r in rows) + "\n", capture_output=True,
                                text=True, cwd=ROOT)
    except OSError as error:
        return None, f"cannot run {' '.join(command)}: {error}"
    if result.returncode != 0:
        return None, f"{' '.join(command)} exited {result.returncode}:\n{result.stderr.strip()[-2000:]}"
    answers = []
    for line in result.stdout.splitlines():
        if not line.strip():
            continue
        try:
            answers.append(json.loads(line))
        except json.JSONDecodeError:
            return None, f"not JSON: {line[:200]}"
    if len(answers) != len(rows):
        return None, f"{len(rows)} queries but {len(answers)} answers"
    return answers, None


def score(row, answer):
    """(right, distance in metres or None, what went wrong)."""
    lat, lon = answer.get("latitude"), answer.get("longitude")
    if not row["should_match"]:
        return lat is None, None, "" if lat is None else "matched"
    if lat is None or lon is None:
        return False, None, "no answer"
    distance = haversine(row["expected"][0], row["expected"][1], lat, lon)
    return distance <= TOLERANCE, distance, "" if distance <= TOLERANCE else "wrong place"


def pct(n, d):
    return f"{100.0 * n / d:.1f}%" if d else "–"


def table(title, groups, order):
    print(f"\n### By {title}\n")
    print(f"| {title} | rows | right | accuracy | no answer | wrong place | median error (m) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key in order:
        results = groups.get(key)
        if not results:
            continue
        right = sum(1 for r in results if r[0])
        missing = sum(1 for r in results if r[2] == "no answer")
        wrong = sum(1 for r in results if r[2] in ("wrong place", "matched"))
        distances = [r[1] for r in results if r[1] is not None]
        median = f"{statistics.median(distances):.1f}" if distances else "–"
        print(f"| {key} | {len(results)} | {right} | {pct(right, len(results))} | {missing} | {wrong} | {median} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", "--bin", dest="binary", help="a built cityline binary (default: swift run -c release cityline)")
    parser.add_argument("--config", help="city configuration directory (default: the CLI's own default, the demo city)")
    parser.add_argument("--queries", default=QUERIES, help="the query set (default: Evaluation/geocode/queries.tsv)")
    parser.add_argument("--failures", type=int, default=0, help="print this many wrong rows")
    parser.add_argument("--category", help="score only this category")
    parser.add_argument("--language", help="score only this language")
    args = parser.parse_args()

    rows = read_queries(args.queries)
    if args.category:
        rows = [r for r in rows if r["category"] == args.category]
    if args.language:
        rows = [r for r in rows if r["language"] == args.language]
    if not rows:
        print("no queries selected")
        return 0
    answers, error = run(rows, args)
    if error:
        print(f"geocode evaluation could not run: {error}")
        return 0

    results = [score(row, answer) for row, answer in zip(rows, answers)]
    by_category, by_language, by_cell = collections.defaultdict(list), collections.defaultdict(list), {}
    failures = []
    for row, answer, result in zip(rows, answers, results):
        by_category[row["category"]].append(result)
        by_language[row["language"]].append(result)
        by_cell.setdefault((row["category"], row["language"]), []).append(result)
        if not result[0]:
            failures.append((row, answer, result))

    positive = [r for r, row in zip(results, rows) if row["should_match"]]
    negative = [r for r, row in zip(results, rows) if not row["should_match"]]
    print(f"## Geocoder evaluation ({len(rows)} queries, {os.path.relpath(args.queries, ROOT)})\n")
    print(f"- Should match: **{pct(sum(1 for r in positive if r[0]), len(positive))}** within {TOLERANCE:.0f} m "
          f"({sum(1 for r in positive if r[0])} of {len(positive)}; "
          f"{sum(1 for r in positive if r[2] == 'no answer')} without an answer)")
    print(f"- Should not match (`none`): **{pct(sum(1 for r in negative if r[0]), len(negative))}** rejected "
          f"({sum(1 for r in negative if r[0])} of {len(negative)})")
    categories = CATEGORIES + sorted(set(by_category) - set(CATEGORIES))
    languages = LANGUAGES + sorted(set(by_language) - set(LANGUAGES))
    table("category", by_category, categories)
    table("language", by_language, languages)

    print("\n### Accuracy by category and language\n")
    print("| category | " + " | ".join(languages) + " |")
    print("|---|" + "---:|" * len(languages))
    for category in categories:
        if category not in by_category:
            continue
        cells = []
        for language in languages:
            results = by_cell.get((category, language), [])
            cells.append(pct(sum(1 for r in results if r[0]), len(results)) if results else "–")
        print(f"| {category} | " + " | ".join(cells) + " |")

    if args.failures:
        print(f"\n### Failures (first {min(args.failures, len(failures))} of {len(failures)})\n")
        for row, answer, (_, distance, what) in failures[:args.failures]:
            expected = f"{row['expected'][0]:.6f},{row['expected'][1]:.6f} ({row['expected_matched'] or '-'})" \
                if row["should_match"] else "no match"
            got = "null" if answer.get("latitude") is None else \
                f"{answer['latitude']:.6f},{answer['longitude']:.6f} ({answer.get('matched') or '-'}, {answer.get('kind')})"
            gap = f", {distance:.0f} m off" if distance is not None else ""
            print(f"- `{row['id']}` {row['category']}/{row['language']}: {row['text']!r} — expected {expected}; "
                  f"got {got}{gap}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
