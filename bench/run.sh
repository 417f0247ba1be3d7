#!/usr/bin/env bash
# bench/run.sh: the one-command comparison of Ursula against the Node reference server.
#
# Builds Ursula.Server and Ursula.Bench (Release), installs the pinned reference server
# (bench/reference, npm ci), starts four systems side by side on loopback:
#
#   ursula-single    one Ursula node, managed PostgreSQL in a fresh temp data dir
#   ursula-cluster3  three Ursula nodes (--cluster, separate data dirs, one managed PostgreSQL
#                    each); all load goes to the Raft leader, so the numbers are the cost of
#                    replication without a follower's forwarding hop
#   ref-memory       @durable-streams/server, in-memory store
#   ref-file         @durable-streams/server, file-backed store (LMDB + fsynced logs)
#
# and runs every Ursula.Bench workload against each, alternating between the systems, ROUNDS
# times: closed-loop append throughput, append at half of that system's own peak (open loop, for
# p99), SSE fan-out and catch-up reads, watching peak RSS of every server process and of each
# PostgreSQL process tree. Results land in bench/results/ (results.jsonl, machine.json,
# results.md with summary and ratio tables, PNG charts); logs in bench/results/raw/<run>/.
#
# Usage: bench/run.sh   (as root; 9 to 12 minutes on a 2-core machine, builds included)
# Knobs (environment): ROUNDS=2 APPEND_SECONDS=10 WARMUP_SECONDS=2 FANOUT_SECONDS=10
#   PORT_BASE=14437 PIN=1 (servers on the first half of the cores, load generator on the rest)
#   SERVER_CPUS=0 LOADGEN_CPUS=1 (explicit pinning) KEEP_DATA=1 (keep the temp data dirs)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=$REPO/bench
RESULTS_DIR=$BENCH_DIR/results

ROUNDS=${ROUNDS:-2}
APPEND_SECONDS=${APPEND_SECONDS:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
FANOUT_SECONDS=${FANOUT_SECONDS:-10}
FANOUT_SUBSCRIBERS=${FANOUT_SUBSCRIBERS:-1000}
FANOUT_RATE=${FANOUT_RATE:-50}
CATCHUP_READERS=${CATCHUP_READERS:-8}
CATCHUP_SIZE=${CATCHUP_SIZE:-64MB}
PORT_BASE=${PORT_BASE:-14437}

# Workload names group runs in the report; the half-peak run needs its own because its --rate
# differs per system on purpose.
WL_PEAK="append s100 c64 p256B"
WL_HALF="append s100 c64 p256B @50% of own peak"
MEMORY_STREAMS=${MEMORY_STREAMS:-10000}
WARMUP_RUN_SECONDS=${WARMUP_RUN_SECONDS:-8}
WL_MEM_STREAMS="memory: fill ${MEMORY_STREAMS} streams"
WL_MEM_FANOUT="memory: fan-out n${FANOUT_SUBSCRIBERS} on a node with ${MEMORY_STREAMS} streams"

LABELS=(ursula-single ursula-cluster3 ref-memory ref-file)
declare -A URL=()          # label -> base URL the load goes to
declare -A WATCH=()        # label -> --watch-pid/--watch-tree arguments
declare -A PEAK=()         # label -> appends/s of the latest closed-loop run
declare -A DEAD=()         # label -> why it was dropped from the run
SERVER_PIDS=()             # every server process we started, in start order
POSTMASTER_PIDS=()         # the managed PostgreSQL postmasters, stopped if a node leaves one behind
CLUSTER_PORTS=()
CLUSTER_PIDS=()
FAILURES=()                # runs without a result, servers that died: the script exits 1
WARNINGS=()                # results the bench flagged (lost fan-out data, failed verification)
LEADER_CHANGES=0
BENCH_PID=                 # the load generator while a run is in progress

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*"; }
# stderr, so that a die inside $(...) is still seen; the subshell's exit then fails the caller.
die() { log "error: $*" >&2; exit 1; }

# ----------------------------------------------------------------------------------------------
# Setup
# ----------------------------------------------------------------------------------------------

# The managed PostgreSQL needs the server binaries and, as root, the postgres account; a fresh
# Debian machine has neither (same rule as .ci/run).
ensure_prerequisites() {
  local tool
  for tool in dotnet node npm curl taskset timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v postgres >/dev/null; then
    [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries are missing (apt-get install postgresql)"
    log "installing postgresql (the managed database of the Ursula nodes)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
}

cpu_range() { if (($1 == $2)); then echo "$1"; else echo "$1-$2"; fi; }

# Cores: by default nothing is pinned, every server and the load generator share the machine as
# they would on one host. PIN=1 gives the servers the first half of the cores and the load
# generator the second (everything a server starts, Ursula's PostgreSQL included, inherits its
# mask); SERVER_CPUS and LOADGEN_CPUS choose the halves explicitly.
choose_cpus() {
  local n
  n=$(nproc)
  if [[ ${PIN:-0} != 1 && -z ${SERVER_CPUS:-} && -z ${LOADGEN_CPUS:-} ]]; then
    SERVER_CPUS=all
    LOADGEN_CPUS=all
    PIN_SERVER=()
    PIN_LOADGEN=()
    return
  fi
  if [[ -z ${SERVER_CPUS:-} || -z ${LOADGEN_CPUS:-} ]]; then
    if ((n >= 2)); then
      SERVER_CPUS=$(cpu_range 0 $((n / 2 - 1)))
      LOADGEN_CPUS=$(cpu_range $((n / 2)) $((n - 1)))
    else
      SERVER_CPUS=0
      LOADGEN_CPUS=0
    fi
  fi
  PIN_SERVER=(taskset -c "$SERVER_CPUS")
  PIN_LOADGEN=(taskset -c "$LOADGEN_CPUS")
}

build() {
  log "building Ursula.Server and Ursula.Bench (Release)"
  dotnet build "$REPO/Ursula.Server/Ursula.Server.csproj" -c Release -nologo -v q -clp:ErrorsOnly >"$RUN_DIR/build.log" 2>&1 \
    || { tail -30 "$RUN_DIR/build.log"; die "build of Ursula.Server failed (log: $RUN_DIR/build.log)"; }
  dotnet build "$BENCH_DIR/Ursula.Bench/Ursula.Bench.csproj" -c Release -nologo -v q -clp:ErrorsOnly >>"$RUN_DIR/build.log" 2>&1 \
    || { tail -30 "$RUN_DIR/build.log"; die "build of Ursula.Bench failed (log: $RUN_DIR/build.log)"; }
  URSULA=$REPO/Ursula.Server/bin/Release/net10.0/Ursula.Server
  BENCH=$BENCH_DIR/Ursula.Bench/bin/Release/net10.0/Ursula.Bench
  [[ -x $URSULA && -x $BENCH ]] || die "build outputs not found ($URSULA, $BENCH)"

  log "installing the reference server (npm ci in bench/reference)"
  (cd "$BENCH_DIR/reference" && npm ci --no-audit --no-fund --loglevel=error) >"$RUN_DIR/npm.log" 2>&1 \
    || { tail -30 "$RUN_DIR/npm.log"; die "npm ci in bench/reference failed"; }
}

# 1000 SSE subscribers need 1000+ descriptors in the load generator and in the server; both
# inherit this limit from the script.
raise_open_files_limit() {
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  local limit
  limit=$(ulimit -n)
  if [[ $limit != unlimited ]] && ((limit < FANOUT_SUBSCRIBERS + 1024)); then
    die "open-files limit is $limit; fan-out with $FANOUT_SUBSCRIBERS subscribers needs $((FANOUT_SUBSCRIBERS + 1024)) (run as root)"
  fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ----------------------------------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------------------------------

# Starts a process pinned to the server cores with its output in RUN_DIR/NAME.log; sets STARTED_PID.
# Ursula's console log gets timestamps, so that elections and errors can be matched to runs.
start_server() {
  local name=$1
  shift
  URSULA_LOGGING__CONSOLE__FORMATTERNAME=simple \
    URSULA_LOGGING__CONSOLE__FORMATTEROPTIONS__TIMESTAMPFORMAT='HH:mm:ss.fff ' \
    "${PIN_SERVER[@]}" "$@" >"$RUN_DIR/$name.log" 2>&1 &
  STARTED_PID=$!
  SERVER_PIDS+=("$STARTED_PID")
}

# Waits until URL answers 200, failing early if PID exits meanwhile.
wait_healthy() {
  local name=$1 pid=$2 url=$3 seconds=${4:-120} i
  for ((i = 0; i < seconds * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -40 "$RUN_DIR/$name.log"; die "$name (pid $pid) exited while starting"; }
    curl -sf --max-time 2 -o /dev/null "$url" && return 0
    sleep 0.25
  done
  tail -40 "$RUN_DIR/$name.log"
  die "$name did not become ready at $url within ${seconds}s"
}

# The managed postmaster's PID is line 1 of DATA_DIR/postgres/postmaster.pid.
postmaster_pid() {
  local file=$1/postgres/postmaster.pid i
  for ((i = 0; i < 40; i++)); do
    [[ -s $file ]] && { head -1 "$file"; return 0; }
    sleep 0.25
  done
  die "no $file"
}

start_ursula_single() {
  local port=$PORT_BASE dir=$WORK_DIR/ursula-single${1:-} pg
  start_server ursula-single "$URSULA" serve --listen "127.0.0.1:$port" --data-dir "$dir"
  local pid=$STARTED_PID
  wait_healthy ursula-single "$pid" "http://127.0.0.1:$port/_ursula/health"
  pg=$(postmaster_pid "$dir")
  POSTMASTER_PIDS+=("$pg")
  URL[ursula-single]=http://127.0.0.1:$port
  WATCH[ursula-single]="--watch-pid server=$pid --watch-tree pg=$pg"
  log "ursula-single: pid $pid, PostgreSQL postmaster $pg, $dir"
}

start_ursula_cluster() {
  local i port members=() dir pid watch_pid=() watch_tree=() pg
  for i in 1 2 3; do
    CLUSTER_PORTS+=($((PORT_BASE + i)))
    members+=("http://127.0.0.1:$((PORT_BASE + i))")
  done
  local cluster
  cluster=$(IFS=,; echo "${members[*]}")
  # The nodes of a cluster must share a secret; through the environment, not the command line.
  URSULA_CLUSTERSECRET=$(head -c 24 /dev/urandom | base64 | tr -d '+/=')
  export URSULA_CLUSTERSECRET
  for i in 1 2 3; do
    port=${CLUSTER_PORTS[i - 1]}
    start_server "ursula-node$i" "$URSULA" serve --listen "127.0.0.1:$port" \
      --data-dir "$WORK_DIR/ursula-node$i" --cluster "$cluster"
    CLUSTER_PIDS+=("$STARTED_PID")
  done
  unset URSULA_CLUSTERSECRET
  for i in 1 2 3; do
    port=${CLUSTER_PORTS[i - 1]}
    pid=${CLUSTER_PIDS[i - 1]}
    dir=$WORK_DIR/ursula-node$i
    wait_healthy "ursula-node$i" "$pid" "http://127.0.0.1:$port/_ursula/health"
    pg=$(postmaster_pid "$dir")
    POSTMASTER_PIDS+=("$pg")
    watch_pid+=("n$i=$pid")
    watch_tree+=("pg$i=$pg")
    log "ursula-node$i: pid $pid, PostgreSQL postmaster $pg, $dir"
  done
  WATCH[ursula-cluster3]="--watch-pid $(IFS=,; echo "${watch_pid[*]}") --watch-tree $(IFS=,; echo "${watch_tree[*]}")"
  wait_for_leader
  CLUSTER_FIRST_LEADER=${URL[ursula-cluster3]}
}

# Prints the leader URL that a node reports and that itself reports role "leader"; fails if none.
current_leader() {
  local port json leader
  for port in "${CLUSTER_PORTS[@]}"; do
    json=$(curl -sf --max-time 2 "http://127.0.0.1:$port/_ursula/cluster") || continue
    leader=$(sed -n 's/.*"leader":"\([^"]*\)".*/\1/p' <<<"$json")
    [[ -n $leader ]] || continue
    curl -sf --max-time 2 "$leader/_ursula/cluster" | grep -q '"role":"leader"' || continue
    echo "$leader"
    return 0
  done
  return 1
}

wait_for_leader() {
  local i leader
  for ((i = 0; i < 240; i++)); do
    if leader=$(current_leader); then
      URL[ursula-cluster3]=$leader
      log "ursula-cluster3: leader is $leader; all cluster load goes there"
      return 0
    fi
    sleep 0.25
  done
  die "the three-node cluster elected no leader within 60s (logs: $RUN_DIR/ursula-node*.log)"
}

# Leadership may move under load; the next cluster run must target the new leader.
refresh_leader() {
  local leader
  leader=$(current_leader) || { log "warning: the cluster reports no leader right now"; return 1; }
  if [[ $leader != "${URL[ursula-cluster3]}" ]]; then
    LEADER_CHANGES=$((LEADER_CHANGES + 1))
    log "warning: cluster leader moved from ${URL[ursula-cluster3]} to $leader"
    URL[ursula-cluster3]=$leader
  fi
}

start_reference() {
  local label=$1 port=$2 pid
  shift 2
  start_server "$label" node "$BENCH_DIR/reference/serve.mjs" --port "$port" "$@"
  pid=$STARTED_PID
  # serve.mjs prints "ready <url>" once the server listens.
  local i
  for ((i = 0; i < 120; i++)); do
    grep -qs '^ready ' "$RUN_DIR/$label.log" && break
    kill -0 "$pid" 2>/dev/null || { tail -20 "$RUN_DIR/$label.log"; die "$label exited while starting"; }
    sleep 0.25
  done
  grep -q '^ready ' "$RUN_DIR/$label.log" || die "$label did not print 'ready'"
  URL[$label]=http://127.0.0.1:$port
  WATCH[$label]="--watch-pid server=$pid"
  log "$label: pid $pid, $(grep '^ready ' "$RUN_DIR/$label.log")"
}

# Which of our server processes belong to a label (for the liveness check before each run).
label_pids() {
  case $1 in
    ursula-cluster3) echo "${CLUSTER_PIDS[*]}" ;;
    *) sed -n 's/.*server=\([0-9]*\).*/\1/p' <<<"${WATCH[$1]}" ;;
  esac
}

# Stops everything we started: SIGTERM first (Ursula then flushes and stops its PostgreSQL),
# SIGKILL after 30 s, then any postmaster a killed node left behind. Runs on exit, Ctrl+C, failure.
cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM
  set +e # clean up as much as possible whatever fails
  if [[ -n ${BENCH_PID:-} ]]; then
    kill -TERM "$BENCH_PID" 2>/dev/null && log "stopped the running bench (pid $BENCH_PID)"
    wait "$BENCH_PID" 2>/dev/null
  fi
  if ((${#SERVER_PIDS[@]} > 0)); then
    log "stopping ${#SERVER_PIDS[@]} server processes"
    for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 120; i++)); do
      local alive=0
      for pid in "${SERVER_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      ((alive)) || break
      sleep 0.25
    done
    for pid in "${SERVER_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null && log "killed pid $pid after 30s"; done
    for pid in "${POSTMASTER_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null && { kill -INT "$pid" 2>/dev/null; log "stopped leftover postmaster $pid"; }
    done
    # Reap only our servers: a bare `wait` would also wait for the tee of the console log.
    for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  fi
  if [[ -n ${WORK_DIR:-} && -d $WORK_DIR ]]; then
    if [[ ${KEEP_DATA:-0} == 1 ]]; then
      log "data kept in $WORK_DIR"
    else
      sleep 1
      rm -rf "$WORK_DIR"
    fi
  fi
  exit "$rc"
}

# ----------------------------------------------------------------------------------------------
# Workloads
# ----------------------------------------------------------------------------------------------

# A metric of the newest line of the results file.
last_metric() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
    const m = JSON.parse(lines[lines.length - 1]).metrics[process.argv[2]];
    process.stdout.write(m === undefined || m === null ? "" : String(m));' "$JSONL" "$1"
}

result_lines() { [[ -f $JSONL ]] && wc -l <"$JSONL" || echo 0; }

# run_bench LABEL VERB [bench options...]: one run, pinned to the load-generator cores, output
# appended to RUN_DIR/bench-LABEL.log. Returns 0 (result written), 1 (result written, but the
# bench flagged lost data or failed verification), 3 (system dropped earlier: its server died) or
# 4 (no result: the run failed, e.g. a 503 during setup).
run_bench() {
  local label=$1 verb=$2 pid rc=0 before
  shift 2
  if [[ -n ${DEAD[$label]:-} ]]; then
    return 3
  fi
  for pid in $(label_pids "$label"); do
    if ! kill -0 "$pid" 2>/dev/null; then
      DEAD[$label]="server pid $pid exited"
      FAILURES+=("$label: server pid $pid died before round $ROUND $verb; see $RUN_DIR")
      log "ERROR: $label server pid $pid has exited; dropping $label from the rest of the run"
      return 3
    fi
  done
  if [[ $label == ursula-cluster3 ]]; then
    refresh_leader || true
  fi
  local bench_log=$RUN_DIR/bench-$label.log log_before
  before=$(result_lines)
  printf '\n=== %(%H:%M:%S)T round %s %s %s\n' -1 "$ROUND" "$verb" "$*" >>"$bench_log"
  log_before=$(wc -l <"$bench_log")
  # In the background plus `wait`, so that Ctrl+C or SIGTERM runs the cleanup trap at once
  # instead of after the run; the trap stops it. timeout guards against a hung run.
  # shellcheck disable=SC2086 # WATCH holds several options on purpose
  timeout -k 10 300 "${PIN_LOADGEN[@]}" "$BENCH" "$verb" --url "${URL[$label]}/bench" --label "$label" \
    --json "$JSONL" ${WATCH[$label]} "$@" >>"$bench_log" 2>&1 &
  BENCH_PID=$!
  wait "$BENCH_PID" || rc=$?
  BENCH_PID=
  if (($(result_lines) == before)); then
    FAILURES+=("$label: round $ROUND $verb wrote no result (exit $rc); see $bench_log")
    log "  $label: $verb FAILED without a result (exit $rc)"
    tail -n +"$((log_before + 1))" "$bench_log" | grep -E '^(failed|error|cancelled)' | tail -2 | sed 's/^/    /' || true
    return 4
  fi
  if ((rc != 0)); then
    WARNINGS+=("$label: round $ROUND $verb exit $rc (result kept; lost data or failed verification); see $bench_log")
    return 1
  fi
  return 0
}

ms() { awk -v us="$1" 'BEGIN { if (us == "") print "-"; else printf "%.1f", us / 1000 }'; }

append_peak() {
  local label=$1 rc=0
  run_bench "$label" append --streams 100 --concurrency 64 --payload 256 \
    --warmup "${WARMUP_SECONDS}s" --duration "${APPEND_SECONDS}s" --workload "$WL_PEAK" || rc=$?
  ((rc <= 1)) || return 0
  PEAK[$label]=$(last_metric appendsPerSec)
  log "  $label: $(last_metric appendsPerSec) appends/s, p99 $(ms "$(last_metric latP99Us)") ms, errors $(last_metric errors)"
}

append_half_peak() {
  local label=$1 rate rc=0
  if [[ -z ${PEAK[$label]:-} ]]; then
    log "  $label: no peak measured, skipping the half-peak run"
    return 0
  fi
  rate=$(awk -v p="${PEAK[$label]}" 'BEGIN { printf "%d", p / 2 }')
  ((rate > 0)) || return 0
  run_bench "$label" append --streams 100 --concurrency 64 --payload 256 --rate "$rate" \
    --warmup "${WARMUP_SECONDS}s" --duration "${APPEND_SECONDS}s" --workload "$WL_HALF" || rc=$?
  ((rc <= 1)) || return 0
  log "  $label: target $rate/s, got $(last_metric appendsPerSec)/s, p99 $(ms "$(last_metric latP99Us)") ms," \
    "p99 from scheduled send $(ms "$(last_metric schedP99Us)") ms"
}

fanout() {
  local label=$1 rc=0
  run_bench "$label" fanout --subscribers "$FANOUT_SUBSCRIBERS" --rate "$FANOUT_RATE" \
    --duration "${FANOUT_SECONDS}s" || rc=$?
  ((rc <= 1)) || return 0
  log "  $label: delivery p50 $(ms "$(last_metric deliveryP50Us)") ms, p99 $(ms "$(last_metric deliveryP99Us)") ms," \
    "$(last_metric publishedPerSec) appends/s published, $(last_metric subscribersReady) subscribers live," \
    "$(last_metric subscribersMissingData) missed data"
}

catchup() {
  local label=$1 rc=0
  run_bench "$label" catchup --readers "$CATCHUP_READERS" --size "$CATCHUP_SIZE" || rc=$?
  ((rc <= 1)) || return 0
  log "  $label: $(last_metric aggregateMBps) MB/s aggregate, verified $(last_metric verified)," \
    "pre-fill $(last_metric prefillMBps) MB/s"
}

# Stops a server started for LABEL (SIGTERM, then SIGKILL after 60 s) and starts it afresh: new
# process, empty data directory, same port. Its log so far is kept as LABEL-rounds.log.
restart_fresh() {
  local label=$1 pid i
  pid=$(label_pids "$label")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 240; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  mv "$RUN_DIR/$label.log" "$RUN_DIR/$label-rounds.log"
  case $label in
    ursula-single) start_ursula_single -fresh ;;
    ref-memory) start_reference ref-memory $((PORT_BASE + 10)) ;;
    *) die "restart_fresh: unknown label $label" ;;
  esac
}

# The memory target: a node holding 10,000 streams serves 1000 SSE subscribers. Runs once, on the
# single-process systems, after the rounds, each restarted fresh so that the figure is that of
# such a node and not of everything the rounds left in memory: create and fill 10,000 streams (a
# short closed-loop append run over them), then the fan-out on top; the fan-out's peak RSS is it.
memory_footprint() {
  local label=$1 rc=0
  restart_fresh "$label"
  run_bench "$label" append --streams "$MEMORY_STREAMS" --concurrency 64 --payload 256 \
    --warmup 1s --duration 5s --workload "$WL_MEM_STREAMS" || rc=$?
  ((rc <= 1)) || return 0
  log "  $label: $MEMORY_STREAMS streams filled, peak RSS $(last_metric rss.server.peakMB) MB (server process)"
  rc=0
  run_bench "$label" fanout --subscribers "$FANOUT_SUBSCRIBERS" --rate "$FANOUT_RATE" \
    --duration "${FANOUT_SECONDS}s" --workload "$WL_MEM_FANOUT" || rc=$?
  ((rc <= 1)) || return 0
  log "  $label: with $FANOUT_SUBSCRIBERS SSE subscribers on top, peak RSS $(last_metric rss.server.peakMB) MB (server process)," \
    "$(last_metric subscribersMissingData) missed data"
}

# The order of systems rotates every round, so no system always runs first (cold) or last.
rotated_labels() {
  local offset=$(($1 % ${#LABELS[@]})) i
  for ((i = 0; i < ${#LABELS[@]}; i++)); do
    echo "${LABELS[(i + offset) % ${#LABELS[@]}]}"
  done
}

# One unmeasured append run per system before the rounds, so that no system's first measured run
# pays for its JIT compiling (Ursula's .NET tiers, Node's V8) or its caches filling.
warm_up() {
  local label
  log "warm-up: ${WARMUP_RUN_SECONDS}s of appends per system, not measured"
  for label in "${LABELS[@]}"; do
    [[ $label == ursula-cluster3 ]] && { refresh_leader || true; }
    timeout -k 10 120 "${PIN_LOADGEN[@]}" "$BENCH" append --url "${URL[$label]}/warmup" --label "$label" \
      --streams 100 --concurrency 64 --payload 256 --warmup 0s --duration "${WARMUP_RUN_SECONDS}s" \
      >>"$RUN_DIR/bench-$label.log" 2>&1 || log "  $label: warm-up run failed (see $RUN_DIR/bench-$label.log)"
  done
}

run_rounds() {
  local label order
  warm_up
  for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    mapfile -t order < <(rotated_labels $((ROUND - 1)))
    log "round $ROUND/$ROUNDS: order ${order[*]}"
    log " append, closed loop (64 writers, 100 streams, 256 B, ${WARMUP_SECONDS}s + ${APPEND_SECONDS}s)"
    for label in "${order[@]}"; do append_peak "$label"; done
    log " append at 50% of each system's own peak (open loop, --rate)"
    for label in "${order[@]}"; do append_half_peak "$label"; done
    log " SSE fan-out ($FANOUT_SUBSCRIBERS subscribers, $FANOUT_RATE appends/s, ${FANOUT_SECONDS}s)"
    for label in "${order[@]}"; do fanout "$label"; done
    log " catch-up ($CATCHUP_READERS readers, $CATCHUP_SIZE)"
    for label in "${order[@]}"; do catchup "$label"; done
  done
  ROUND=memory
  log "memory: $MEMORY_STREAMS streams, then $FANOUT_SUBSCRIBERS SSE subscribers on top"
  for label in ursula-single ref-memory; do memory_footprint "$label"; done
}

# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------

# What the cluster's own logs say happened: elections, full snapshot installs on followers, and
# batches that failed because leadership moved (each is a 503 for the writes in it).
cluster_events() {
  local logs=("$RUN_DIR"/ursula-node*.log) elections snapshots lost
  elections=$(cat "${logs[@]}" | grep -c 'Transition to Leader state has completed' || true)
  snapshots=$(cat "${logs[@]}" | grep -c 'Installed a snapshot from the leader' || true)
  lost=$(cat "${logs[@]}" | grep -c 'failed: NotLeaderException' || true)
  echo "$elections leader elections (1 = only the first), $snapshots full snapshot installs on followers," \
    "$lost replicated batches failed with NotLeaderException"
}

# Facts a reader needs to judge the numbers, as one JSON object for 'Ursula.Bench report --machine'.
write_machine_info() {
  local file=$1 bench_seconds=$2 commit dirty=""
  commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # Only changes to the server itself make its numbers differ from the commit's.
  git -C "$REPO" diff --quiet HEAD -- Ursula.Server Ursula.Migrations sql 2>/dev/null \
    || dirty=" plus uncommitted server changes"
  MI_CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  MI_HYPERVISOR=$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1)
  MI_NPROC=$(nproc)
  MI_MEMORY=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  MI_KERNEL=$(uname -sr)
  # shellcheck source=/dev/null
  MI_OS=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -o)
  local pg_bins=(/usr/lib/postgresql/*/bin/postgres)
  MI_PG=$("${pg_bins[-1]}" --version 2>/dev/null || postgres --version)
  MI_REF=$(node -p 'require(process.argv[1]).version' "$BENCH_DIR/reference/node_modules/@durable-streams/server/package.json")
  MI_COMMIT="$commit$dirty"
  MI_DOTNET=$(dotnet --version)
  MI_NODE=$(node --version)
  MI_LEADER="first leader $CLUSTER_FIRST_LEADER; leader changes seen between runs: $LEADER_CHANGES"
  MI_EVENTS=$(cluster_events)
  # Runs that left no result show as "-" in the tables; say why next to them.
  MI_FAILED=none
  if ((${#FAILURES[@]} + ${#WARNINGS[@]} > 0)); then
    MI_FAILED=$(printf '%s; ' "${FAILURES[@]}" "${WARNINGS[@]}" | sed "s|$RESULTS_DIR/||g; s|; \$||")
  fi
  MI_LOAD="$LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1/5/15 min; this run's own processes included)"
  MI_BENCH_MIN=$(awk -v s="$bench_seconds" 'BEGIN { printf "%.1f min", s / 60 }')
  export MI_CPU MI_HYPERVISOR MI_NPROC MI_MEMORY MI_KERNEL MI_OS MI_PG MI_REF MI_COMMIT MI_DOTNET MI_NODE MI_LEADER MI_EVENTS MI_FAILED MI_LOAD MI_BENCH_MIN
  export SERVER_CPUS LOADGEN_CPUS ROUNDS APPEND_SECONDS WARMUP_SECONDS FANOUT_SECONDS FANOUT_SUBSCRIBERS FANOUT_RATE CATCHUP_READERS CATCHUP_SIZE
  MI_FILE=$file node --input-type=module <<'JS'
    const e = process.env;
    const info = {
      "date (UTC)": new Date().toISOString().slice(0, 16).replace("T", " "),
      "CPU": `${e.MI_CPU}${e.MI_HYPERVISOR ? ` (${e.MI_HYPERVISOR} guest)` : ""}`,
      "cores (nproc)": e.MI_NPROC,
      "memory": e.MI_MEMORY,
      "kernel": e.MI_KERNEL,
      "OS": e.MI_OS,
      "load average": e.MI_LOAD,
      "pinning (taskset)": e.SERVER_CPUS === "all" ? "none: servers, their PostgreSQL and the load generator share all cores" : `servers and their PostgreSQL on CPU ${e.SERVER_CPUS}, load generator on CPU ${e.LOADGEN_CPUS}`,
      "Ursula": `commit ${e.MI_COMMIT}, Release build, .NET SDK ${e.MI_DOTNET}, ${e.MI_PG} (managed, one per node)`,
      "reference": `@durable-streams/server ${e.MI_REF} on Node.js ${e.MI_NODE} (bench/reference/serve.mjs, compression off)`,
      "ursula-single": "one node, managed PostgreSQL in a fresh temp data dir",
      "ursula-cluster3": "three nodes on loopback (--cluster), own data dir and managed PostgreSQL each; all load at the Raft leader",
      "cluster leader": e.MI_LEADER,
      "cluster events (node logs)": e.MI_EVENTS,
      "failed or flagged runs": e.MI_FAILED,
      "ref-memory / ref-file": "reference server in-memory / file-backed (LMDB + append-only logs, fdatasync per append)",
      "rounds": `${e.ROUNDS}, systems alternate within each workload, order rotated each round`,
      "workloads": `append: 64 writers, 100 streams, 256 B, ${e.WARMUP_SECONDS} s warm-up + ${e.APPEND_SECONDS} s; `
        + `append @50%: same, --rate = half of that system's peak in the same round; `
        + `fanout: ${e.FANOUT_SUBSCRIBERS} SSE subscribers, ${e.FANOUT_RATE} appends/s for ${e.FANOUT_SECONDS} s; `
        + `catchup: ${e.CATCHUP_READERS} readers of one ${e.CATCHUP_SIZE} stream`,
      "memory metrics": "rss.server / rss.nN = the server process(es); rss.pg / rss.pgN = a PostgreSQL process tree, whose RSS counts shared buffers once per backend (its PSS does not); rssTotalPeakMB = all watched processes of the system by RSS, memTotalPeakMB = the same with PSS for the PostgreSQL trees",
      "benchmark time": `${e.MI_BENCH_MIN} of workloads (build, install and start-up excluded)`,
    };
    const { writeFileSync } = await import("node:fs");
    writeFileSync(e.MI_FILE, JSON.stringify(info, null, 2) + "\n");
JS
}

make_report() {
  local bench_seconds=$1 ratios
  write_machine_info "$RUN_DIR/machine.json" "$bench_seconds"
  ratios=ursula-single/ref-memory,ursula-single/ref-file,ursula-cluster3/ref-memory,ursula-cluster3/ref-file
  "$BENCH" report --in "$JSONL" --out "$RUN_DIR/report" --machine "$RUN_DIR/machine.json" --ratios "$ratios" \
    --title "Ursula vs the Node reference server" | sed 's/^/  /'
  # Publish: replace the previous results only now that this run has a complete report.
  rm -f "$RESULTS_DIR"/*.png "$RESULTS_DIR"/results.md "$RESULTS_DIR"/results.jsonl "$RESULTS_DIR"/machine.json
  cp "$JSONL" "$RESULTS_DIR/results.jsonl"
  cp "$RUN_DIR/machine.json" "$RESULTS_DIR/machine.json"
  cp "$RUN_DIR/report"/* "$RESULTS_DIR/"
  log "results: $RESULTS_DIR/results.md (raw logs: $RUN_DIR)"
}

# ----------------------------------------------------------------------------------------------

main() {
  local started=$SECONDS bench_started port
  RUN_DIR=$RESULTS_DIR/raw/$(date -u +%Y%m%dT%H%M%SZ)
  mkdir -p "$RUN_DIR"
  JSONL=$RUN_DIR/results.jsonl
  exec > >(tee -a "$RUN_DIR/run.log") 2>&1
  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT TERM

  # Other work on the machine skews every number; say so up front and in the results.
  LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
  if awk -v l="${LOAD_AT_START%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    log "warning: load average is $LOAD_AT_START on $(nproc) cores before the run; results will be noisy"
  fi
  ensure_prerequisites
  choose_cpus
  raise_open_files_limit
  build
  for port in "$PORT_BASE" $((PORT_BASE + 1)) $((PORT_BASE + 2)) $((PORT_BASE + 3)) $((PORT_BASE + 10)) $((PORT_BASE + 11)); do
    port_free "$port" || die "port $port is in use; set PORT_BASE to a free range"
  done

  # The managed PostgreSQL runs as the postgres account (as root), which must reach the data dirs.
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ursula-bench.XXXXXX")
  chmod 755 "$WORK_DIR"
  log "servers on CPUs: $SERVER_CPUS, load generator on CPUs: $LOADGEN_CPUS; data in $WORK_DIR; logs in $RUN_DIR"
  start_ursula_single
  start_ursula_cluster
  start_reference ref-memory $((PORT_BASE + 10))
  start_reference ref-file $((PORT_BASE + 11)) --data-dir "$WORK_DIR/ref-file"
  log "setup took $((SECONDS - started))s"

  bench_started=$SECONDS
  run_rounds
  local bench_seconds=$((SECONDS - bench_started))
  log "workloads took ${bench_seconds}s"
  make_report "$bench_seconds"
  log "total $((SECONDS - started))s"
  log "cluster: $(cluster_events)"

  if ((${#WARNINGS[@]} > 0)); then
    log "${#WARNINGS[@]} flagged result(s), kept in the report:"
    printf '  - %s\n' "${WARNINGS[@]}"
  fi
  if ((${#FAILURES[@]} > 0)); then
    log "${#FAILURES[@]} failure(s):"
    printf '  - %s\n' "${FAILURES[@]}"
    exit 1
  fi
}

main "$@"
