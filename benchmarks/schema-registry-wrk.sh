#!/usr/bin/env bash
# Schema Registry lookups by id (GET /schemas/ids/{id}, every consumer's hot path) under wrk,
# against the registry's bare GET / in the same run as the reference.
#
#   benchmarks/schema-registry-wrk.sh          # publishes src/Strom.Cli in Release unless STROM_DIR is set
#   STROM_DIR=/tmp/sr-bench THREADS=2 CONNECTIONS=64 SECONDS=15 SCHEMAS=100 benchmarks/schema-registry-wrk.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
threads=${THREADS:-2} connections=${CONNECTIONS:-64} seconds=${SECONDS_PER_RUN:-15} schemas=${SCHEMAS:-100}
work="$(mktemp -d /tmp/strom-sr-bench.XXXXXX)"
strom_dir=${STROM_DIR:-"$work/strom"}
if [[ ! -f "$strom_dir/strom.dll" ]]; then
  echo "publishing src/Strom.Cli (Release) to $strom_dir" >&2
  dotnet publish "$root/src/Strom.Cli/Strom.Cli.csproj" -c Release -o "$strom_dir" --nologo -v quiet >&2
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kafka_port=$(free_port) registry_port=$(free_port)
url="http://127.0.0.1:$registry_port"
dotnet "$strom_dir/strom.dll" server --set "log.dirs=$work/data" --set "listeners=PLAINTEXT://127.0.0.1:$kafka_port" \
  --set "schema.registry.listeners=$url" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; grep -E "fail|crit|Unhandled" "$work/server.log" | head -5 >&2; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "$url/" >/dev/null && break; sleep 0.2; done
echo "registering $schemas schemas" >&2
for i in $(seq "$schemas"); do
  curl -sf -XPOST -H 'Content-Type: application/vnd.schemaregistry.v1+json' "$url/subjects/bench-$i-value/versions" \
    -d "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R$i\\\",\\\"fields\\\":[{\\\"name\\\":\\\"f\\\",\\\"type\\\":\\\"long\\\"}]}\"}" >/dev/null
done
cat >"$work/ids.lua" <<LUA
local n = 0
request = function()
  n = n % $schemas + 1
  return wrk.format("GET", "/schemas/ids/" .. n)
end
LUA
run() { wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@" | tee -a "$work/wrk.txt" >&2; }
rate() { awk '/Requests\/sec/ {r = $2} END {print r}' "$work/wrk.txt"; }
echo "warm-up" >&2; wrk -t"$threads" -c"$connections" -d5s -s "$work/ids.lua" "$url" >/dev/null; wrk -t"$threads" -c"$connections" -d5s "$url/" >/dev/null
echo "== reference: GET /" >&2; run "$url/"; ref=$(rate)
echo "== GET /schemas/ids/{1..$schemas}" >&2; run -s "$work/ids.lua" "$url"; ids=$(rate)
echo "== reference again: GET /" >&2; run "$url/"; ref2=$(rate)
printf 'reference GET /: %s and %s req/s; lookups by id: %s req/s; ratio to the mean reference: %.2f\n' "$ref" "$ref2" "$ids" \
  "$(python3 -c "print($ids / (($ref + $ref2) / 2))")"
