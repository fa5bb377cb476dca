#!/usr/bin/env bash
# The test suite under ThreadSanitizer and AddressSanitizer (issue 20). Slow, so not part of every CI run.
#
#   Reliability/sanitizers.sh [thread|address|all] [--filter REGEX] [--skip REGEX]     (default: all)
#
# For each sanitizer: builds the package and its tests (`swift build --build-tests -c debug --sanitize=…`) into a
# scratch path of its own (.build-tsan, .build-asan). That builds the `cityline` executable sanitized too, next to
# the test bundle, where the tests that start it as a subprocess (CLITests, CrashTests, JobCrashTests, DoneWhenTests,
# WhereTests, MetricsTests, OpenAPIClientTests) find it (`CityLineBinary`). Then runs the swift-testing suite from
# that bundle (`CityLinePackageTests.xctest --testing-library swift-testing`); --filter and --skip go to it.
#
# Every sanitized process, the test runner and each `cityline` it starts, writes its reports into the run's log
# directory (`log_path`), so a report from a subprocess whose output a test reads or discards is not lost:
#   .build-tsan/sanitizer-logs/<time>/tsan.<pid>        .build-asan/sanitizer-logs/<time>/asan.<pid>
# with the runner's whole output in test.log next to them. Exit status 1 on any report or any failed test; the
# script names the files.
#
# Options (append your own in TSAN_OPTIONS, ASAN_OPTIONS, LSAN_OPTIONS: later ones win):
#   thread:  halt_on_error=0 (a run is long: it goes on and collects every report; each still fails the run),
#            second_deadlock_stack=1, suppressions=Reliability/tsan.supp.
#   address: detect_leaks=1 with suppressions=Reliability/lsan.supp (leaks of Foundation and of a test
#            dependency, and LeakSanitizer's blind spot, each with its reason), detect_stack_use_after_return=1,
#            handle_sigill=1 and SWIFT_BACKTRACE=enable=no (a Swift trap is reported by AddressSanitizer, with its
#            stack: the Swift backtracer's memory reader trips AddressSanitizer itself).
#
# The browser tests (ConsoleBrowserTests: Chromium driven by Selenium against the sanitized application, in the
# test process) run where Debian's chromium and chromium-driver and Python's selenium and axe-selenium-python are
# installed; elsewhere the suite skips them, saying so, and so does this script. The PostgreSQL suites run only
# when CITYLINE_TEST_DATABASE_URL names a server, as with `swift test`.
#
# The machine may be shared: builds and tests run under `nice -n 15` (SANITIZERS_NICE to change).
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

which=all
filter=()
while [ $# -gt 0 ]; do
    case "$1" in
        thread|address|all) which="$1" ;;
        --filter|--skip) [ $# -ge 2 ] || { echo "usage: $0 [thread|address|all] [--filter REGEX] [--skip REGEX]" >&2; exit 2; }
                         filter+=("$1" "$2"); shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [thread|address|all] [--filter REGEX] [--skip REGEX]" >&2; exit 2 ;;
    esac
    shift
done
sanitizers=(thread address)
[ "$which" != all ] && sanitizers=("$which")
niceness="${SANITIZERS_NICE:-15}"
# Reports name functions and lines when the toolchain's llvm-symbolizer is found (it sits next to swift).
symbolizer=""
swift_path="$(command -v swift || true)"
if [ -n "$swift_path" ] && [ -x "$(dirname "$(readlink -f "$swift_path")")/llvm-symbolizer" ]; then
    symbolizer="external_symbolizer_path=$(dirname "$(readlink -f "$swift_path")")/llvm-symbolizer"
fi

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && python3 -c "import selenium, axe_selenium_python" 2>/dev/null; then
    echo "== browser tests: run (Chromium and Selenium are installed)"
else
    echo "== browser tests: skipped by the suite (needs chromium, chromium-driver, selenium and axe-selenium-python)"
fi
if [ -n "${CITYLINE_TEST_DATABASE_URL:-}" ]; then
    echo "== PostgreSQL suites: run against CITYLINE_TEST_DATABASE_URL"
else
    echo "== PostgreSQL suites: skipped (CITYLINE_TEST_DATABASE_URL is not set)"
fi

status=0
summary=()
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        thread) scratch=.build-tsan; prefix=tsan ;;
        address) scratch=.build-asan; prefix=asan ;;
    esac
    started=$(date +%s)
    build=(swift build --build-tests -c debug --sanitize="$sanitizer" --scratch-path "$scratch")
    echo "== $sanitizer: building (${build[*]})"
    build_log="$scratch/build.log"
    mkdir -p "$scratch"
    nice -n "$niceness" "${build[@]}" >"$build_log" 2>&1
    code=$?
    # Only what matters from the build: errors and the result (not dependencies' warnings or the linker's notes).
    grep -E "error:|Build complete|Compiling.*failed" "$build_log" | grep -v "^warning:" | tail -20
    if [ $code -ne 0 ]; then
        echo "== $sanitizer: BUILD FAILED (log: $scratch/build.log)"
        summary+=("$sanitizer: build failed (log: $scratch/build.log)")
        status=1
        continue
    fi
    bin="$(nice -n "$niceness" "${build[@]}" --show-bin-path 2>/dev/null)"
    bundle="$bin/CityLinePackageTests.xctest"
    if [ ! -x "$bundle" ] || [ ! -x "$bin/cityline" ]; then
        echo "== $sanitizer: $bundle or $bin/cityline missing after the build"
        summary+=("$sanitizer: test bundle or cityline missing")
        status=1
        continue
    fi
    built=$(date +%s)

    logs="$root/$scratch/sanitizer-logs/$(date +%Y%m%d-%H%M%S)"
    mkdir -p "$logs"
    case "$sanitizer" in
        thread)
            export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 suppressions=$root/Reliability/tsan.supp log_path=$logs/tsan $symbolizer ${TSAN_OPTIONS:-}"
            ;;
        address)
            export ASAN_OPTIONS="detect_leaks=1 detect_stack_use_after_return=1 handle_sigill=1 log_path=$logs/asan $symbolizer ${ASAN_OPTIONS:-}"
            # A Swift runtime trap (fatal error, precondition) is reported by AddressSanitizer itself (SIGILL, with
            # its stack, in the log directory): the Swift backtracer's memory reader trips AddressSanitizer
            # (CrashHandlerLinux.cpp memserver_read) and would hide the real failure behind its own report.
            export SWIFT_BACKTRACE="enable=no"
            export LSAN_OPTIONS="suppressions=$root/Reliability/lsan.supp print_suppressions=0 ${LSAN_OPTIONS:-}"
            ;;
    esac
    echo "== $sanitizer: running the tests (${filter[*]:-all}); reports go to ${logs#"$root"/}"
    # The runner's own output is kept whole in test.log; the terminal gets the failures, skips and the totals.
    nice -n "$niceness" "$bundle" --testing-library swift-testing "${filter[@]}" >"$logs/test.log" 2>&1
    code=$?
    finished=$(date +%s)
    grep -E "^(✘|➜)|Test run with|Fatal error|Precondition failed" "$logs/test.log" | tail -40

    reports=()
    for report in "$logs/$prefix".*; do [ -s "$report" ] && reports+=("$report"); done
    # A process that could not open the log directory writes to its standard error instead.
    stray=$(grep -cE "^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: (Address|Leak)Sanitizer)" "$logs/test.log")
    totals=$(grep -E "Test run with" "$logs/test.log" | tail -1 | sed -E 's/^[^T]*//; s/\.$//')
    line="$sanitizer: ${totals:-no test totals (the runner stopped: exit $code)}; build $((built - started)) s, tests $((finished - built)) s"
    if [ ${#reports[@]} -gt 0 ] || [ "$stray" -gt 0 ]; then
        status=1
        line="$line — $(( ${#reports[@]} + stray )) SANITIZER REPORT(S) in ${logs#"$root"/}"
        for report in "${reports[@]}"; do
            echo "-- ${report#"$root"/}:"
            grep -E "^SUMMARY:|^WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer" "$report" | sort | uniq -c | head -10
        done
        [ "$stray" -gt 0 ] && echo "-- ${logs#"$root"/}/test.log: $stray report(s) in the runner's output"
    else
        line="$line — no sanitizer report"
    fi
    if [ $code -ne 0 ]; then
        status=1
        line="$line — TESTS FAILED (exit $code; output: ${logs#"$root"/}/test.log)"
    fi
    echo "== $line"
    summary+=("$line")
done
echo "== summary"
printf '   %s\n' "${summary[@]}"
exit $status
