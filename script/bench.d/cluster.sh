#!/usr/bin/env bash
# script/bench cluster - first-level verifications through the demo cluster's
# front (HAProxy over two invqr nodes on a 3-node Galera cluster) against the
# same load on one of its nodes alone, and the cost of production durability
# on the cluster (innodb_flush_log_at_trx_commit 1, the cluster's setting,
# against 2 on every Galera node), as ratios of one run.
#
# Starts script/cluster in run/bench-cluster (kept between runs: a restart
# takes seconds, a first start half a minute) on free ports from 8200 up, and
# stops it at the end. Environment: BENCH_SECONDS (10), BENCH_WARMUP (2),
# BENCH_CONNECTIONS (32), INVQR_BUILD, INVQR_SKIP_BUILD=1.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
INVQR_BUILD=${INVQR_BUILD:-$INVQR_ROOT/build}
CL=${INVQR_BENCH_CLUSTER:-$INVQR_ROOT/run/bench-cluster}
mkdir -p "$CL"

if [ "${INVQR_SKIP_BUILD:-0}" != 1 ]; then
    ensure_packages $INVQR_PACKAGES $INVQR_CLUSTER_PACKAGES wrk python3
    build "$INVQR_BUILD" ${INVQR_CONFIGURE_ARGS:-}
fi
command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk"

# 44 ports: the front, two nodes, four for each Galera node (script/cluster)
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports_free() {
    local p
    for p in $(seq "$1" $(($1 + 43))); do port_busy "$p" && return 1; done
    return 0
}
PORT=8200
until ports_free "$PORT"; do PORT=$((PORT + 50)); done

log "starting the cluster in $CL (ports $PORT..$((PORT + 43)))"
INVQR_PORT=$PORT INVQR_CLUSTER=$CL INVQR_SKIP_BUILD=1 INVQR_BUILD=$INVQR_BUILD \
    "$INVQR_ROOT/script/cluster" >"$CL.out" 2>&1 &
CLUSTER_PID=$!
stop_cluster() {
    # script/cluster stops everything on TERM (INT is ignored by a background job)
    kill -TERM "$CLUSTER_PID" 2>/dev/null && wait "$CLUSTER_PID" 2>/dev/null || true
}
trap 'stop_cluster' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 1500); do
    grep -q "invqr cluster:" "$CL.out" && break
    kill -0 "$CLUSTER_PID" 2>/dev/null || { tail -20 "$CL.out" >&2; die "script/cluster stopped"; }
    sleep 0.2
done
grep -q "invqr cluster:" "$CL.out" || die "the cluster did not come up (see $CL.out)"

FRONT="http://127.0.0.1:$PORT"
NODE1="http://127.0.0.1:$((PORT + 1))"
SOCKDIR="/tmp/invqr-$(id -u)-$PORT"
cadmin() { INVQR_PORT=$PORT INVQR_CLUSTER=$CL INVQR_BUILD=$INVQR_BUILD "$INVQR_ROOT/script/cluster" admin "$@"; }
galera_all() {   # galera_all SQL : on the three Galera nodes
    local n
    for n in 1 2 3; do
        mariadb --no-defaults --socket="$SOCKDIR/db$n.sock" -uroot -e "$1" || die "db$n refused: $1"
    done
}

# the same preparation as script/bench: 2,000 citizens with codes, a verifier's CSRF pair
"$INVQR_ROOT/script/gen-citizens" 2000 7 >"$CL/citizens-2000.csv"
cadmin import "$CL/citizens-2000.csv" >/dev/null || die "bench citizens import failed"
# (through node 1: the PDF copy it checks lives on the disk of the node that made it)
prepared=$(/usr/bin/python3 "$INVQR_ROOT/script/bench.d/prepare.py" "$NODE1" RSSMRA75C14H501L \
    demo.operatore "$INVQR_DEMO_PASSWORD" "$CL/codes.txt" "$SOCKDIR/db1.sock") \
    || die "bench preparation failed"
eval "$prepared"
mkdir -p "$CL/log"

# run NAME URL LABEL : first-level verifications spread over the codes
run() {
    local out n rps p99 errs
    if [ "$BENCH_WARMUP" -gt 0 ]; then
        BENCH_LUA_DIR="$INVQR_ROOT/script/bench.d" BENCH_CODES="$CL/codes.txt" \
        BENCH_TOKEN="$BENCH_TOKEN" BENCH_COOKIE="$BENCH_VERIFY_COOKIE" \
            wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_WARMUP}s" \
            -s "$INVQR_ROOT/script/bench.d/verify_many.lua" "$2" >/dev/null 2>&1 || true
    fi
    out=$(BENCH_LUA_DIR="$INVQR_ROOT/script/bench.d" BENCH_CODES="$CL/codes.txt" \
          BENCH_TOKEN="$BENCH_TOKEN" BENCH_COOKIE="$BENCH_VERIFY_COOKIE" \
          wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_SECONDS}s" --latency \
          -s "$INVQR_ROOT/script/bench.d/verify_many.lua" "$2") || die "wrk failed for $3"
    printf '%s\n' "$out" >"$CL/log/wrk-$1.txt"
    read -r _ n rps p99 errs < <(grep '^BENCH ' <<<"$out")
    printf -v "${1}_RPS" '%s' "$rps"
    printf -v "${1}_P99" '%s' "$p99"
    printf -v "${1}_ERRORS" '%s' "$errs"
    printf '  %-44s %8.0f req/s   p99 %7s ms   errors %s\n' "$3" "$rps" "$p99" "$errs"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b / a}'; }

echo
echo "Cluster: first level, POST /v/CODE, wrk -t2 -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s, $(nproc) CPUs"
echo "(everything on this one machine: the nodes share its CPUs, so the front cannot add capacity here)"
run NODE1 "$NODE1" "(k) one node alone (invqr node 1, its port)"
run FRONT "$FRONT" "(l) through the front (both nodes)"
galera_all "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
run FRONT_FLUSH2 "$FRONT" "(l') the front, flush once a second (demo)"
galera_all "SET GLOBAL innodb_flush_log_at_trx_commit = 1"

echo
echo "---- invqr bench cluster summary ($(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$INVQR_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs) ----"
printf '  one node alone       : %8.0f req/s  p99 %6s ms  errors %s\n' "$NODE1_RPS" "$NODE1_P99" "$NODE1_ERRORS"
printf '  through the front    : %8.0f req/s  p99 %6s ms  errors %s\n' "$FRONT_RPS" "$FRONT_P99" "$FRONT_ERRORS"
printf '  front, flush 1/sec   : %8.0f req/s  p99 %6s ms  errors %s\n' "$FRONT_FLUSH2_RPS" "$FRONT_FLUSH2_P99" "$FRONT_FLUSH2_ERRORS"
printf '  front / one node: %s;  flush at commit / once a second (Galera, via the front): %s\n' \
    "$(ratio "$NODE1_RPS" "$FRONT_RPS")" "$(ratio "$FRONT_FLUSH2_RPS" "$FRONT_RPS")"
echo "----"
