#!/usr/bin/env bash
# Runs the storage benchmark: ringkv's LsmEngine against RocksDB (rocksdbjni) in one JVM, the same
# workloads on both, with matching durability, and prints ops/s for both and the ratio
# ringkv/RocksDB. The report also goes to bench/results/ (not committed).
#
#   bench/storage-bench.sh                      # 1,000,000 keys, threads 1 and 4, everysec + always
#   bench/storage-bench.sh -n 200000            # a quick run
#   bench/storage-bench.sh --mode everysec      # skip the fsync-per-write fills
#   bench/storage-bench.sh -- --help            # every option of the harness
#
# Options: -n/--keys N, --value-size B (100), --key-size B (16), --threads L (1,4),
# --mode everysec|always|both (both), --no-build; anything after "--" goes to the harness as is.
# Environment: JAVA_OPTS (default -Xms3g -Xmx3g), JAVA_HOME (a JDK 21+; else found by bin/find-java).
#
# Durability: "everysec" is ringkv's appendfsync everysec against RocksDB with the WAL on,
# sync=false and a thread calling flushWal(true) once a second; "always" is ringkv's appendfsync
# always (group commit) against RocksDB sync=true (its write groups), from 1, 4 and 16 threads.
# Both: 64 MiB memtable / write buffer, 256 MiB block cache, 4 KiB blocks, bloom 10 bits/key, LZ4.
#
# The module bench/storage is built only with the Maven profile "bench", so the normal build and
# CI never download RocksDB.
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$repo"

harness_args=()
build=1
mode=both
while [ $# -gt 0 ]; do
    case "$1" in
        -n|--keys) harness_args+=(--keys "$2"); shift 2 ;;
        --value-size|--key-size|--threads) harness_args+=("$1" "$2"); shift 2 ;;
        --mode) mode=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --) shift; harness_args+=("$@"); break ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done
harness_args+=(--mode "$mode")

# shellcheck source=../bin/find-java
source "$repo/bin/find-java"
ringkv_find_java || exit 1
export JAVA_HOME=$RINGKV_JAVA_HOME

module=bench/storage
if [ "$build" = 1 ] || [ ! -f "$module/target/classpath.txt" ]; then
    echo "building $module (profile bench)..." >&2
    ./mvnw -q -B -Pbench -pl "$module" -am package -DskipTests
fi
classpath="$module/target/classes:$(cat "$module/target/classpath.txt")"

mkdir -p bench/results
out="bench/results/storage-$(date +%Y%m%d-%H%M%S).md"

# A fixed heap: ringkv's memtables live on it (up to three of 64 MiB, plus the skip list's
# nodes), RocksDB's off it; a fixed size keeps GC sizing out of the comparison.
# shellcheck disable=SC2086
exec "$RINGKV_JAVA" ${JAVA_OPTS:--Xms3g -Xmx3g} --enable-native-access=ALL-UNNAMED -cp "$classpath" io.ringkv.bench.StorageBench \
    "${harness_args[@]}" --out "$out"
