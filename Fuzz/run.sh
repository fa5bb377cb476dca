#!/usr/bin/env bash
# Builds CityLine's fuzz targets with libFuzzer and AddressSanitizer and runs each for a while.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]     (default: 60 seconds, every target)
#   FUZZ_CONFIGURATION=debug Fuzz/run.sh 10         the smoke run .ci/run makes (a debug build: minutes less to
#                                                   build, fewer executions a second; the long runs use release)
#   FUZZ_RUNS=10000000 Fuzz/run.sh 0 [TARGET…]       each target until it has run 10 million inputs (0 seconds: no
#                                                   time limit; with both, whichever comes first stops it)
#
# Each target starts from its seed corpus (Fuzz/Corpus/<target>, read only) and keeps what it finds in
# .build-fuzz/corpus/<target>, so a later run goes on from there. A crash, a leak, a hang (a single input over
# FUZZ_TIMEOUT seconds, default 10) or memory over FUZZ_RSS_MB (default 2048) stops the target, leaves the input in
# .build-fuzz/findings/<target>/ and makes the script exit 1 once every target has run. FUZZ_JOBS is not used:
# one process per target, one after another (the machine is shared). FUZZ_MAX_LEN (default 65536) caps an input's
# size: libFuzzer's own default is 4096, and a corpus that grows toward large inputs runs fewer a second.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
all=(twilio-webhook whatsapp-webhook telegram-webhook form-body inbound-email smtp-commands chat-frame open311-post
     city-yaml geo-data history-import geocoder)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
timeout_s="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
max_len="${FUZZ_MAX_LEN:-65536}"
scratch=.build-fuzz
configuration="${FUZZ_CONFIGURATION:-release}"

build=(swift build -c "$configuration" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address)
echo "== building ($configuration): ${targets[*]}"
# SwiftPM builds one --product per call (the last one named): every product at once when all are asked for, else
# one call each. Only what matters from the build is shown: errors, our own warnings, the result.
if [ ${#targets[@]} -eq ${#all[@]} ]; then products=(""); else products=("${targets[@]}"); fi
for product in "${products[@]}"; do
    "${build[@]}" ${product:+--product "$product"} 2>&1 | grep -E "error|warning: |Build complete" |
        grep -vE "ld.gold: warning: Cannot export|swift-distributed-tracing" || true
done
bin="$("${build[@]}" --show-bin-path 2>/dev/null)"

status=0
summary=()
for target in "${targets[@]}"; do
    [ -x "$bin/$target" ] || { echo "== $target: not built"; status=1; summary+=("$target: NOT BUILT"); continue; }
    corpus="$scratch/corpus/$target"
    # Not "artifacts": SwiftPM owns that folder of a scratch path, and it was found emptied after rebuilds.
    artifacts="$scratch/findings/$target"
    mkdir -p "$corpus" "$artifacts"
    log="$scratch/logs/$target.log"
    mkdir -p "$(dirname "$log")"
    runs_limit=()
    [ -n "${FUZZ_RUNS:-}" ] && runs_limit=(-runs="$FUZZ_RUNS")
    started=$(date +%s)
    echo "== $target: ${seconds}s${FUZZ_RUNS:+, at most $FUZZ_RUNS inputs}"
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$bin/$target" "$corpus" "Corpus/$target" \
        -max_total_time="$seconds" "${runs_limit[@]}" -rss_limit_mb="$rss_mb" -timeout="$timeout_s" -max_len="$max_len" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
    code=$?
    runs=$(grep -Eo "stat::number_of_executed_units: *[0-9]+" "$log" | grep -Eo "[0-9]+$" | tail -1)
    speed=$(grep -Eo "stat::average_exec_per_sec: *[0-9]+" "$log" | grep -Eo "[0-9]+$" | tail -1)
    line="$target: ${runs:-?} executions, ${speed:-?} exec/s, $(( $(date +%s) - started )) s"
    # 72 is libFuzzer's exit when it is stopped with SIGINT (-interrupted_exitcode): the way a long run is ended on
    # purpose, with its final stats written. Not a finding; the last "slow unit" is not the cause.
    if [ $code -eq 72 ] && grep -q "libFuzzer: run interrupted" "$log" &&
        ! grep -qE "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|deadly signal" "$log"; then
        line="$line — stopped by SIGINT, no finding"
    elif [ $code -ne 0 ]; then
        status=1
        problem=$(grep -Em1 "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|Fatal error|Precondition failed|deadly signal|timeout" "$log" || echo "exit $code")
        line="$line — FAILED: $problem (input: $(ls -t "$artifacts" | head -1); log: Fuzz/$log)"
        grep -E "Fatal error|Precondition|ERROR:|#[0-9]+ 0x" "$log" | head -20
    fi
    echo "   $line"
    summary+=("$line")
done
echo "== summary (${seconds}s per target)"
printf '   %s\n' "${summary[@]}"
exit $status
