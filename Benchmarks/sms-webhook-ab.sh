#!/usr/bin/env bash
# The SMS webhook against a baseline revision, in one run (see README "Benchmarks"). Two release `cityline serve`
# binaries — this tree's and BASE_REVISION's, built in a temporary worktree — take turns: each round starts each on a
# fresh SQLite database (WAL, synchronous=FULL), replays pre-signed Twilio webhooks from new residents with wrk for
# SECONDS (1 thread, 64 connections), then GET /health with the same wrk for SECONDS/2, and reads the server's CPU
# time from /proc before and after; then the round's committed requests delivered again for SECONDS/2 (the redelivery
# floor: signature, form and a read, no turn, each from a different resident as the turns were). The shared machine's
# noise hits both binaries alike, so the ratio compares code.
# Needs wrk and sqlite3 (apt-get install wrk sqlite3).
# Usage: Benchmarks/sms-webhook-ab.sh BASE_REVISION [SECONDS] [ROUNDS]
#   BASE_BIN=path/to/cityline   use an already built baseline binary instead of building BASE_REVISION
#   BASE_ROOT=path/to/tree      the baseline's own tree (its city and locales), with BASE_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: Benchmarks/sms-webhook-ab.sh BASE_REVISION [SECONDS] [ROUNDS]}
seconds=${2:-10}
rounds=${3:-3}
port=${PORT:-18312}
token=bench-token
public=https://311.bench.example
root=$(pwd)
swift build -c release --product cityline >/dev/null 2>&1
current="$root/.build/release/cityline"

work=$(mktemp -d)
tree=""
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "$tree" ] && { git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; }
  rm -rf "$work"
}
trap cleanup EXIT
if [ -n "${BASE_BIN:-}" ]; then
  baseline=$BASE_BIN
  base_root=${BASE_ROOT:?BASE_ROOT names the baseline tree when BASE_BIN is given}
else
  tree=$(mktemp -d)
  git worktree add --detach "$tree" "$base" >/dev/null 2>&1
  (cd "$tree" && swift build -c release --product cityline --scratch-path "$root/.build-base" >/dev/null 2>&1)
  baseline="$root/.build-base/release/cityline"
  base_root=$tree
fi

# Inbound messages committed to the database in DIR.
inbound() { sqlite3 "$1/cityline.sqlite" "SELECT COUNT(*) FROM messages WHERE direction = 'in'"; }

# CPU seconds (user + system) the process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

run() { # name binary tree round
  local name=$1 binary=$2 home=$3 round=$4 data="$work/$1-$4"
  mkdir -p "$data"
  python3 "$root/Benchmarks/signed-requests.py" $((seconds * 8000)) $token $public "R$round${name:0:1}" > "$data/requests.txt"
  (cd "$home" && TWILIO_AUTH_TOKEN=$token CITYLINE_PUBLIC_URL=$public LOG_LEVEL=error \
    exec "$binary" serve --port "$port" --data-dir "$data" > "$data/server.log" 2>&1) &
  server=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  local before after
  before=$(cpu "$server")
  REQUESTS_FILE="$data/requests.txt" WRK_THREADS=1 wrk -t1 -c64 -d"${seconds}s" --latency \
    -s "$root/Benchmarks/sms-webhook.lua" "http://127.0.0.1:$port" > "$data/wrk.txt"
  after=$(cpu "$server")
  wrk -t1 -c64 -d"$((seconds / 2))s" "http://127.0.0.1:$port/health" > "$data/health.txt"
  # The floor: the round's committed requests delivered again — signature, form and the stored reply read back, no
  # engine, no rendering, no write. No turn can be cheaper than this. Each comes from a different resident, as the
  # turns did (one request repeated would queue all 64 connections behind one resident's lock and measure the lock).
  # wrk sends in file order, so the first COUNT lines were all sent, and are committed once the server has answered.
  # Written twice: a redelivery is faster than a turn, and wrk must not run out of lines (it would count the idle time).
  head -n "$(inbound "$data")" "$data/requests.txt" > "$data/once.txt"
  cat "$data/once.txt" "$data/once.txt" > "$data/again.txt"
  REQUESTS_FILE="$data/again.txt" WRK_THREADS=1 wrk -t1 -c64 -d"$((seconds / 2))s" \
    -s "$root/Benchmarks/sms-webhook.lua" "http://127.0.0.1:$port" > "$data/again-wrk.txt"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  local committed rps p99 health
  committed=$(inbound "$data")
  rps=$(awk '/Requests\/sec/ {print $2}' "$data/wrk.txt")
  p99=$(awk '/ 99%/ {print $2}' "$data/wrk.txt")
  health=$(awk '/Requests\/sec/ {print $2}' "$data/health.txt")
  again=$(awk '/Requests\/sec/ {print $2}' "$data/again-wrk.txt")
  awk -v n="$name" -v r="$round" -v rps="$rps" -v p99="$p99" -v c="$committed" -v b="$before" -v a="$after" -v h="$health" -v g="$again" \
    'BEGIN { printf "round %s %-8s %6.0f turns/s  p99 %-8s  %6d committed  %4.0f µs CPU/turn  /health %6.0f/s  ratio %.3f  redelivered %5.0f/s (%.3f of /health)\n",
             r, n, rps, p99, c, (a - b) * 1e6 / (c > 0 ? c : 1), h, rps / h, g, g / h }'
  rm -rf "$data"
}

echo "machine: $(nproc) cores, $(uname -m); SQLite WAL synchronous=FULL; wrk 1 thread, 64 connections; ${seconds} s a run, ${rounds} rounds"
echo "baseline: $base"
for round in $(seq "$rounds"); do
  run base "$baseline" "$base_root" "$round"
  run current "$current" "$root" "$round"
done
