#!/usr/bin/env bash
# End-to-end benchmark: Strom against librdkafka's mock cluster (the reference), same run, same
# load generators, results as ratios. Prints a table and writes the raw RESULT lines next to it.
#
#   benchmarks/run-e2e.sh                  # full run (~5-8 minutes)
#   QUICK=1 benchmarks/run-e2e.sh          # smaller volumes, for trying the script
#
# Knobs (environment): N_1K, N_100 (records per throughput run), REPEAT (runs per case, best
# kept), LAT_RATE/LAT_SECONDS (latency case), LAG_RATE/LAG_SECONDS (lag case), MOCK_HOST
# (strom-load: mock hosted by our generator with 8 partitions; kcat: the kcat-hosted mock,
# whose auto-created topics have 4 partitions), STROM_DIR (an existing `strom` publish
# directory to use instead of publishing), OUT (where results go).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  N_1K=${N_1K:-100000} N_100=${N_100:-300000} REPEAT=${REPEAT:-1}
  LAT_SECONDS=${LAT_SECONDS:-5} LAG_SECONDS=${LAG_SECONDS:-5}
fi
N_1K=${N_1K:-400000}
N_100=${N_100:-1500000}
REPEAT=${REPEAT:-2}
LAT_RATE=${LAT_RATE:-10000}
LAT_SECONDS=${LAT_SECONDS:-15}
LAG_RATE=${LAG_RATE:-30000}
LAG_SECONDS=${LAG_SECONDS:-15}
MOCK_HOST=${MOCK_HOST:-strom-load}
PARTITIONS=8
work="$(mktemp -d /tmp/strom-bench.XXXXXX)"
OUT=${OUT:-$work/results.txt}
pids=()

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work/strom-data" "$work"/*.txt.rec "$work/redist" "$work/feed"
  [[ ${STROM_DIR:-} == "$work/strom" ]] && rm -rf "$work/strom"
  return 0
}
trap cleanup EXIT

# --- build -----------------------------------------------------------------------------------
# Confluent.Kafka restores only with a local stand-in for librdkafka.redist (it then loads
# Debian's librdkafka.so.1). Use the repository's .ci feed when it has one, else pack our own.
restore_args=()
if [[ ! -d ~/.nuget/packages/librdkafka.redist/2.15.1 ]]; then
  if [[ -f "$root/.ci/librdkafka-redist/librdkafka.redist.csproj" ]]; then
    dotnet pack "$root/.ci/librdkafka-redist/librdkafka.redist.csproj" -o "$root/.ci/feed" --nologo -v q >&2
  else
    mkdir -p "$work/redist"
    echo "Empty stand-in for librdkafka.redist." > "$work/redist/README.md"
    cat > "$work/redist/librdkafka.redist.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <PackageId>librdkafka.redist</PackageId>
    <Version>2.15.1</Version>
    <IncludeBuildOutput>false</IncludeBuildOutput>
    <SuppressDependenciesWhenPacking>true</SuppressDependenciesWhenPacking>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <NoWarn>$(NoWarn);NU5128</NoWarn>
    <PackageReadmeFile>README.md</PackageReadmeFile>
  </PropertyGroup>
  <ItemGroup><None Include="README.md" Pack="true" PackagePath="" /></ItemGroup>
</Project>
EOF
    dotnet pack "$work/redist/librdkafka.redist.csproj" -o "$work/feed" --nologo -v q >&2
    restore_args=(--source "$work/feed" --source https://api.nuget.org/v3/index.json)
  fi
fi
load_proj="$root/benchmarks/Strom.Benchmarks.Load/Strom.Benchmarks.Load.csproj"
log "building load generator"
dotnet restore "$load_proj" "${restore_args[@]}" -v q >&2
dotnet build "$load_proj" -c Release --no-restore --nologo -v q -clp:ErrorsOnly >&2
load="$root/benchmarks/Strom.Benchmarks.Load/bin/Release/net10.0/strom-load.dll"
if [[ -z ${STROM_DIR:-} ]]; then
  STROM_DIR="$work/strom"
  log "publishing strom (Release)"
  dotnet publish "$root/src/Strom.Cli/Strom.Cli.csproj" -c Release -o "$STROM_DIR" --nologo -v q -clp:ErrorsOnly >&2
fi

# --- record files for kcat -P -l (one record per line) -------------------------------------------
gen_file() { # size count path
  python3 - "$1" "$2" "$3" <<'EOF'
import random, string, sys
size, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(1)
pool = ''.join(rnd.choices(string.ascii_letters + string.digits, k=1 << 20))
with open(path, 'w') as f:
    for _ in range(count):
        o = rnd.randrange(0, len(pool) - size)
        f.write(pool[o:o + size] + '\n')
EOF
}
log "writing record files ($N_1K x 1024 B, $N_100 x 100 B)"
gen_file 1024 "$N_1K" "$work/1k.txt.rec"
gen_file 100 "$N_100" "$work/100.txt.rec"

# --- brokers -----------------------------------------------------------------------------------
topics=(warmup kcat-1k kcat-100 cfk-1k cfk-100 lag lat)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mock_partitions=$PARTITIONS
start_mock() {
  if [[ $MOCK_HOST == kcat ]]; then
    mock_partitions=4 # what the kcat-hosted mock auto-creates; it cannot be told otherwise
    kcat -X test.mock.num.brokers=1 -b 127.0.0.1:9 -C -t idle -o end >/dev/null 2>"$work/mock.err" &
    mock_pid=$!
    for _ in $(seq 100); do
      mock_addr=$(tr -d '\0' < "$work/mock.err" | grep -o 'replaced with [0-9.:]*' | head -1 | awk '{print $3}') || true
      [[ -n $mock_addr ]] && break
      sleep 0.1
    done
    for t in "${topics[@]}"; do kcat -b "$mock_addr" -L -t "$t" >/dev/null 2>&1; done # Metadata auto-creates them
  else
    dotnet "$load" mock --topic "$(IFS=,; echo "${topics[*]}")" --partitions $PARTITIONS >"$work/mock.out" 2>"$work/mock.err" &
    mock_pid=$!
    for _ in $(seq 100); do
      mock_addr=$(grep -o 'bootstrap=[^ ]*' "$work/mock.out" 2>/dev/null | cut -d= -f2) || true
      [[ -n $mock_addr ]] && break
      sleep 0.1
    done
  fi
  pids+=("$mock_pid")
  [[ -n $mock_addr ]] || { echo "mock cluster did not start" >&2; exit 1; }
}

start_strom() {
  local port; port=$(free_port)
  strom_addr=127.0.0.1:$port
  dotnet "$STROM_DIR/strom.dll" server --set "listeners=PLAINTEXT://$strom_addr" --set "log.dirs=$work/strom-data" \
    --set num.partitions=$PARTITIONS >"$work/strom.log" 2>&1 &
  strom_pid=$!
  pids+=("$strom_pid")
  for _ in $(seq 100); do
    grep -q 'listening' "$work/strom.log" && break
    sleep 0.1
  done
  for t in "${topics[@]}"; do
    dotnet "$load" create-topic --bootstrap "$strom_addr" --topic "$t" --partitions $PARTITIONS >/dev/null
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk_tck=$(getconf CLK_TCK)
now() { date +%s.%N; }

log "starting mock cluster ($MOCK_HOST) and strom"
start_mock
start_strom
log "mock at $mock_addr (pid $mock_pid), strom at $strom_addr (pid $strom_pid)"
sleep 2

# --- cases -------------------------------------------------------------------------------------
# Each case runs on the mock, then on Strom, REPEAT times, interleaved so that noise from other
# work on the machine hits both alike. Every run appends one RESULT line to $OUT with the
# broker's CPU seconds (utime+stime from /proc/<pid>/stat) spent during the run.
: > "$OUT"
{
  echo "# strom run-e2e $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "# host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# mock host: $MOCK_HOST; $(kcat -V 2>&1 | grep -o 'Version [0-9.]*' | head -1 | sed 's/Version /kcat /'), $(kcat -V 2>&1 | grep -o 'librdkafka [0-9.]*' | head -1)"
} >> "$OUT"

run_case() { # name broker(mock|strom) command...
  local name=$1 which=$2; shift 2
  local pid addr parts
  if [[ $which == mock ]]; then pid=$mock_pid addr=$mock_addr parts=$mock_partitions; else pid=$strom_pid addr=$strom_addr parts=$PARTITIONS; fi
  local cmd=("${@//@BOOTSTRAP@/$addr}")
  cmd=("${cmd[@]//@PARTITIONS@/$parts}")
  local c0 t0 c1 t1 out
  c0=$(cpu_ticks "$pid"); t0=$(now)
  out=$("${cmd[@]}" 2>>"$work/generators.log" | grep '^RESULT' | tail -1 || true)
  t1=$(now); c1=$(cpu_ticks "$pid")
  local cpu; cpu=$(awk -v a="$c0" -v b="$c1" -v h="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / h }')
  local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  echo "CASE name=$name broker=$which wall_s=$wall broker_cpu_s=$cpu ${out#RESULT }" >> "$OUT"
  log "$name on $which: wall ${wall}s, broker cpu ${cpu}s ${out#RESULT }" 
}

kcat_produce() { # topic file count -> prints a RESULT line like strom-load's produce
  local addr=$1 topic=$2 file=$3 count=$4 size=$5 t0 t1
  t0=$(now)
  kcat -P -b "$addr" -t "$topic" -l -X acks=1 -X linger.ms=5 -X batch.size=1000000 \
    -X queue.buffering.max.messages=1000000 -X queue.buffering.max.kbytes=1048576 "$file" >&2
  t1=$(now)
  awk -v a="$t0" -v b="$t1" -v n="$count" -v s="$size" \
    'BEGIN { d = b - a; printf "RESULT mode=kcat-produce size=%d count=%d seconds=%.3f msgps=%.0f mbps=%.1f\n", s, n, d, n / d, n * s / d / 1e6 }'
}
export -f kcat_produce now

# Warm-up, not recorded: a server runs for days, so its JIT should be past tiering before it is
# measured (the mock is native code). Same traffic for both brokers.
log "warm-up"
for b in mock strom; do
  if [[ $b == mock ]]; then addr=$mock_addr; else addr=$strom_addr; fi
  kcat_produce "$addr" warmup "$work/1k.txt.rec" "$N_1K" 1024 >/dev/null 2>>"$work/generators.log"
  kcat_produce "$addr" warmup "$work/100.txt.rec" "$N_100" 100 >/dev/null 2>>"$work/generators.log"
  dotnet "$load" produce --bootstrap "$addr" --topic warmup --count "$((N_1K / 2))" --size 1024 >/dev/null 2>>"$work/generators.log"
  dotnet "$load" produce --bootstrap "$addr" --topic warmup --count "$((N_100 / 2))" --size 100 >/dev/null 2>>"$work/generators.log"
  dotnet "$load" e2e --bootstrap "$addr" --topic warmup --partitions "$([[ $b == mock ]] && echo "$mock_partitions" || echo $PARTITIONS)" --rate 10000 --size 1024 --seconds 3 --warmup-seconds 1 \
    --linger-ms 5 --fetch-wait-max-ms 10 >/dev/null 2>>"$work/generators.log"
done

for r in $(seq "$REPEAT"); do
  for b in mock strom; do
    run_case kcat-1k "$b" bash -c "kcat_produce @BOOTSTRAP@ kcat-1k $work/1k.txt.rec $N_1K 1024"
    run_case kcat-100 "$b" bash -c "kcat_produce @BOOTSTRAP@ kcat-100 $work/100.txt.rec $N_100 100"
    run_case cfk-1k "$b" dotnet "$load" produce --bootstrap @BOOTSTRAP@ --topic cfk-1k --count "$N_1K" --size 1024
    run_case cfk-100 "$b" dotnet "$load" produce --bootstrap @BOOTSTRAP@ --topic cfk-100 --count "$N_100" --size 100
  done
done
for b in mock strom; do
  run_case lag "$b" dotnet "$load" e2e --bootstrap @BOOTSTRAP@ --topic lag --partitions @PARTITIONS@ --rate "$LAG_RATE" --size 1024 \
    --seconds "$LAG_SECONDS" --linger-ms 5 --fetch-wait-max-ms 10
done
for b in mock strom; do
  run_case lat "$b" dotnet "$load" e2e --bootstrap @BOOTSTRAP@ --topic lat --partitions @PARTITIONS@ --rate "$LAT_RATE" --size 1024 \
    --seconds "$LAT_SECONDS" --linger-ms 5 --fetch-wait-max-ms 10
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"

# --- table -------------------------------------------------------------------------------------
python3 "$root/benchmarks/summarize.py" "$OUT"
log "raw results: $OUT"
