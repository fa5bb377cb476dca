#!/usr/bin/env bash
# Geocoder and duplicate-lookup benchmark (see README "Benchmarks"): geocodes per second on one thread against
# the demo city's address data, with reading the same lines' words as the baseline; then a million open tickets
# in SQLite and the duplicate lookup's p50/p99, with a ticket fetched by number as the baseline.
# Usage: Benchmarks/geocode.sh [SECONDS] [TICKETS] [LOOKUPS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cityline-geocode-bench >/dev/null 2>&1
echo "machine: $(nproc) cores, $(uname -m)"
.build/release/cityline-geocode-bench "${1:-5}" "${2:-1000000}" "${3:-10000}"
