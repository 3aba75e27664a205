#!/usr/bin/env bash
# Issue 5's fault runs: ClusterFaultRunsTest on a local 3-node cluster (N=3, W=2, R=2) under the
# history checker's load, cycling kill -9/restart, SIGSTOP/SIGCONT and a partition (KV.DEBUG
# ISOLATE/REJOIN). Prints, per run, acknowledged, failed, indeterminate and lost writes, stale
# reads and the time to convergence after healing; fails on a lost write or a stale read.
#
#   bench/fault-runs.sh                 # 5 runs of 60 s
#   RUNS=2 SECONDS_PER_RUN=20 bench/fault-runs.sh
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$repo"
# shellcheck source=bin/find-java
source "$repo/bin/find-java"
ringkv_find_java || exit 1
JAVA_HOME=$RINGKV_JAVA_HOME ./mvnw -q -B -pl compat-tests -am verify -Dtest=ClusterFaultRunsTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfaults.excluded= -Dsuites.cluster.skip=true -Dfaults.runs="${RUNS:-5}" -Dfaults.seconds="${SECONDS_PER_RUN:-60}" 2>&1 |
    grep -E '^(run [0-9]+:|Fault runs|\[ERROR\])' || true
