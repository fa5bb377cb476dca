#!/usr/bin/env python3
"""Compares two triage configurations or two binaries message by message: every split of Evaluation/triage and,
when asked, the real 311 requests. Each message's answer is one of none < caution < call; a change is BETTER when
an emergency moves up or a routine message moves down, WORSE otherwise. Exits 1 if anything got worse.

    # after editing DemoCity/emergencies*: compare against a copy taken before the edit
    python3 Evaluation/triage_diff.py --bin .build/release/cityline --old-config /tmp/before all --real
    # after changing the engine: the same city, an old binary against the new one
    python3 Evaluation/triage_diff.py --bin .build/release/cityline --old-bin /tmp/old/cityline all --real

Each configuration is one `cityline classify` run over every message at once (loading the city is most of the time).
The real requests (`--real`, from ../shared/data/real/requests_combined.csv beside the repository) have no labels:
they are counted by answer and only their changes are listed, as routine messages.
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triage_eval  # noqa: E402

ORDER = ["none", "caution", "call"]


def answers(binary, config, texts):
    rows = triage_eval.classify([binary, "classify", "--config", config], texts)
    return ["call" if row["emergency"] else ("caution" if row.get("caution") else "none") for row in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="the cityline binary (the new one)")
    parser.add_argument("--config", default=os.path.join(triage_eval.ROOT, "DemoCity"), help="the new city (default DemoCity)")
    old = parser.add_mutually_exclusive_group(required=True)
    old.add_argument("--old-config", help="the city before the change, read by --bin")
    old.add_argument("--old-bin", help="the binary before the change, reading --config")
    parser.add_argument("--real", action="store_true", help="also the real 311 requests")
    parser.add_argument("splits", nargs="*", default=["all"], help="splits of Evaluation/triage, or all")
    arguments = parser.parse_args()

    splits = triage_eval.split_names() if "all" in arguments.splits else arguments.splits
    sets = []
    for split in splits:
        for language in triage_eval.LANGUAGES:
            rows = triage_eval.read_rows(split, language)
            if rows:
                sets.append((f"{split}/{language}", [(r["label"], r["concept"], r["text"]) for r in rows]))
    if arguments.real:
        with open(triage_eval.REAL, encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        sets.append(("real", [("routine", r["category"], " ".join(r["text"].split())) for r in rows]))

    texts = [text for _, rows in sets for _, _, text in rows]
    before = answers(arguments.old_bin or arguments.bin, arguments.old_config or arguments.config, texts)
    after = answers(arguments.bin, arguments.config, texts)
    worse = better = 0
    real = {}
    index = 0
    for name, rows in sets:
        for (label, concept, text), x, y in zip(rows, before[index:], after[index:]):
            if name == "real":
                real[y] = real.get(y, 0) + 1
            if x != y:
                good = (label == "emergency") == (ORDER.index(y) > ORDER.index(x))
                better += good
                worse += not good
                print(f"{'BETTER' if good else 'WORSE '} {name} {label}/{concept}: {x} -> {y}: {text}")
        index += len(rows)
    print(f"{len(texts)} messages: {better} better, {worse} worse" +
          (f"; real requests now {real.get('call', 0)} call, {real.get('caution', 0)} caution" if arguments.real else ""))
    sys.exit(1 if worse else 0)


if __name__ == "__main__":
    main()
