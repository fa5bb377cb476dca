#!/usr/bin/env bash
# KPI benchmark (see README "Benchmarks"): TICKETS tickets in a fresh SQLite database, then the KPI report by
# language and by area, the last 90 days and the weekly trend, each ROUNDS times; the baseline in the same run is
# reading the same tickets' facts without the arithmetic.
# Usage: Benchmarks/kpis.sh [TICKETS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cityline-kpi-bench >/dev/null 2>&1
echo "machine: $(nproc) cores, $(uname -m)"
.build/release/cityline-kpi-bench "${1:-1000000}" "${2:-5}"
