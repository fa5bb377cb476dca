#!/usr/bin/env bash
# Engine benchmark (see README "Benchmarks"): whole dialogs in the five launch languages through Engine.handle,
# in-process on one thread (Benchmarks/Engine/EngineBench.swift). With a git revision as the first argument, the
# same benchmark is also built from that revision (in a temporary worktree) and both run in turns, so the ratio
# is measured in one run on one machine. Usage: Benchmarks/engine.sh [BASE_REVISION] [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-}
seconds=${2:-5}
rounds=${3:-3}
root=$(pwd)
swift build -c release --product cityline-engine-bench >/dev/null 2>&1
current=.build/release/cityline-engine-bench

if [ -n "$base" ]; then
  tree=$(mktemp -d)
  trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"' EXIT
  git worktree add --detach "$tree" "$base" >/dev/null 2>&1
  if ! grep -q cityline-engine-bench "$tree/Package.swift"; then
    # The revision predates the benchmark: give it the same benchmark file and target.
    mkdir -p "$tree/Benchmarks/Engine"
    cp Benchmarks/Engine/EngineBench.swift "$tree/Benchmarks/Engine/"
    python3 - "$tree/Package.swift" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
target = '''        .executableTarget(
            name: "cityline-engine-bench",
            dependencies: ["CityModel", "Conversation", "CityConfig", "Localization"],
            path: "Benchmarks/Engine",
            swiftSettings: strict
        ),
'''
marker = "        .testTarget("
text = text.replace(marker, target + marker, 1)
open(path, "w").write(text)
EOF
  fi
  (cd "$tree" && swift build -c release --product cityline-engine-bench --scratch-path "$root/.build-base" >/dev/null 2>&1)
  baseline="$root/.build-base/release/cityline-engine-bench"
fi

echo "machine: $(nproc) cores, $(uname -m); one thread; ${seconds} s per run, ${rounds} rounds"
for round in $(seq "$rounds"); do
  echo "round $round: current $($current --root "$root" --seconds "$seconds")"
  if [ -n "$base" ]; then
    # The baseline reads its own revision's city and locales.
    echo "round $round: $base $($baseline --root "$tree" --seconds "$seconds")"
  fi
done
