#!/usr/bin/env bash
# Strom.Client against Confluent.Kafka 2.15.1 (librdkafka), same Strom broker, same run.
#
#   benchmarks/run-client.sh [--rounds R] [--records-1k N] [--records-100 N] [-X key=value]...
#
# Publishes `strom` (Release) and the reference client (benchmarks/Strom.Benchmarks.ClientRef),
# starts `dotnet strom.dll server` on a free port with a temporary log directory, and per round
# and record size (1 KiB, 100 B) creates two 8-partition topics, then runs, alternating which
# goes first: `strom bench produce` and the reference producer (acks=1, keyless, each client's
# own defaults otherwise), then `strom bench consume` and the reference consumer, both reading
# the same topic from the beginning. Client CPU is the process's utime+stime (all threads, from
# wait4's rusage, the same counters as /proc/PID/stat). -X key=value goes to both clients.
# Prints one markdown table row per measurement and the ratios Strom / librdkafka.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/artifacts/bench-client"
rounds=2
records_1k=500000
records_100=2000000
extra=()
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --records-1k) records_1k="$2"; shift 2 ;;
    --records-100) records_100="$2"; shift 2 ;;
    -X) extra+=("$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$out"
echo "==> publishing strom and the reference client" >&2
dotnet publish "$root/src/Strom.Cli/Strom.Cli.csproj" -c Release -o "$out/strom" -v q --nologo >&2
dotnet publish "$root/benchmarks/Strom.Benchmarks.ClientRef/Strom.Benchmarks.ClientRef.csproj" -c Release -o "$out/ref" -v q --nologo >&2

port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
data="$(mktemp -d /tmp/strom-bench-client.XXXXXX)"
bootstrap="127.0.0.1:$port"
dotnet "$out/strom/strom.dll" server --set "listeners=PLAINTEXT://$bootstrap" --set "log.dirs=$data" \
  --set num.partitions=8 >"$out/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 100); do
  /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
  sleep 0.2
done

strom() { dotnet "$out/strom/strom.dll" "$@"; }
xs=(); for x in "${extra[@]+"${extra[@]}"}"; do xs+=(-X "$x"); done

# Runs a command; prints its last stdout line followed by " | cpu <utime+stime seconds>".
measure() {
  /usr/bin/python3 - "$@" <<'PY'
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
text = p.stdout.read()
_, status, usage = os.wait4(p.pid, 0)
p.returncode = os.waitstatus_to_exitcode(status)
if p.returncode != 0:
    sys.exit(f"failed ({p.returncode}): {' '.join(sys.argv[1:])}\n{text}")
last = [l for l in text.splitlines() if l.strip()][-1]
print(f"{last} | cpu {usage.ru_utime + usage.ru_stime:.2f}")
PY
}

run() { # client mode size count topic
  local client="$1" mode="$2" size="$3" count="$4" topic="$5"
  if [[ "$client" == strom ]]; then
    measure dotnet "$out/strom/strom.dll" bench "$mode" --bootstrap-server "$bootstrap" --topic "$topic" \
      --num-records "$count" --record-size "$size" --acks 1 "${xs[@]+"${xs[@]}"}"
  else
    measure dotnet "$out/ref/Strom.Benchmarks.ClientRef.dll" "$mode" --bootstrap-server "$bootstrap" --topic "$topic" \
      --num-records "$count" --record-size "$size" --acks 1 "${xs[@]+"${xs[@]}"}"
  fi
}

results="$out/results.txt"
: >"$results"
echo "==> broker on $bootstrap, $rounds round(s), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq "$rounds"); do
  for size in 1024 100; do
    count=$([[ $size == 1024 ]] && echo "$records_1k" || echo "$records_100")
    order=(strom librdkafka); ((round % 2 == 0)) && order=(librdkafka strom)
    for client in "${order[@]}"; do
      topic="bench-r$round-s$size-$client"
      strom topic create "$topic" --bootstrap-server "$bootstrap" --partitions 8 --replication-factor 1 >/dev/null
      line="$(run "$client" produce "$size" "$count" "$topic")"
      echo "round $round | produce | $size | $client | $line" | tee -a "$results" >&2
    done
    for client in "${order[@]}"; do
      line="$(run "$client" consume "$size" "$count" "bench-r$round-s$size-librdkafka")"
      echo "round $round | consume | $size | $client | $line" | tee -a "$results" >&2
    done
  done
done

# Table and ratios (best of the rounds per client, as the machine is shared and noisy).
/usr/bin/python3 - "$results" <<'PY'
import re, sys
best = {}
for line in open(sys.argv[1]):
    parts = [p.strip() for p in line.split("|")]
    _, mode, size, client, summary, cpu = parts
    m = re.match(r"(\d+) records, ([\d.]+) records/s, ([\d.]+) MB/s", summary)
    records, rate, mbs = int(m[1]), float(m[2]), float(m[3])
    cpu = float(cpu.split()[1])
    gb = records * int(size) / 1e9
    key = (mode, size, client)
    if key not in best or rate > best[key][0]:
        best[key] = (rate, mbs, cpu / gb)
print("| test | record size | Strom.Client records/s (MB/s) | librdkafka records/s (MB/s) | ratio | Strom CPU s/GB | librdkafka CPU s/GB |")
print("|---|---|---|---|---|---|---|")
for mode in ("produce", "consume"):
    for size in ("1024", "100"):
        s, r = best.get((mode, size, "strom")), best.get((mode, size, "librdkafka"))
        if not s or not r:
            continue
        print(f"| {mode} | {size} B | {s[0]:.0f} ({s[1]:.1f}) | {r[0]:.0f} ({r[1]:.1f}) | {s[0] / r[0]:.2f}x | {s[2]:.1f} | {r[2]:.1f} |")
PY
