#!/usr/bin/env python3
"""Trains the triage's learned caution (`model:` in a city's emergencies.yaml) on the team's corpus.

Usage (from the repository root):
    python3 Evaluation/train_danger_model.py [--hold-out SPLITS] [--out DemoCity/danger-model.json]
                                             [--cross-validate]

The phrase rules (concepts and triggers) decide "call 911". They are exact and explainable, but each round of
phrases moves a fresh set of messages by about 1% (README, "Triage"). This model reads what the rules do not:
character n-grams and words, hashed, weighed by a logistic regression trained on every split of
Evaluation/triage except the held-out ones — `emergency` rows against `routine` near-misses and the everyday
reports of Evaluation/triage/everyday. A message it scores at or above the threshold gets the caution ("if anyone
is in danger now, call 911 first") and its turn goes on: a false one costs a sentence, a missed emergency more.

The features, exactly as `DangerModel` in Sources/CityModel computes them (the Swift tests check a few scores
against this file):
  1. Unicode NFKC; each scalar whose general category is a letter, number or mark is kept, lowercased (full
     mapping); any run of other scalars becomes one space; one space before and after.
  2. Every run of 2 to 5 scalars (spaces included), and every word prefixed with "w:".
  3. Each hashed with 64-bit FNV-1a over its UTF-8 bytes, modulo `buckets`; counts scaled to unit length.
Pure Python with no dependencies, deterministic (fixed seed), so a city can retrain on its own corpus.
"""
import argparse
import collections
import json
import math
import os
import random
import sys
import unicodedata

import triage_eval
from triage_eval import CORPUS, LANGUAGES, ROOT
BUCKETS = 1 << 16
NGRAMS = (2, 3, 4, 5)
FNV_OFFSET, FNV_PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def normalize(text):
    out, space = [" "], True
    for ch in unicodedata.normalize("NFKC", text):
        if unicodedata.category(ch)[0] in "LNM":
            out.append(ch.lower())
            space = False
        elif not space:
            out.append(" ")
            space = True
    if not space:
        out.append(" ")
    return "".join(out)


def fnv(text):
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return h


def features(text, buckets=BUCKETS):
    t = normalize(text)
    counts = collections.Counter()
    for n in NGRAMS:
        for i in range(len(t) - n + 1):
            counts[fnv(t[i:i + n]) % buckets] += 1
    for word in t.split():
        counts[fnv("w:" + word) % buckets] += 1
    length = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {k: v / length for k, v in counts.items()}


def read(split):
    """(language, is an emergency, text) for every row of a split, read as triage_eval.py reads it."""
    return [(lang, row["label"] == "emergency", row["text"]) for lang in LANGUAGES for row in triage_eval.read_rows(split, lang)]


def splits():
    return sorted(name for name in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, name)))


# The committed model was trained before blind17 was written: that set, every later fresh set (blindN), `tense` and
# `buried` are held out of training by default, so the model is reproduced and they still measure it. A fresh set is
# held out as soon as it is added; nothing here changes with each round.
FIRST_HELD_BLIND = 17
HELD_SPLITS = {"tense", "buried"}


def default_hold_out():
    def later_blind(name):
        number = name[len("blind"):]
        return name.startswith("blind") and number.isdigit() and int(number) >= FIRST_HELD_BLIND
    return {name for name in splits() if later_blind(name) or name in HELD_SPLITS}


def train(rows, buckets=BUCKETS, epochs=30, rate=0.5, l2=1e-5, seed=1):
    """Logistic regression by stochastic gradient descent; the classes weighed equally."""
    positives = sum(1 for _, label, _ in rows if label)
    negatives = len(rows) - positives
    weight_of = {True: len(rows) / (2 * positives), False: len(rows) / (2 * negatives)}
    data = [(features(text, buckets), label) for _, label, text in rows]
    weights, bias = collections.defaultdict(float), 0.0
    shuffle = random.Random(seed)
    for _ in range(epochs):
        shuffle.shuffle(data)
        for vector, label in data:
            z = bias + sum(weights[k] * v for k, v in vector.items())
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = (p - label) * weight_of[label]
            for k, v in vector.items():
                weights[k] -= rate * (g * v + l2 * weights[k])
            bias -= rate * g
    return dict(weights), bias, buckets


def score(model, text):
    weights, bias, buckets = model
    z = bias + sum(weights.get(k, 0.0) * v for k, v in features(text, buckets).items())
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hold-out",
                        help="splits left out of training (comma-separated; the default is blind17 and every later "
                             "blindN, tense and buried, so the committed model is reproduced and they still measure it)")
    parser.add_argument("--out", default=os.path.join(ROOT, "DemoCity", "danger-model.json"))
    parser.add_argument("--threshold", type=float, default=0.6)
    parser.add_argument("--buckets", type=int, default=BUCKETS, help="hash buckets (a power of two keeps the file small)")
    parser.add_argument("--cross-validate", action="store_true",
                        help="train without each split in turn and score it (how well it reads what it never saw)")
    args = parser.parse_args()
    held = default_hold_out() if args.hold_out is None else set(filter(None, args.hold_out.split(",")))
    names = [name for name in splits() if name not in held]
    if args.cross_validate:
        for left_out in names:
            model = train([row for name in names if name != left_out for row in read(name)], args.buckets)
            rows = read(left_out)
            flagged = collections.Counter((label, score(model, text) >= args.threshold) for _, label, text in rows)
            emergencies = flagged[(True, True)] + flagged[(True, False)]
            routine = flagged[(False, True)] + flagged[(False, False)]
            print(f"{left_out:10} emergencies flagged {flagged[(True, True)]}/{emergencies}, "
                  f"routine flagged {flagged[(False, True)]}/{routine}")
        return
    rows = [row for name in names for row in read(name)]
    weights, bias, buckets = train(rows, args.buckets)
    kept = {k: round(w, 4) for k, w in sorted(weights.items()) if abs(w) >= 0.0005}
    model = {
        "about": "Learned caution for the triage: Evaluation/train_danger_model.py, trained on "
                 + ", ".join(names) + f" ({len(rows)} messages). Retrain after changing the corpus.",
        "buckets": buckets,
        "ngrams": list(NGRAMS),
        "bias": round(bias, 4),
        "weights": [[k, w] for k, w in kept.items()],
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(model, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"{args.out}: {len(kept)} weights from {len(rows)} messages ({', '.join(names)})", file=sys.stderr)


if __name__ == "__main__":
    main()
