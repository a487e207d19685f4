#!/usr/bin/env bash
# Strom's one test command (also what CI runs, through .ci/run).
#
#   ./test.sh                 install what the tests need, build, run every test suite
#   ./test.sh --filter EXPR   pass a test filter to dotnet test (e.g. --filter FullyQualifiedName~Interop)
#
# On a Debian 12 machine with only the .NET SDK it installs the real Kafka clients the interop
# tests drive (apt, as root or through sudo; npm for kafkajs and the JavaScript registry clients), packs the empty librdkafka.redist
# stand-in into .ci/feed, runs `dotnet test Strom.slnx`, and prints as its last line
# "N passed, N failed" over every suite. Exits non-zero if anything failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

results="$root/artifacts/test-results"
apt_packages=(python3-kafka python3-confluent-kafka python3-requests python3-jsonschema json-schema-test-suite python3-snappy python3-lz4 python3-zstandard kcat librdkafka1 gcc libc6-dev python3-protobuf protobuf-compiler libprotobuf-dev)

step() { printf '\n==> %s\n' "$*"; }
warn() { printf 'test.sh: %s\n' "$*" >&2; }

install_apt_packages() {
  local missing=() p sudo=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    echo "all Debian packages present"
    return 0
  fi
  if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n -E)
    else
      warn "missing Debian packages (${missing[*]}) and neither root nor passwordless sudo: the tests that need them will fail"
      return 0
    fi
  fi
  echo "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq || warn "apt-get update failed"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || warn "apt-get install failed: the tests that need ${missing[*]} will fail"
}

install_npm_packages() {
  local name="$1" dir="$root/tests/clients/$1"
  if ! command -v npm >/dev/null; then
    warn "npm is missing: the tests using tests/clients/$name will fail"
    return 0
  fi
  if [[ -f "$dir/node_modules/.package-lock.json" && ! "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "npm packages of tests/clients/$name present"
    return 0
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || warn "npm ci failed in tests/clients/$name: the tests using it will fail"
}

pack_librdkafka_stand_in() {
  if [[ -f "$root/.ci/feed/librdkafka.redist.2.15.1.nupkg" ]]; then
    echo "librdkafka.redist stand-in present"
    return 0
  fi
  dotnet pack "$root/.ci/librdkafka-redist/librdkafka.redist.csproj" -c Release --nologo -v quiet \
    || warn "packing the librdkafka.redist stand-in failed: Strom.Interop.Tests cannot restore"
}

# Sums dotnet test's per-assembly summary lines ("Failed!  - Failed: 1, Passed: 9, Skipped: 0, ...")
# from the log: prints "passed failed skipped". A test host that crashed or hung prints no
# summary; dotnet test's exit status catches it.
count_results() {
  awk '/^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
         gsub(/,/, ""); f += $4; p += $6; s += $8 }
       END { printf "%d %d %d\n", p, f, s }' "$log"
}

step "Debian packages"
install_apt_packages
step "npm packages (tests/clients/js: kafkajs; tests/clients/js-schema: registry clients)"
install_npm_packages js
install_npm_packages js-schema
step "librdkafka.redist stand-in (.ci/feed)"
pack_librdkafka_stand_in

step "dotnet test Strom.slnx"
rm -rf "$results" && mkdir -p "$results"
log="$results/dotnet-test.log"
dotnet test "$root/Strom.slnx" "$@" --results-directory "$results" \
  --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

read -r passed failed skipped < <(count_results)
if ((status != 0 && failed == 0)); then
  warn "dotnet test exited with $status but no test failed: a build or test host error (see above); counted as one failure"
  failed=1
fi
echo
if ((skipped > 0)); then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
((failed == 0))
