#!/usr/bin/env bash
# Web chat benchmark (see README "Benchmarks"). A release `cityline serve` on a fresh SQLite database (WAL,
# synchronous=FULL) holds many open WebSockets on /chat/ws; each is a new resident, somewhere in a dialog that files
# a report (or asks STATUS, HELP, MENU), who sends a message every INTERVAL seconds (random phase: a steady
# SESSIONS/INTERVAL messages a second), each a full durable turn; cityline-chat-bench (Benchmarks/Chat) measures the
# time to the ack and to the bot's first reply, with a timeline of latency and server CPU/memory. Two runs against
# the same server: a baseline of 100 sessions, then SESSIONS; the ratio of their p99 reply latency and the
# server's memory (VmRSS/VmHWM from /proc, so Linux only) are printed.
# Usage: Benchmarks/chat.sh [SESSIONS] [INTERVAL] [SECONDS]
# Environment: PORT (18312), RAMP (new connections a second while opening, 1000), BASELINE (sessions, 100; 0 skips),
# SCRATCH (a --scratch-path for swift build, to keep off the default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
sessions=${1:-5000}
interval=${2:-10}
seconds=${3:-30}
port=${PORT:-18312}
ramp=${RAMP:-1000}
baseline=${BASELINE:-100}

build=(swift build -c release)
if [ -n "${SCRATCH:-}" ]; then build+=(--scratch-path "$SCRATCH"); fi
log=$(mktemp)
for product in cityline cityline-chat-bench; do
  "${build[@]}" --product "$product" > "$log" 2>&1 || { tail -40 "$log"; echo "chat.sh: building $product failed" >&2; exit 1; }
done
rm -f "$log"
bin=$("${build[@]}" --show-bin-path)

# One descriptor per socket on each side (the server and the load generator are separate processes), plus slack.
want=$((sessions + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
  echo "warning: ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)), below the $want that $sessions sessions need" >&2
fi
if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
  read -r low high < /proc/sys/net/ipv4/ip_local_port_range
  if [ $((high - low)) -lt "$((sessions + baseline))" ]; then
    echo "warning: only $((high - low)) local ports (ip_local_port_range) for $((sessions + baseline)) connections" >&2
  fi
fi

data=$(mktemp -d)
CITYLINE_CHAT_CONNECTIONS_PER_IP=100000 CITYLINE_CHAT_SESSIONS_PER_IP_PER_MINUTE=1000000 LOG_LEVEL=error \
  "$bin/cityline" serve --port "$port" --data-dir "$data" --no-smtp > "$data/server.out" 2> "$data/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
if ! curl -sf "http://127.0.0.1:$port/health" >/dev/null; then
  echo "chat.sh: the server did not answer GET /health" >&2; cat "$data/server.out" "$data/server.log" >&2; exit 1
fi
echo "machine: $(nproc) cores, $(uname -m), ulimit -n $(ulimit -n); server and load generator on the same machine;" \
  "SQLite WAL synchronous=FULL; interval ${interval} s, ${seconds} s measured, ramp ${ramp}/s; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

bench() { # SESSIONS LABEL
  "$bin/cityline-chat-bench" --url "ws://127.0.0.1:$port/chat/ws" --sessions "$1" --interval "$interval" \
    --seconds "$seconds" --ramp "$ramp" --server-pid "$server" --label "$2"
}
field() { # NAME FILE: a number from the run's JSON line
  grep '^{' "$2" | tail -1 | grep -o "\"$1\":[0-9.]*" | cut -d: -f2
}
if [ "$baseline" -gt 0 ]; then
  bench "$baseline" "$baseline sessions" | tee "$data/baseline.txt"
  echo
fi
bench "$sessions" "$sessions sessions" | tee "$data/full.txt"
echo

full_p99=$(field reply_p99_ms "$data/full.txt")
if [ "$baseline" -gt 0 ]; then
  base_p99=$(field reply_p99_ms "$data/baseline.txt")
  awk -v n="$sessions" -v b="$baseline" -v f="$full_p99" -v s="$base_p99" 'BEGIN {
    printf "p99 reply latency: %s ms with %d sessions vs %s ms with %d: %s\n", f, n, s, b, (s > 0 ? sprintf("%.2f×", f / s) : "n/a") }'
fi
rss=$(field server_rss_end_kb "$data/full.txt")
hwm=$(field server_hwm_kb "$data/full.txt")
per=$(field server_kb_per_session "$data/full.txt")
if [ -n "$rss" ]; then
  awk -v r="$rss" -v h="$hwm" -v p="$per" -v n="$sessions" 'BEGIN {
    printf "server memory with %d sessions open: RSS %.1f MB at the end, peak %.1f MB; ≈ %s KB per session started (before any message)\n", n, r / 1024, h / 1024, p }'
fi
awk -v p="$full_p99" 'BEGIN { printf "target p99 reply ≤ 100 ms: %s\n", (p != "" && p + 0 <= 100 ? "met" : "NOT met") }'
if [ -s "$data/server.log" ]; then
  echo "server log: $(wc -l < "$data/server.log") lines at LOG_LEVEL=error; the last 10:"
  tail -10 "$data/server.log"
else
  echo "server log: no errors"
fi
