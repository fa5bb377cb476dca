#!/usr/bin/env bash
# SMS webhook benchmark (see README "Benchmarks"). A release `cityline serve` on a fresh SQLite database
# (WAL, synchronous=FULL) takes signed Twilio webhooks, each from a new resident with a new MessageSid, through
# the full turn (signature, dedupe, engine, render, one durable commit, TwiML), while GET /health is probed:
#   1. throughput: wrk replays pre-signed requests as fast as the server answers them;
#   2. latency: cityline-bench sends them at a fixed rate (default 1,000/s).
# Needs wrk and sqlite3 (apt-get install wrk sqlite3). Usage: Benchmarks/sms-webhook.sh [SECONDS] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
rate=${2:-1000}
port=${PORT:-18311}
token=bench-token
public=https://311.bench.example
swift build -c release --product cityline >/dev/null 2>&1
swift build -c release --product cityline-bench >/dev/null 2>&1
data=$(mktemp -d)
TWILIO_AUTH_TOKEN=$token CITYLINE_PUBLIC_URL=$public LOG_LEVEL=error \
  .build/release/cityline serve --port "$port" --data-dir "$data" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(uname -m); SQLite WAL synchronous=FULL; wrk 1 thread, 64 connections"

python3 Benchmarks/signed-requests.py $((seconds * 4000)) $token $public T > "$data/requests.txt"
.build/release/cityline-bench --url "http://127.0.0.1:$port" --probe-only "$seconds" > "$data/probe.txt" &
probe=$!
REQUESTS_FILE="$data/requests.txt" WRK_THREADS=1 wrk -t1 -c64 -d"${seconds}s" --latency -s Benchmarks/sms-webhook.lua \
  "http://127.0.0.1:$port" > "$data/wrk.txt"
wait $probe
committed=$(sqlite3 "$data/cityline.sqlite" "SELECT COUNT(*) FROM messages WHERE direction = 'in'")
rps=$(awk '/Requests\/sec/ {print $2}' "$data/wrk.txt")
p99=$(awk '/ 99%/ {print $2}' "$data/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $5}' "$data/wrk.txt")
echo "throughput: ${rps} turns/s for ${seconds} s (p99 ${p99}), ${committed} inbound messages durably committed${non2xx:+, non-2xx: $non2xx}"
cat "$data/probe.txt"
.build/release/cityline-bench --url "http://127.0.0.1:$port" --token $token --public-url $public --requests 0 \
  --rate "$rate" --seconds 10 --run L
