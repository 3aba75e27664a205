#!/usr/bin/env bash
# Runs redis-benchmark -t set,get -P 16 against a single ringkv node and against a local 3-node
# ringkv cluster (N=3, W=2, R=2) side by side, on loopback, and prints requests/sec, p50 and p99
# for each with the ratio cluster/single. Issue 4's target: the cluster at least 0.25x the node
# (every write does N times the work, and all three nodes share this machine's cores).
#
#   bench/compare-cluster.sh             # N = 300,000 per test
#   bench/compare-cluster.sh -n 50000    # a quick check
#
# The cluster is measured twice: plain (every client on one node, which coordinates every key;
# what a plain Redis client does) and with redis-benchmark --cluster (clients spread over the
# nodes by CLUSTER SLOTS, each key sent to its head replica; what a cluster client does).
#
# Environment: N (requests per test), CLIENTS (50), KEYSPACE (-r, 100000), DATA_SIZE (-d, 100),
# PIPELINE (16), STORAGE (lsm: both the node and the cluster persist, appendfsync everysec;
# memory: neither does), JAVA_OPTS (for every ringkv process), CLUSTER_IO_THREADS (event loops
# per cluster node; default: this machine's cores / 3, at least 1).
#
# Why CLUSTER_IO_THREADS: `io-threads auto` gives a node one event loop per core of the machine,
# right for a node that has the machine to itself. Three nodes on one machine would each take
# all the cores (six loops on two cores here, measured 20-25% slower on SET than one loop each),
# so each gets its share. The single node keeps `auto`, its best setting.
# Everything started is stopped on exit. Results also go to bench/results/ (not committed).
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
N=${N:-300000}
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N=$2; shift 2 ;;
        -h|--help) sed -n "2,26p" "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
DATA_SIZE=${DATA_SIZE:-100}
PIPELINE=${PIPELINE:-16}
STORAGE=${STORAGE:-lsm}
CLUSTER_IO_THREADS=${CLUSTER_IO_THREADS:-$(( $(nproc) / 3 > 0 ? $(nproc) / 3 : 1 ))}

for tool in redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null || { echo "compare-cluster: $tool not found (apt-get install redis-tools)" >&2; exit 1; }
done

work=$(mktemp -d -t ringkv-cluster-bench.XXXXXX)
single_pid=""
base=""
cleanup() {
    if [ -n "$base" ]; then
        "$repo/bin/ringkv-cluster" stop 3 --port "$base" --dir "$work/cluster" >/dev/null 2>&1 || true
    fi
    if [ -n "$single_pid" ] && kill -0 "$single_pid" 2>/dev/null; then
        kill -TERM "$single_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$single_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$single_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Four consecutive client ports (the single node, then the cluster's three) whose cluster ports
# (+10000) are free too.
while true; do
    base=$(( 20000 + RANDOM % 20000 ))
    ok=1
    for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do
        port_free "$p" && port_free $((p + 10000)) || ok=0
    done
    [ "$ok" = 1 ] && break
done
single=$base
base=$((base + 1))

"$repo/bin/ringkv-server" --port "$single" --bind 127.0.0.1 --storage "$STORAGE" --dir "$work" \
    >"$work/single.log" 2>&1 &
single_pid=$!
"$repo/bin/ringkv-cluster" start 3 --port "$base" --dir "$work/cluster" --storage "$STORAGE" \
    --replication-factor 3 --write-quorum 2 --read-quorum 2 --io-threads "$CLUSTER_IO_THREADS" \
    >"$work/cluster-start.log" 2>&1 || {
    cat "$work/cluster-start.log" >&2; exit 1; }
for _ in $(seq 1 300); do
    [ "$(redis-cli -p "$single" PING 2>/dev/null)" = PONG ] && break
    sleep 0.1
done
for _ in $(seq 1 300); do
    redis-cli -p "$base" CLUSTER INFO 2>/dev/null | grep -q 'cluster_state:ok' && break
    sleep 0.1
done

echo "single node on $single; cluster on $base-$((base + 2)) (N=3 W=2 R=2, io-threads $CLUSTER_IO_THREADS each); storage $STORAGE"
echo "redis-benchmark -t set,get -c $CLIENTS -r $KEYSPACE -d $DATA_SIZE -P $PIPELINE -n $N"

bench() { # label extra-args... -> "label test rps p50 p99" lines
    local label=$1
    shift
    redis-benchmark -h 127.0.0.1 "$@" -t set,get -c "$CLIENTS" -r "$KEYSPACE" -d "$DATA_SIZE" \
        -P "$PIPELINE" -n "$N" --csv 2>"$work/bench.err" | tr -d '"' |
        awk -F, -v l="$label" 'NR > 1 && NF >= 7 { print l, $1, $2, $5, $7 }' || {
        cat "$work/bench.err" >&2; exit 1; }
}

echo "warming up..."
bench warm -p "$single" >/dev/null
bench warm -p "$base" >/dev/null
bench warm -p "$base" --cluster >/dev/null

results=$work/results.txt
bench single -p "$single" >"$results"
bench cluster -p "$base" >>"$results"
bench cluster--cluster -p "$base" --cluster >>"$results"

table=$(awk '
    { rps[$1, $2] = $3; p50[$1, $2] = $4; p99[$1, $2] = $5; tests[$2] = 1 }
    END {
        printf "%-5s | %10s %7s %7s | %-18s %10s %7s %7s | %6s\n", "test", "node rps", "p50 ms", "p99 ms",
            "cluster mode", "rps", "p50 ms", "p99 ms", "ratio"
        n = split("SET GET", order, " ")
        for (i = 1; i <= n; i++) {
            t = order[i]
            for (m = 1; m <= 2; m++) {
                mode = m == 1 ? "cluster" : "cluster--cluster"
                printf "%-5s | %10.0f %7.3f %7.3f | %-18s %10.0f %7.3f %7.3f | %6.2f\n", t,
                    rps["single", t], p50["single", t], p99["single", t],
                    m == 1 ? "plain (one node)" : "--cluster", rps[mode, t], p50[mode, t], p99[mode, t],
                    rps[mode, t] / rps["single", t]
            }
        }
    }' "$results")
echo
echo "$table"
mkdir -p "$repo/bench/results"
out="$repo/bench/results/compare-cluster-$(date +%Y%m%d-%H%M%S).txt"
{
    echo "ringkv single node vs 3-node cluster (N=3 W=2 R=2, io-threads $CLUSTER_IO_THREADS), storage $STORAGE; -c $CLIENTS -r $KEYSPACE -d $DATA_SIZE -P $PIPELINE -n $N"
    echo "$table"
} >"$out"
echo
echo "saved to ${out#"$repo"/}"
