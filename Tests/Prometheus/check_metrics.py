#!/usr/bin/env python3
"""Reads CityLine's GET /metrics with Prometheus' own text parser (prometheus-client from PyPI).

Usage: check_metrics.py URL [FORBIDDEN ...]

Fails (exit 1, saying why) when the text does not parse, a family is not `cityline_…`, an expected family is missing
or has another type, or a label value contains one of the FORBIDDEN strings (the residents' numbers, words and
tracking numbers the test used). Run by MetricsTests.prometheusOwnParserReadsTheServersMetrics.
"""
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

# The parser names a counter family without its `_total`.
EXPECTED = {
    "cityline_inbound_turns": "counter",
    "cityline_inbound_redeliveries": "counter",
    "cityline_turn_duration_seconds": "histogram",
    "cityline_tickets_created": "counter",
    "cityline_emergencies_answered": "counter",
    "cityline_handoffs_requested": "counter",
    "cityline_opt_outs": "counter",
    "cityline_outbound_sends": "counter",
    "cityline_outbound_send_duration_seconds": "histogram",
    "cityline_outbox_entries": "gauge",
    "cityline_jobs": "gauge",
}


def main():
    url, forbidden = sys.argv[1], sys.argv[2:]
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode("utf-8")
    problems = []
    families = {}
    try:
        for family in text_string_to_metric_families(text):
            families[family.name] = family
    except ValueError as error:
        print(f"the exposition does not parse: {error}\n{text}")
        return 1
    for name, family in families.items():
        if not name.startswith("cityline_"):
            problems.append(f"{name}: not a cityline_ metric")
        for sample in family.samples:
            for label, value in sample.labels.items():
                for secret in forbidden:
                    if secret in value:
                        problems.append(f"{sample.name}: label {label}={value!r} carries resident data ({secret!r})")
    for name, kind in EXPECTED.items():
        if name not in families:
            problems.append(f"{name}: missing")
        elif families[name].type != kind:
            problems.append(f"{name}: a {families[name].type}, expected a {kind}")
    turns = sum(s.value for s in families["cityline_inbound_turns"].samples) if "cityline_inbound_turns" in families else 0
    if turns < 1:
        problems.append("cityline_inbound_turns_total: no turn counted")
    if problems:
        print("\n".join(problems))
        print(text)
        return 1
    print(f"{len(families)} families parsed: " + ", ".join(sorted(families)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
