#!/usr/bin/env bash
# Enqueue and drain notifications through the SQLite job queue into the outbox file (see README "Benchmarks").
#   Benchmarks/outreach.sh [COUNT]      default 1,000,000
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cityline-outreach-bench >/dev/null
.build/release/cityline-outreach-bench --count "${1:-1000000}"
