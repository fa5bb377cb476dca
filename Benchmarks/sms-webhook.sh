#!/usr/bin/env bash
# SMS webhook benchmark: a release `cityline serve` on a fresh SQLite database, signed Twilio webhooks from
# new residents through the full turn, GET /health probed in the same run. Usage: Benchmarks/sms-webhook.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product cityline >/dev/null
swift build -c release --product cityline-bench >/dev/null
data=$(mktemp -d)
port=${PORT:-18311}
TWILIO_AUTH_TOKEN=bench-token CITYLINE_PUBLIC_URL=https://311.bench.example LOG_LEVEL=error \
  .build/release/cityline serve --port "$port" --data-dir "$data" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(uname -m); database: SQLite WAL synchronous=FULL in $data"
.build/release/cityline-bench --url "http://127.0.0.1:$port" "$@"
echo "rows committed: $(sqlite3 "$data/cityline.sqlite" "SELECT COUNT(*) FROM messages WHERE direction = 'in'" 2>/dev/null || echo '(sqlite3 not installed)') inbound messages"
