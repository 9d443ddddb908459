#!/usr/bin/env bash
# The scale row of the benchmark kit: the crate anvil generates from the official IoT model
# (272 operations) against the published aws-sdk-iot, debug, each crate compiled alone (its
# dependencies already built): wall time and peak memory of that compile, best of RUNS.
#
#   bash bench/scale.sh        # after building anvil's CLI: cargo build --release -p anvil-codegen
#
# Environment: BENCH_TARGET_DIR as for run.sh; SCALE_RUNS (default 2).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
T="${BENCH_TARGET_DIR:-$BENCH/target}"
RUNS="${SCALE_RUNS:-2}"
MODEL="$(cd "$ROOT/.." && pwd)/shared/aws-models/iot-2015-05-28.json"
ANVIL="$ROOT/target/release/anvil"
LOGS="$T/logs"
mkdir -p "$LOGS"
[ -x "$ANVIL" ] || (cd "$ROOT" && cargo build --release -q -p anvil-codegen --bin anvil)

GEN="$T/scale-anvil-crate"
rm -rf "$GEN"
"$ANVIL" generate --out "$GEN" "$MODEL" > "$LOGS/scale-generate.txt" 2>&1
lines=$(cat "$GEN"/src/*.rs | wc -l)

# Seconds and peak MiB of one `cargo build` in $1 with target dir $2 (after `$3`).
timed_build() {
    local dir=$1 target=$2 prepare=$3 log="$LOGS/scale-$(basename "$1").time"
    (cd "$dir" && eval "$prepare")
    (cd "$dir" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$target" /usr/bin/time -v -o "$log" cargo build -q > /dev/null 2>&1)
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $NF }' "$log" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    echo "$wall $((rss / 1024))"
}

best() { # dir target prepare -> "wall rss" of the fastest of RUNS builds
    local w r bw="" br=""
    for _ in $(seq 1 "$RUNS"); do
        read -r w r < <(timed_build "$1" "$2" "$3")
        if [ -z "$bw" ] || awk "BEGIN { exit !($w < $bw) }"; then
            bw=$w
            br=$r
        fi
    done
    echo "$bw $br"
}

# Dependencies first (not timed).
(cd "$GEN" && CARGO_TARGET_DIR="$T/scale-anvil" cargo build -q > /dev/null 2>&1)
(cd "$BENCH/scale-anchor" && CARGO_TARGET_DIR="$T/scale-anchor" cargo build -q --locked > /dev/null 2>&1)

read -r anvil_wall anvil_rss < <(best "$GEN" "$T/scale-anvil" "touch src/*.rs")
read -r anchor_wall anchor_rss < <(best "$BENCH/scale-anchor" "$T/scale-anchor" \
    "CARGO_TARGET_DIR=$T/scale-anchor cargo clean -q -p aws-sdk-iot")
version=$(sed -n '/name = "aws-sdk-iot"/{n;s/version = "\(.*\)"/\1/p}' "$BENCH/scale-anchor/Cargo.lock")
echo "IoT (272 operations), debug, crate alone: anvil ${anvil_wall} s / ${anvil_rss} MiB ($lines generated lines), aws-sdk-iot $version ${anchor_wall} s / ${anchor_rss} MiB; ratios $(awk "BEGIN { printf \"%.3f\", $anvil_wall / $anchor_wall }") (time), $(awk "BEGIN { printf \"%.3f\", $anvil_rss / $anchor_rss }") (memory)"
