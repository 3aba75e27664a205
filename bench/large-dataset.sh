#!/usr/bin/env bash
# Loads a data set several times the JVM heap into one ringkv node (storage lsm) and checks that
# it reads back right: after the load, after a clean restart (SIGTERM) and after a crash (SIGKILL).
#
#   bench/large-dataset.sh                           # 10,000,000 keys, 100-byte values, -Xmx512m
#   KEYS=1000000 SAMPLE=20000 bench/large-dataset.sh # a quicker run
#
# Environment: KEYS (10000000), VALUE_SIZE (100), SAMPLE (keys read back at each check, 100000),
# SEED (which sample, 1), JAVA_OPTS (-Xmx512m), APPENDFSYNC (everysec), RINGKV_ARGS (more server
# options, e.g. "--memtable-size 32mb"), WORK_DIR (where the node's --dir goes; default a new
# temporary directory), KEEP (1: leave the data directory behind), LOAD_TIMEOUT (seconds, 3600).
#
# Keys are key:0 .. key:<KEYS-1>; each value is a function of its key's number (see
# bench/large_dataset.py, which generates the RESP for `redis-cli --pipe` and checks samples), so
# the checks need no copy of the data. Steps:
#   1. start the node, load every key with redis-cli --pipe (progress every 10 s), check DBSIZE;
#   2. read back the sample (GET, pipelined in batches) and compare every value;
#   3. SIGTERM, wait for the exit, start again: recovery time, DBSIZE, the same sample;
#   4. SIGKILL, start again: recovery time, DBSIZE, the same sample.
# It prints the load rate, read-back rates, start-up (recovery) times, the bytes on disk (du of
# <dir>/ringkv-data) against the bytes stored (keys + values), and the JVM's RSS. If the server
# dies or a check fails, the server's log is printed and the script exits non-zero.
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
case "${1:-}" in
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    "") ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

KEYS=${KEYS:-10000000}
VALUE_SIZE=${VALUE_SIZE:-100}
SAMPLE=${SAMPLE:-100000}
SEED=${SEED:-1}
export JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
APPENDFSYNC=${APPENDFSYNC:-everysec}
RINGKV_ARGS=${RINGKV_ARGS:-}
KEEP=${KEEP:-0}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-3600}
data_py=$repo/bench/large_dataset.py

for tool in redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "large-dataset: $tool not found" >&2; exit 1; }
done

if [ -n "${WORK_DIR:-}" ]; then
    work=$WORK_DIR
    mkdir -p "$work"
else
    work=$(mktemp -d -t ringkv-large.XXXXXX)
fi
data=$work/ringkv-data
if [ -e "$data" ]; then
    echo "large-dataset: $data already exists; give an empty WORK_DIR" >&2
    exit 2
fi

pid=""
start_no=0
log=""
load_pid=""
cleanup() {
    if [ -n "$load_pid" ] && kill -0 "$load_pid" 2>/dev/null; then kill -TERM "$load_pid" 2>/dev/null || true; fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    if [ "$KEEP" = 1 ]; then
        echo "data and logs kept in $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    local p
    while true; do
        p=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
}
port=$(free_port)

fail() { # message: prints it and the tail of the server's log, then exits 1
    echo "large-dataset: FAILED: $1" >&2
    if [ -n "$log" ] && [ -f "$log" ]; then
        echo "---- last 60 lines of $log ----" >&2
        tail -n 60 "$log" >&2
        echo "---- OutOfMemoryError / exceptions in the logs ----" >&2
        grep -h -n -E 'OutOfMemory|Exception|Error' "$work"/ringkv-*.log | head -n 20 >&2 || true
    fi
    KEEP=1
    exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f MB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?"; }
hwm_mb() { awk '/^VmHWM:/ { printf "%.0f MB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?"; }
cli() { redis-cli -p "$port" "$@" | tr -d '\r'; }
dbsize() { cli DBSIZE; }
disk_bytes() { du -sb "$data" | cut -f1; }
info_storage() { cli INFO storage | grep -E '^(sstables|sstable_bytes|commit_log_bytes|memtable_bytes|flushes|compactions|pending_compaction_bytes):' | paste -sd ' '; }

# start: launches the node (log ringkv-<n>.log), waits for PING and prints the start-up time,
# which for the LSM engine is the time to open the tables and replay the commit log.
start() {
    start_no=$((start_no + 1))
    log=$work/ringkv-$start_no.log
    local t0 t1
    t0=$(now)
    # shellcheck disable=SC2086
    "$repo/bin/ringkv-server" --port "$port" --bind 127.0.0.1 --dir "$work" --storage lsm \
        --appendfsync "$APPENDFSYNC" $RINGKV_ARGS >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 6000); do
        if [ "$(redis-cli -p "$port" PING 2>/dev/null)" = "PONG" ]; then
            t1=$(now)
            echo "started (pid $pid) in $(elapsed "$t0" "$t1") s; RSS $(rss_mb)"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || fail "the server exited at start"
        sleep 0.1
    done
    fail "the server did not answer PING within 600 s"
}

stop_term() {
    local t0
    t0=$(now)
    kill -TERM "$pid"
    for _ in $(seq 1 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && fail "the server did not exit within 120 s of SIGTERM"
    local rc=0
    wait "$pid" || rc=$?
    echo "SIGTERM: exited with status $rc after $(elapsed "$t0" "$(now)") s"
    pid=""
}

stop_kill() {
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    echo "SIGKILL: killed"
    pid=""
}

check_sample() { # label
    local out rc=0
    out=$(python3 "$data_py" check --keys "$KEYS" --value-size "$VALUE_SIZE" --sample "$SAMPLE" \
        --seed "$SEED" --port "$port") || rc=$?
    echo "read back ($1): $out"
    [ "$rc" = 0 ] || fail "wrong or missing values ($1)"
    kill -0 "$pid" 2>/dev/null || fail "the server died during the read-back ($1)"
}

check_dbsize() { # label
    local n
    n=$(dbsize)
    echo "DBSIZE ($1): $n"
    [ "$n" = "$KEYS" ] || fail "DBSIZE is $n, expected $KEYS ($1)"
}

stored_bytes=$(python3 -c "
k, v = $KEYS, $VALUE_SIZE
# len('key:') + digits of n, summed over 0 .. k-1
digits, lo = 0, 0
d = 1
while lo < k:
    hi = min(k, 10 ** d)
    digits += (hi - lo) * d
    lo, d = hi, d + 1
print(4 * k + digits + k * v)")

echo "ringkv large data set: $KEYS keys, $VALUE_SIZE-byte values ($stored_bytes bytes of keys + values)," \
    "sample $SAMPLE; JAVA_OPTS='$JAVA_OPTS' appendfsync $APPENDFSYNC ${RINGKV_ARGS:+args '$RINGKV_ARGS' }dir $work"

start

# 1. The load. redis-cli --pipe prints "errors: E, replies: R" at the end; progress comes from
# DBSIZE on another connection, and a dead server or the timeout stops everything.
pipe_out=$work/pipe.out
t0=$(now)
(python3 "$data_py" gen --keys "$KEYS" --value-size "$VALUE_SIZE" | redis-cli -p "$port" --pipe >"$pipe_out" 2>&1) &
load_pid=$!
ticks=0
while kill -0 "$load_pid" 2>/dev/null; do
    sleep 0.5
    ticks=$((ticks + 1))
    kill -0 "$load_pid" 2>/dev/null || break
    kill -0 "$pid" 2>/dev/null || fail "the server died during the load"
    [ $((ticks % 20)) = 0 ] || continue
    n=$(dbsize 2>/dev/null || echo "?")
    t=$(elapsed "$t0" "$(now)")
    echo "  load: ${t}s ${n} keys, RSS $(rss_mb), $(info_storage 2>/dev/null || true)"
    if awk -v t="$t" -v max="$LOAD_TIMEOUT" 'BEGIN { exit !(t > max) }'; then
        fail "the load did not finish within $LOAD_TIMEOUT s"
    fi
done
load_rc=0
wait "$load_pid" || load_rc=$?
load_pid=""
t1=$(now)
load_s=$(elapsed "$t0" "$t1")
cat "$pipe_out" | tr -d '\r' | tail -n 2
[ "$load_rc" = 0 ] || fail "redis-cli --pipe exited with status $load_rc"
grep -q "errors: 0, replies: $KEYS" "$pipe_out" || fail "redis-cli --pipe did not get $KEYS OK replies"
echo "loaded $KEYS keys in $load_s s: $(awk -v n="$KEYS" -v s="$load_s" 'BEGIN { printf "%.0f", n / s }') keys/s" \
    "($(awk -v b="$stored_bytes" -v s="$load_s" 'BEGIN { printf "%.1f", b / s / 1048576 }') MB/s of keys + values)"
echo "after load: RSS $(rss_mb) (peak $(hwm_mb)); on disk $(disk_bytes) bytes; $(info_storage)"
check_dbsize "after load"

# 2. Read back.
check_sample "after load"
echo "after read-back: RSS $(rss_mb) (peak $(hwm_mb))"

# 3. Clean restart.
stop_term
disk_after_term=$(disk_bytes)
echo "on disk after clean shutdown: $disk_after_term bytes"
start
check_dbsize "after SIGTERM restart"
check_sample "after SIGTERM restart"
echo "$(info_storage)"

# 4. Crash.
stop_kill
start
check_dbsize "after SIGKILL restart"
check_sample "after SIGKILL restart"
echo "after SIGKILL restart: RSS $(rss_mb) (peak $(hwm_mb)); $(info_storage)"

final_disk=$(disk_bytes)
echo
echo "summary: $KEYS keys x $VALUE_SIZE B; load $load_s s ($(awk -v n="$KEYS" -v s="$load_s" 'BEGIN { printf "%.0f", n / s }') keys/s)"
echo "on disk: $final_disk bytes for $stored_bytes bytes of keys + values:" \
    "$(awk -v d="$final_disk" -v s="$stored_bytes" 'BEGIN { printf "%.2f", d / s }') bytes on disk per stored byte" \
    "(after the clean shutdown: $(awk -v d="$disk_after_term" -v s="$stored_bytes" 'BEGIN { printf "%.2f", d / s }'))"
echo "all checks passed"
