#!/usr/bin/env bash
# Crash loops (issue 20): `cityline serve` killed with SIGKILL CYCLES times (default 1000) under signed Twilio
# webhook load and staff closing tickets, restarted each time on the same data directory; then the database, the
# staff API and outbox.jsonl must show nothing lost and nothing doubled. See README.md, "Crash loops".
#
#   Reliability/crash-loop.sh [CYCLES] [crash_loop.py options: --seed N, --workers N, --work-dir DIR, --keep]
#
# Builds the release executable first. Exit 0 when every check holds, 1 on any violation (the data directory is
# then kept and named).
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-1000}
[ $# -gt 0 ] && shift
if ! output=$(swift build -c release --product cityline 2>&1); then
    echo "$output" >&2
    exit 1
fi
binary="$(swift build -c release --product cityline --show-bin-path)/cityline"
[ -x "$binary" ] || { echo "no release build at $binary" >&2; exit 1; }
exec python3 Reliability/crash_loop.py --binary "$binary" --repo "$PWD" --cycles "$cycles" "$@"
