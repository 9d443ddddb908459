#!/usr/bin/env bash
# Instructions per call under callgrind (they repeat exactly, unlike CPU time on a shared
# machine): each consumer built by `bench/run.sh` makes N1 and then N2 sequential calls to the
# local bench server; (instructions(N2) - instructions(N1)) / (N2 - N1) is the cost of one
# call with process start-up and tokio set-up subtracted.
#
#   bash bench/callgrind.sh            # after bench/run.sh (uses its release builds)
#
# Environment: BENCH_TARGET_DIR as for run.sh; CALLGRIND_N1 / CALLGRIND_N2 (default 50 / 250).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
T="${BENCH_TARGET_DIR:-$BENCH/target}"
N1="${CALLGRIND_N1:-50}"
N2="${CALLGRIND_N2:-250}"
LOGS="$T/logs"
mkdir -p "$LOGS"

command -v valgrind > /dev/null || {
    echo "callgrind.sh: valgrind is missing (apt-get install valgrind)" >&2
    exit 1
}
for bin in "$T/server/release/bench-server" "$T/anvil-release/release/anvil-consumer" \
    "$T/anchor-release/release/anchor-consumer"; do
    [ -x "$bin" ] || {
        echo "callgrind.sh: $bin is missing: run bench/run.sh first" >&2
        exit 1
    }
done

"$T/server/release/bench-server" --lifetime 1800 > "$LOGS/cg-server.out" 2> "$LOGS/cg-server.err" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2> /dev/null || true' EXIT
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^PORT //p' "$LOGS/cg-server.out")
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || {
    echo "callgrind.sh: the server did not start" >&2
    exit 1
}

# Total instructions (Ir) of one run of `$1 bench` with `$2` calls.
instructions() {
    local out="$LOGS/callgrind.$(basename "$1").$2"
    valgrind --tool=callgrind --callgrind-out-file="$out" -q \
        "$1" bench --endpoint "http://127.0.0.1:$PORT" --calls "$2" --concurrency 1 > /dev/null
    callgrind_annotate "$out" > "$out.txt" 2> /dev/null || true
    awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$out.txt"
}

for side in anvil anchor; do
    bin="$T/$side-release/release/$side-consumer"
    a=$(instructions "$bin" "$N1")
    b=$(instructions "$bin" "$N2")
    per=$(( (b - a) / (N2 - N1) ))
    echo "$side: $N1 calls $a Ir, $N2 calls $b Ir, per call $per Ir"
done
