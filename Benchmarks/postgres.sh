#!/usr/bin/env bash
# PostgreSQL benchmarks (README "Benchmarks"), every figure against SQLite measured in the same run:
#   1. the signed SMS webhook turn (same pre-signed requests and wrk as Benchmarks/sms-webhook.sh, each from a new
#      resident): SQLite, PostgreSQL with one `cityline serve`, and two instances sharing the database;
#   2. how the turn's cost grows with the database: PostgreSQL already holding 100,000 and 1,000,000 tickets (and two
#      messages per ticket), filled with SQL;
#   3. the outreach drain (jobs → rendered messages → outbox → outbox file) on SQLite and on PostgreSQL.
# Needs wrk and PostgreSQL (.ci/postgres-up starts a private server). Durable as in production: SQLite WAL with
# synchronous=FULL; PostgreSQL with fsync and synchronous_commit on.
# Usage: Benchmarks/postgres.sh [SECONDS] [NOTIFICATIONS]     defaults 15 and 100000
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
notifications=${2:-100000}
token=bench-token
public=https://311.bench.example
command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
eval "$(.ci/postgres-up)"
server_url=${CITYLINE_TEST_DATABASE_URL%%\?*}
swift build -c release --product cityline >/dev/null 2>&1
swift build -c release --product cityline-outreach-bench >/dev/null 2>&1
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# serve PORT [DATABASE_URL]: a release server on its own data directory.
serve() {
  local data="$work/data-$1"
  mkdir -p "$data"
  TWILIO_AUTH_TOKEN=$token CITYLINE_PUBLIC_URL=$public LOG_LEVEL=error CITYLINE_DATABASE_URL="${2:-}" \
    .build/release/cityline serve --port "$1" --smtp-port 0 --data-dir "$data" > "$data/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return; sleep 0.1; done
  echo "server on $1 did not start:" >&2; cat "$data/server.log" >&2; exit 1
}
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
# load PORT PREFIX CONNECTIONS: wrk replaying new residents' first messages; prints requests per second.
load() {
  python3 Benchmarks/signed-requests.py $((seconds * 3000)) $token $public "$2" > "$work/requests-$2.txt"
  REQUESTS_FILE="$work/requests-$2.txt" WRK_THREADS=1 wrk -t1 -c"$3" -d"${seconds}s" -s Benchmarks/sms-webhook.lua \
    "http://127.0.0.1:$1" | awk '/Requests\/sec/ {print $2}'
}
psql_run() { psql "$CITYLINE_TEST_DATABASE_URL" -qAt -v ON_ERROR_STOP=1 -c "$1"; }
ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }

echo "machine: $(nproc) cores, $(uname -m); $(psql_run 'SHOW server_version' | cut -d' ' -f1) PostgreSQL; wrk 1 thread, 64 connections"

serve 18401
sqlite=$(load 18401 A 64)
stop_all
echo "webhook turns/s   SQLite (baseline)                   $sqlite"

schema="bench_$(date +%s)"
serve 18402 "$server_url?sslmode=disable&schema=${schema}_one"
one=$(load 18402 B 64)
stop_all
echo "webhook turns/s   PostgreSQL, one instance            $one  ($(ratio "$one" "$sqlite") × SQLite)"

serve 18403 "$server_url?sslmode=disable&schema=${schema}_two"
serve 18404 "$server_url?sslmode=disable&schema=${schema}_two"
load 18403 C 32 > "$work/two-a" &
first=$!
load 18404 D 32 > "$work/two-b" &
second=$!
wait "$first" "$second"
two=$(python3 -c "print(round($(cat "$work/two-a") + $(cat "$work/two-b"), 2))")
stop_all
echo "webhook turns/s   PostgreSQL, two instances (sum)     $two  ($(ratio "$two" "$sqlite") × SQLite, $(ratio "$two" "$one") × one instance)"

for tickets in 100000 1000000; do
  big="${schema}_$tickets"
  serve 18405 "$server_url?sslmode=disable&schema=$big"
  stop_all
  start=$(date +%s.%N)
  # Tickets spread over the city, 95% closed; the open ones are of a service no report asks about, so the turn's
  # duplicate check reads the index but never one of these rows.
  psql_run "SET search_path = $big;
    INSERT INTO tickets (tracking_number, service_code, department, jurisdiction, status, reporter_channel, reporter_address, latitude,
        longitude, requested_at, updated_at, expected_at, closed_at, data, first_contact_at, locale, channel, reopened)
      SELECT 'B' || g, CASE WHEN g % 20 = 0 THEN 'bench_open' ELSE (ARRAY['pothole','graffiti','streetlight','trash'])[1 + g % 4] END,
        'streets', 'springfield', CASE WHEN g % 20 = 0 THEN 'open' ELSE 'closed' END, 'sms', '+1999' || g,
        39.70 + (g % 1000) * 0.0002, -89.72 + (g / 1000 % 1000) * 0.0002, 1.7e9 - g, 1.7e9 - g, 1.7e9 - g + 86400,
        CASE WHEN g % 20 = 0 THEN NULL ELSE 1.7e9 - g + 3600 END, '{}', 1.7e9 - g, 'en', 'sms', 0
      FROM generate_series(1, $tickets) g;
    INSERT INTO messages (direction, channel, address, external_id, data, created_at)
      SELECT CASE WHEN g % 2 = 0 THEN 'in' ELSE 'out' END, 'sms', '+1999' || (g / 2), CASE WHEN g % 2 = 0 THEN 'SMB' || g END, '{}', 1.7e9 - g
      FROM generate_series(1, 2 * $tickets) g;"
  psql_run "VACUUM ANALYZE $big.tickets"
  psql_run "VACUUM ANALYZE $big.messages"
  filled=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
  serve 18405 "$server_url?sslmode=disable&schema=$big"
  rate=$(load 18405 "E$tickets" 64)
  stop_all
  echo "webhook turns/s   PostgreSQL holding $(printf "%'d" "$tickets") tickets   $rate  ($(ratio "$rate" "$one") × empty; filled in ${filled} s)"
done

sqlite_drain=$(.build/release/cityline-outreach-bench --count "$notifications" | sed -n 's/^drained.* s: \([0-9]*\)\/s.*/\1/p')
pg_drain=$(.build/release/cityline-outreach-bench --count "$notifications" --database-url "$server_url?sslmode=disable&schema=${schema}_outreach" \
  | sed -n 's/^drained.* s: \([0-9]*\)\/s.*/\1/p')
echo "outreach drain/s  SQLite (baseline) $sqlite_drain; PostgreSQL $pg_drain ($(ratio "$pg_drain" "$sqlite_drain") × SQLite), $notifications notifications"
