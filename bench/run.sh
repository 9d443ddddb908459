#!/usr/bin/env bash
# The benchmark kit: anvil against the anchor (the published aws-sdk-workspacesweb with
# aws-config and tokio, versions pinned by bench/anchor-consumer/Cargo.lock), every figure in
# one run. Prints a table and writes bench/results/latest.md. See BENCHMARKS.md.
#
#   bash bench/run.sh            # the full kit (run it on a quiet machine)
#   bash bench/run.sh --quick    # a trial: fewer calls and runs, no release builds
#
# Environment: BENCH_TARGET_DIR (default bench/target) holds every build of the kit;
# BENCH_CALLS, BENCH_VALIDATE_ITERATIONS and BENCH_GEN_RUNS override the counts.
set -euo pipefail

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help)
            sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "run.sh: unknown argument $arg (use --quick or --help)" >&2
            exit 2
            ;;
    esac
done

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
T="${BENCH_TARGET_DIR:-$BENCH/target}"
LOGS="$T/logs"
RESULTS="$BENCH/results"
OUT="$RESULTS/latest.md"
MODELS="$(cd "$ROOT/.." && pwd)/shared/aws-models"

if [ "$QUICK" = 1 ]; then
    CALLS="${BENCH_CALLS:-500}"
    VALIDATE_ITERATIONS="${BENCH_VALIDATE_ITERATIONS:-20000}"
    GEN_RUNS="${BENCH_GEN_RUNS:-3}"
    PROFILES="debug"
    KIND="QUICK TRIAL: --quick, ${CALLS} calls, debug builds only; not the kit's figures"
else
    CALLS="${BENCH_CALLS:-5000}"
    VALIDATE_ITERATIONS="${BENCH_VALIDATE_ITERATIONS:-200000}"
    GEN_RUNS="${BENCH_GEN_RUNS:-9}"
    PROFILES="debug release"
    KIND="full run"
fi

# ---------------------------------------------------------------------------------------
# Tools
missing=0
need() {
    if ! command -v "$1" > /dev/null 2>&1; then
        echo "run.sh: missing $1 — $2" >&2
        missing=1
    fi
}
need cargo "install Rust (https://rustup.rs)"
need rustc "install Rust (https://rustup.rs)"
need strip "apt-get install binutils"
need awk "apt-get install gawk"
if [ ! -x /usr/bin/time ]; then
    echo "run.sh: missing /usr/bin/time (GNU time, for wall/CPU/peak memory of builds) — apt-get install time" >&2
    missing=1
fi
[ -d "$MODELS" ] || {
    echo "run.sh: the official models are not at $MODELS" >&2
    missing=1
}
[ "$missing" = 0 ] || exit 1
if [ "$(getconf CLK_TCK 2> /dev/null || echo 100)" != 100 ]; then
    echo "run.sh: warning: CLK_TCK is not 100; the consumers' CPU figures assume USER_HZ=100" >&2
fi

mkdir -p "$LOGS" "$RESULTS"
RAW="$LOGS/raw.txt"
: > "$RAW"
LOADS="$LOGS/loads.txt"
: > "$LOADS"

say() { printf '\n== %s\n' "$*" >&2; }
raw() { echo "$*" >> "$RAW"; }
load_mark() { echo "$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg) before: $*" >> "$LOADS"; }
# Value of key=value in a RESULT line.
field() { tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p" | head -n 1; }
# Floating-point arithmetic.
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
# "1:02:03.45" or "1:14.52" (from /usr/bin/time) to seconds.
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<< "$1"; }

# ---------------------------------------------------------------------------------------
say "machine"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "nproc: $(nproc)"
    echo "uname: $(uname -a)"
    echo "rustc: $(rustc --version)"
    echo "cargo: $(cargo --version)"
    echo "memory: $(free -m | awk '/^Mem:/ { print $2 " MiB total, " $7 " MiB available" }')"
    echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "anvil commit: $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- codegen runtime 2> /dev/null || echo ' (codegen/runtime modified)')"
    echo "mode: $KIND"
} | tee "$LOGS/machine.txt" >&2

say "fetching pinned dependencies (not timed)"
for crate in anchor-consumer anvil-consumer server gen-timing; do
    (cd "$BENCH/$crate" && cargo fetch --locked -q)
done

say "building the server and gen-timing (release, not timed)"
load_mark "helpers build"
(cd "$BENCH/server" && CARGO_TARGET_DIR="$T/server" cargo build --release --locked -q)
(cd "$BENCH/gen-timing" && CARGO_TARGET_DIR="$T/gen" cargo build --release --locked -q)

# ---------------------------------------------------------------------------------------
# (1) Clean builds of the consumers: wall, CPU, peak RSS, crates compiled.
clean_build() { # side profile
    local side=$1 profile=$2 dir="$T/$1-$2" log="$LOGS/build-$1-$2"
    local flag=()
    [ "$profile" = release ] && flag=(--release)
    say "clean $profile build of $side-consumer"
    (cd "$BENCH/$side-consumer" && CARGO_TARGET_DIR="$dir" cargo clean -q)
    load_mark "clean $profile build $side"
    (cd "$BENCH/$side-consumer" && CARGO_TARGET_DIR="$dir" /usr/bin/time -v -o "$log.time" \
        cargo build --locked "${flag[@]}" > "$log.out" 2>&1) || {
        echo "run.sh: the build failed; see $log.out" >&2
        tail -n 30 "$log.out" >&2
        exit 1
    }
    local wall user sys rss crates
    wall=$(to_seconds "$(awk -F': ' '/Elapsed \(wall clock\)/ { print $NF }' "$log.time")")
    user=$(sed -n 's/.*User time (seconds): //p' "$log.time")
    sys=$(sed -n 's/.*System time (seconds): //p' "$log.time")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log.time")
    crates=$(grep -cE '^ *Compiling ' "$log.out" || true)
    raw "build side=$side profile=$profile wall_s=$wall cpu_s=$(calc "$user + $sys" 2) peak_rss_mb=$(calc "$rss / 1024" 0) crates=$crates"
    eval "BUILD_${side}_${profile}_WALL=$wall"
    eval "BUILD_${side}_${profile}_CPU=$(calc "$user + $sys" 2)"
    eval "BUILD_${side}_${profile}_RSS=$(calc "$rss / 1024" 0)"
    eval "BUILD_${side}_${profile}_CRATES=$crates"
}
for profile in $PROFILES; do
    clean_build anvil "$profile"
    clean_build anchor "$profile"
done

# ---------------------------------------------------------------------------------------
# (2) The service crate alone: `cargo clean -p` it, rebuild with --timings (all other
# dependencies already built) and read its unit's duration from the timing report.
unit_time() { # html name target -> seconds of the first unit with that name and exact
    # target ("" = the library, " build-script" = compiling the build script, " build-script
    # (run)" = running it), from the pretty-printed UNIT_DATA of cargo's timing report.
    awk -v want_name="$2" -v want_target="$3" '
        /^const UNIT_DATA = \[/ { on = 1; next }
        on && /^\];/ { exit }
        !on { next }
        /^    "name": / { line = $0; sub(/^    "name": "/, "", line); sub(/",$/, "", line); name = line }
        /^    "target": / { line = $0; sub(/^    "target": "/, "", line); sub(/",$/, "", line); gsub(/\\"/, "\"", line); target = line }
        /^    "duration": / { line = $0; sub(/^    "duration": /, "", line); sub(/,$/, "", line)
            if (name == want_name && target == want_target) { print line; exit } }
    ' "$1"
}
crate_alone() { # side profile features label
    local side=$1 profile=$2 features=$3 label=$4 dir="$T/$1-$2"
    local flag=() pkg html log="$LOGS/alone-$4-$2"
    [ "$profile" = release ] && flag=(--release)
    [ -n "$features" ] && flag+=(--features "$features")
    pkg=anvil-consumer
    [ "$side" = anchor ] && pkg=aws-sdk-workspacesweb
    say "$label: $pkg alone ($profile)"
    (cd "$BENCH/$side-consumer" && CARGO_TARGET_DIR="$dir" cargo clean -q -p "$pkg" $([ "$profile" = release ] && echo --release))
    rm -rf "$dir/cargo-timings"
    load_mark "$label crate alone $profile"
    (cd "$BENCH/$side-consumer" && CARGO_TARGET_DIR="$dir" cargo build --locked --timings "${flag[@]}" > "$log.out" 2>&1) || {
        tail -n 30 "$log.out" >&2
        exit 1
    }
    html=$(ls -t "$dir"/cargo-timings/cargo-timing-*.html 2> /dev/null | head -n 1)
    [ -n "$html" ] || html="$dir/cargo-timings/cargo-timing.html"
    cp "$html" "$LOGS/timing-$label-$profile.html"
    if [ "$side" = anchor ]; then
        local t
        t=$(unit_time "$html" aws-sdk-workspacesweb "")
        raw "alone side=anchor profile=$profile crate_s=$t"
        eval "ALONE_anchor_${profile}=$t"
    else
        local lib script run
        lib=$(unit_time "$html" anvil-consumer "")
        script=$(unit_time "$html" anvil-consumer " build-script")
        run=$(unit_time "$html" anvil-consumer " build-script (run)")
        raw "alone side=$label profile=$profile crate_s=$lib build_script_compile_s=${script:-0} build_script_run_s=${run:-0}"
        eval "ALONE_${label//-/_}_${profile}=$lib"
        eval "ALONE_${label//-/_}_${profile}_RUN=${run:-0}"
        eval "ALONE_${label//-/_}_${profile}_SCRIPT=${script:-0}"
    fi
}
for profile in $PROFILES; do
    crate_alone anchor "$profile" "" anchor
    crate_alone anvil "$profile" one-op anvil-one-op
    # Last, so the consumer is left built without the feature (what the other steps run).
    crate_alone anvil "$profile" "" anvil
done

# ---------------------------------------------------------------------------------------
# (3) Stripped binary size (release; debug in --quick).
SIZE_PROFILE=release
[ "$QUICK" = 1 ] && SIZE_PROFILE=debug
for side in anvil anchor; do
    bin="$T/$side-$SIZE_PROFILE/$SIZE_PROFILE/$side-consumer"
    cp "$bin" "$LOGS/$side-consumer.stripped"
    strip "$LOGS/$side-consumer.stripped"
    size=$(stat -c %s "$LOGS/$side-consumer.stripped")
    raw "size side=$side profile=$SIZE_PROFILE unstripped_bytes=$(stat -c %s "$bin") stripped_bytes=$size"
    eval "SIZE_$side=$size"
done

# ---------------------------------------------------------------------------------------
# (4) CPU per call against the same local server.
say "starting the local server"
SERVER_OUT="$LOGS/server.out"
"$T/server/release/bench-server" --lifetime 1800 > "$SERVER_OUT" 2> "$LOGS/server.err" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2> /dev/null || true' EXIT
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^PORT //p' "$SERVER_OUT")
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || {
    echo "run.sh: the server did not start" >&2
    exit 1
}
ENDPOINT="http://127.0.0.1:$PORT"
CALL_PROFILE=release
[ "$QUICK" = 1 ] && CALL_PROFILE=debug
for side in anvil anchor; do
    bin="$T/$side-$CALL_PROFILE/$CALL_PROFILE/$side-consumer"
    say "$side-consumer: one call with endpoint, region and credentials from the environment"
    AWS_ENDPOINT_URL="$ENDPOINT" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
        AWS_SECRET_ACCESS_KEY=example-secret-key AWS_CONFIG_FILE=/dev/null \
        AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true "$bin" once >&2
    for conc in 1 64; do
        say "$side-consumer: $CALLS calls, concurrency $conc"
        load_mark "$side calls concurrency $conc"
        line=$("$bin" bench --endpoint "$ENDPOINT" --calls "$CALLS" --concurrency "$conc" | grep '^RESULT')
        echo "$line" >&2
        raw "calls side=$side profile=$CALL_PROFILE ${line#RESULT mode=bench }"
        eval "CPU_${side}_${conc}=$(field "$line" cpu_us_per_call)"
        eval "WALL_${side}_${conc}=$(field "$line" wall_us_per_call)"
    done
done
kill "$SERVER_PID" 2> /dev/null || true
trap - EXIT

# ---------------------------------------------------------------------------------------
# (6) Validation of the maximal input.
say "validation of the maximal CreateIdentityProvider input"
bin="$T/anvil-$CALL_PROFILE/$CALL_PROFILE/anvil-consumer"
load_mark "validate"
line=$("$bin" validate --iterations "$VALIDATE_ITERATIONS" | grep '^RESULT')
echo "$line" >&2
raw "validate profile=$CALL_PROFILE detail_len=256 ${line#RESULT mode=validate }"
VALIDATE_NS=$(field "$line" median_ns)
line=$("$bin" validate --iterations "$(((VALIDATE_ITERATIONS / 200) + 50))" --detail-len 131072 | grep '^RESULT')
echo "$line" >&2
raw "validate profile=$CALL_PROFILE detail_len=131072 ${line#RESULT mode=validate }"
VALIDATE_HUGE_NS=$(field "$line" median_ns)

# ---------------------------------------------------------------------------------------
# (5) Generation time per model (release-built generator) and the JSON parse floor.
say "generation time per model ($GEN_RUNS runs each)"
load_mark "gen-timing"
"$T/gen/release/gen-timing" --models "$MODELS" --runs "$GEN_RUNS" > "$LOGS/gen.out" || {
    echo "run.sh: warning: gen-timing reported a failure (see $LOGS/gen.out)" >&2
}
grep '^RESULT' "$LOGS/gen.out" | sed 's/^RESULT /gen /' >> "$RAW"
ws_line=$(grep 'model=workspaces-web' "$LOGS/gen.out" || true)
GEN_WS=$(field "$ws_line" generate_ms)
PARSE_WS=$(field "$ws_line" parse_ms)
GEN_WS_RAW=$(field "$ws_line" generate_raw_ms)

# ---------------------------------------------------------------------------------------
# The table.
ROWS=()
# row figure ours anchor target-ratio|target-abs unit
row() { # figure ours anchor kind target
    local figure=$1 ours=$2 anchor=$3 kind=$4 target=$5 ratio="" met=""
    if [ -z "$ours" ] || { [ "$kind" = ratio ] && [ -z "$anchor" ]; }; then
        ROWS+=("$figure|${ours:-n/a}|${anchor:-n/a}|n/a|$target|not measured")
        return
    fi
    if [ "$kind" = ratio ] || [ "$kind" = info-ratio ]; then
        ratio=$(calc "$ours / $anchor" 3)
        if [ "$kind" = ratio ]; then
            met=$(awk "BEGIN { print ($ratio <= $target) ? \"yes\" : \"NO\" }")
            target="≤ $(calc "$target" 3)"
        else
            met="—"
        fi
    elif [ "$kind" = trial ] || [ "$kind" = trial-abs ]; then
        # --quick: debug builds, so the target (for release builds) is shown, not judged.
        ratio="—"
        [ "$kind" = trial ] && ratio=$(calc "$ours / $anchor" 3)
        target="≤ $target (judged in full run)"
        met="—"
    elif [ "$kind" = abs ]; then
        ratio="—"
        met=$(awk "BEGIN { print ($ours <= $target) ? \"yes\" : \"NO\" }")
        target="≤ $target"
    else
        ratio="—"
        met="—"
    fi
    ROWS+=("$figure|$ours|${anchor:-—}|$ratio|$target|$met")
}
mb() { [ -n "${1:-}" ] && calc "$1 / 1000000" 2; }
v() { eval "echo \${$1:-}"; }

for profile in $PROFILES; do
    target=0.3333
    [ "$profile" = release ] && target=0.25
    row "consumer clean build, $profile: wall s" "$(v BUILD_anvil_${profile}_WALL)" "$(v BUILD_anchor_${profile}_WALL)" ratio "$target"
    row "consumer clean build, $profile: CPU s (user+sys)" "$(v BUILD_anvil_${profile}_CPU)" "$(v BUILD_anchor_${profile}_CPU)" info-ratio "—"
    row "consumer clean build, $profile: peak RSS MB (largest process)" "$(v BUILD_anvil_${profile}_RSS)" "$(v BUILD_anchor_${profile}_RSS)" info-ratio "—"
    row "consumer clean build, $profile: crates compiled" "$(v BUILD_anvil_${profile}_CRATES)" "$(v BUILD_anchor_${profile}_CRATES)" info-ratio "—"
done
for profile in $PROFILES; do
    anchor_alone=$(v ALONE_anchor_${profile})
    row "full WorkSpaces Web crate alone, $profile: rustc s" "$(v ALONE_anvil_${profile})" "$anchor_alone" ratio 0.3333
    gen_total=""
    [ -n "$(v ALONE_anvil_${profile})" ] && gen_total=$(calc "$(v ALONE_anvil_${profile}) + $(v ALONE_anvil_${profile}_RUN)" 2)
    row "full WorkSpaces Web crate alone, $profile: rustc + generation (build script run) s" "$gen_total" "$anchor_alone" ratio 0.3333
    row "  of which build script run (generation, unoptimized build-dep) s" "$(v ALONE_anvil_${profile}_RUN)" "" info "—"
    row "  build script compile s (once per clean build)" "$(v ALONE_anvil_${profile}_SCRIPT)" "" info "—"
    row "one-op (.operations([CreateIdentityProvider])) crate, $profile: rustc s" "$(v ALONE_anvil_one_op_${profile})" "$anchor_alone" info-ratio "—"
    row "  one-op build script run s" "$(v ALONE_anvil_one_op_${profile}_RUN)" "" info "—"
done
row "stripped consumer binary ($SIZE_PROFILE): MB" "$(mb "$SIZE_anvil")" "$(mb "$SIZE_anchor")" "$([ "$QUICK" = 1 ] && echo trial || echo ratio)" 0.25
row "CPU per call, sequential ($CALL_PROFILE, $CALLS calls): µs" "$(v CPU_anvil_1)" "$(v CPU_anchor_1)" "$([ "$QUICK" = 1 ] && echo trial || echo ratio)" 0.5
row "CPU per call, 64 concurrent ($CALL_PROFILE): µs" "$(v CPU_anvil_64)" "$(v CPU_anchor_64)" info-ratio "—"
row "wall per call, sequential: µs" "$(v WALL_anvil_1)" "$(v WALL_anchor_1)" info-ratio "—"
row "wall per call, 64 concurrent: µs" "$(v WALL_anvil_64)" "$(v WALL_anchor_64)" info-ratio "—"
row "generate full WorkSpaces Web model (release generator): ms" "$GEN_WS" "" abs 100
row "  same, unformatted (Config::pretty(false)): ms" "$GEN_WS_RAW" "" info "—"
row "  parse its JSON only (serde_json::Value, the floor): ms" "$PARSE_WS" "" info "—"
row "validate maximal input ($CALL_PROFILE, median): µs" "$(calc "${VALIDATE_NS:-0} / 1000" 2)" "" "$([ "$QUICK" = 1 ] && echo trial-abs || echo abs)" 20
row "  same with 20 details at 131,072 chars (extreme): µs" "$(calc "${VALIDATE_HUGE_NS:-0} / 1000" 1)" "" info "—"

{
    echo "| figure | ours (anvil) | anchor (AWS SDK) | ratio | target | met? |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
    for r in "${ROWS[@]}"; do
        echo "| ${r//|/ | } |"
    done
} > "$LOGS/table.md"

{
    echo "| model | operations | JSON bytes | parse ms (floor) | generate ms | unformatted ms | generate / parse | generated lines |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    while read -r line; do
        m=$(field "$line" model)
        if [ -n "$(field "$line" error)" ]; then
            echo "| $m | | | | failed: $(field "$line" error) | | | |"
            continue
        fi
        p=$(field "$line" parse_ms)
        g=$(field "$line" generate_ms)
        echo "| $m | $(field "$line" operations) | $(field "$line" bytes) | $p | $g | $(field "$line" generate_raw_ms) | $(calc "$g / $p" 1) | $(field "$line" generated_lines) |"
    done < <(grep '^RESULT' "$LOGS/gen.out")
} > "$LOGS/gen-table.md"

{
    echo "# Benchmark results"
    echo
    echo "**$KIND**"
    echo
    echo "Produced by \`bash bench/run.sh$([ "$QUICK" = 1 ] && echo ' --quick')\`; see BENCHMARKS.md for what each figure means."
    echo
    echo '```'
    cat "$LOGS/machine.txt"
    echo '```'
    echo
    cat "$LOGS/table.md"
    echo
    echo "## Generation time per official model (release-built generator, median of $GEN_RUNS)"
    echo
    cat "$LOGS/gen-table.md"
    echo
    echo "## Load average before each step"
    echo
    echo '```'
    cat "$LOADS"
    echo '```'
    echo
    echo "## Raw numbers"
    echo
    echo '```'
    cat "$RAW"
    echo '```'
} > "$OUT"

echo >&2
column -t -s '|' < <(printf '%s\n' "figure|ours|anchor|ratio|target|met?" "${ROWS[@]}") 2> /dev/null \
    || printf '%s\n' "${ROWS[@]}"
echo
cat "$LOGS/gen-table.md"
echo
echo "written: $OUT (logs and timing reports: $LOGS)"
