#!/usr/bin/env bash
# Runs redis-benchmark against a real redis-server and a ringkv node side by side, on loopback,
# and prints requests/sec, p50 and p99 for both with the ratios ringkv/redis.
#
#   bench/compare-redis.sh                 # N = 1,000,000 pipelined (-P 16), 200,000 with -P 1
#   bench/compare-redis.sh -n 50000        # the same N for both (a quick check)
#   N_P16=2000000 N_P1=300000 bench/compare-redis.sh
#   bench/compare-redis.sh --persist       # both servers persist (PERSIST=1 does the same)
#
# Environment: N_P16, N_P1 (request counts), CLIENTS (50), KEYSPACE (-r, 100000), DATA_SIZE (-d,
# 100), WARMUP_N (requests per warm-up run, default N_P1), JAVA_OPTS (for ringkv), REDIS_SERVER
# (the redis-server binary, default from PATH), PERSIST (1: as --persist), APPENDFSYNC (the
# policy both servers use with --persist, default everysec).
#
# By default both servers run without persistence (redis: --save '' --appendonly no; ringkv:
# --storage memory, named explicitly because lsm is ringkv's default), so the comparison is of
# the two in-memory paths. With --persist both write every change to disk with the same policy:
# redis with --appendonly yes --appendfsync everysec (AOF only, no RDB snapshots: --save ''),
# ringkv with --storage lsm --appendfsync everysec; each in its own temporary directory.
#
# ringkv is warmed up first (a redis-benchmark run with each pipeline depth) so that the JIT has
# compiled the hot path before anything is measured. Both servers are stopped on exit, whatever
# happens. Results are also written to bench/results/ (not committed).
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

N_P16=${N_P16:-1000000}
N_P1=${N_P1:-200000}
PERSIST=${PERSIST:-0}
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N_P16=$2; N_P1=$2; shift 2 ;;
        --persist) PERSIST=1; shift ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
DATA_SIZE=${DATA_SIZE:-100}
WARMUP_N=${WARMUP_N:-$N_P1}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
APPENDFSYNC=${APPENDFSYNC:-everysec}
case "$PERSIST" in
    1|yes|true) PERSIST=1; mode="persisting (appendfsync $APPENDFSYNC)" ;;
    0|no|false|"") PERSIST=0; mode="in memory" ;;
    *) echo "compare-redis: PERSIST must be 0 or 1, not '$PERSIST'" >&2; exit 2 ;;
esac

for tool in "$REDIS_SERVER" redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null || { echo "compare-redis: $tool not found (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

work=$(mktemp -d -t ringkv-bench.XXXXXX)
redis_pid=""
ringkv_pid=""
cleanup() {
    local pid
    for pid in $ringkv_pid $redis_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port nobody listens on, from the ephemeral range's lower neighbour.
free_port() {
    local port
    while true; do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

wait_for_pong() { # port pid name log
    local i
    for i in $(seq 1 300); do
        if [ "$(redis-cli -p "$1" PING 2>/dev/null)" = "PONG" ]; then
            return 0
        fi
        if ! kill -0 "$2" 2>/dev/null; then
            echo "compare-redis: $3 exited at start; its log:" >&2
            cat "$4" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "compare-redis: $3 did not answer PING within 30 s; its log:" >&2
    cat "$4" >&2
    exit 1
}

# Each server gets its own directory, so that with --persist neither's files are the other's
# disk traffic's business, and both are removed on exit.
mkdir -p "$work/redis" "$work/ringkv"
if [ "$PERSIST" = 1 ]; then
    redis_persistence=(--appendonly yes --appendfsync "$APPENDFSYNC")
    ringkv_storage=(--storage lsm --appendfsync "$APPENDFSYNC")
else
    redis_persistence=(--appendonly no)
    ringkv_storage=(--storage memory)
fi

redis_port=$(free_port)
"$REDIS_SERVER" --port "$redis_port" --bind 127.0.0.1 --save '' "${redis_persistence[@]}" \
    --dir "$work/redis" --logfile "$work/redis.log" &
redis_pid=$!
wait_for_pong "$redis_port" "$redis_pid" redis-server "$work/redis.log"

ringkv_port=$(free_port)
while [ "$ringkv_port" = "$redis_port" ]; do ringkv_port=$(free_port); done
"$repo/bin/ringkv-server" --port "$ringkv_port" --bind 127.0.0.1 "${ringkv_storage[@]}" \
    --dir "$work/ringkv" >"$work/ringkv.log" 2>&1 &
ringkv_pid=$!
wait_for_pong "$ringkv_port" "$ringkv_pid" ringkv "$work/ringkv.log"

redis_version=$(redis-cli -p "$redis_port" INFO server | tr -d '\r' | sed -n 's/^redis_version://p')
echo "redis-server $redis_version on port $redis_port; ringkv on port $ringkv_port (JAVA_OPTS='${JAVA_OPTS:-}')"
echo "both servers $mode: redis ${redis_persistence[*]}; ringkv ${ringkv_storage[*]}"
echo "redis-benchmark -t set,get -c $CLIENTS -r $KEYSPACE -d $DATA_SIZE; -P 16: -n $N_P16, -P 1: -n $N_P1"

bench() { # port pipeline n -> CSV on stdout
    redis-benchmark -h 127.0.0.1 -p "$1" -t set,get -c "$CLIENTS" -r "$KEYSPACE" -d "$DATA_SIZE" \
        -P "$2" -n "$3" --csv 2>"$work/bench.err" || {
        echo "compare-redis: redis-benchmark failed against port $1:" >&2
        cat "$work/bench.err" >&2
        exit 1
    }
}

echo "warming up ringkv ($WARMUP_N requests with -P 16 and with -P 1)..."
bench "$ringkv_port" 16 "$WARMUP_N" >/dev/null
bench "$ringkv_port" 1 "$WARMUP_N" >/dev/null

# One row per test: server pipeline test rps p50 p99 (CSV columns 2, 5 and 7).
results=$work/results.txt
: >"$results"
for pipeline in 1 16; do
    n=$N_P1
    [ "$pipeline" = 16 ] && n=$N_P16
    for server in redis ringkv; do
        port=$redis_port
        [ "$server" = ringkv ] && port=$ringkv_port
        echo "measuring $server, -P $pipeline, -n $n..." >&2
        bench "$port" "$pipeline" "$n" | tr -d '"' | awk -F, -v s="$server" -v p="$pipeline" \
            'NR > 1 && NF >= 7 { print s, p, $1, $2, $5, $7 }' >>"$results"
    done
done

table=$(awk '
    { key = $3 " " $2; order[key] = ++n; rps[$1, key] = $4; p50[$1, key] = $5; p99[$1, key] = $6; seen[key] = 1 }
    function ratio(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "-" }
    END {
        printf "%-5s %3s | %12s %8s %8s | %12s %8s %8s | %6s %6s %6s\n", "test", "P",
            "redis rps", "p50 ms", "p99 ms", "ringkv rps", "p50 ms", "p99 ms", "rps", "p50", "p99"
        printf "%-5s %3s | %30s | %30s | %-20s\n", "", "", "", "", "ratios ringkv/redis"
        for (key in seen) keys[order[key]] = key
        for (i = 1; i <= n; i++) {
            key = keys[i]; if (key == "" || done[key]++) continue
            split(key, k, " ")
            printf "%-5s %3s | %12.0f %8.3f %8.3f | %12.0f %8.3f %8.3f | %6s %6s %6s\n", k[1], k[2],
                rps["redis", key], p50["redis", key], p99["redis", key],
                rps["ringkv", key], p50["ringkv", key], p99["ringkv", key],
                ratio(rps["ringkv", key], rps["redis", key]), ratio(p50["ringkv", key], p50["redis", key]),
                ratio(p99["ringkv", key], p99["redis", key])
        }
    }' "$results")

echo
echo "$table"
mkdir -p "$repo/bench/results"
suffix=""
[ "$PERSIST" = 1 ] && suffix="-persist"
out="$repo/bench/results/compare-redis$suffix-$(date +%Y%m%d-%H%M%S).txt"
{
    echo "redis-server $redis_version vs ringkv, both $mode; -c $CLIENTS -r $KEYSPACE -d $DATA_SIZE; -P 16 -n $N_P16; -P 1 -n $N_P1"
    echo "$table"
} >"$out"
echo
echo "saved to ${out#"$repo"/}"
