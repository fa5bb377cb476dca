#!/usr/bin/env bash
# Area-notice benchmark (see README "Area notices"): SUBSCRIBERS opted-in residents inside a polygon (and a fifth as
# many around it) in a fresh SQLite database, then a notice to the polygon resolved and queued, ROUNDS times; the
# baseline in the same run is reading the subscriptions in the polygon's box.
# Usage: Benchmarks/notices.sh [SUBSCRIBERS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cityline-notice-bench >/dev/null 2>&1
echo "machine: $(nproc) cores, $(uname -m)"
.build/release/cityline-notice-bench "${1:-100000}" "${2:-3}"
