#!/usr/bin/env bash
# kcat 1.7.1 (librdkafka 2.0.2): produce or verify the interop data set (see README.md).
# kcat has no admin API and cannot set record timestamps: the broker auto-creates the topic
# (num.partitions=3); records carry the producer's clock and only the "codec" header.
set -euo pipefail

codecs=(none gzip snappy lz4 zstd)
partitions=3
per_codec=30
timeout_s=60

fail() { echo "FAIL: $*" >&2; exit 1; }

bootstrap="" topic="" phase=""
while (($#)); do
  case "$1" in
    --bootstrap) bootstrap="$2"; shift 2 ;;
    --topic) topic="$2"; shift 2 ;;
    produce|verify) phase="$1"; shift ;;
    *) fail "unknown argument '$1' (usage: --bootstrap HOST:PORT --topic NAME produce|verify)" ;;
  esac
done
[[ -n "$bootstrap" && -n "$topic" && -n "$phase" ]] || fail "usage: --bootstrap HOST:PORT --topic NAME produce|verify"
command -v kcat >/dev/null || fail "kcat is not installed (apt-get install -y kcat)"

value() { # codec i
  local v="v-$1-$2-" n
  for ((n = 0; n <= $2 % 7; n++)); do v+="abcdefghij"; done
  printf '%s' "$v"
}

# The records expected at partition $1, one "offset|key|value|headers" line each.
expected() {
  local p="$1" offset=0 codec i
  for codec in "${codecs[@]}"; do
    for ((i = p; i < per_codec; i += partitions)); do
      printf '%d|k-%s-%d|%s|codec=%s\n' "$offset" "$codec" "$i" "$(value "$codec" "$i")" "$codec"
      offset=$((offset + 1))
    done
  done
}

check_topic() {
  local meta count
  meta="$(kcat -b "$bootstrap" -m "$timeout_s" -L -t "$topic" 2>&1)" || fail "metadata for $topic: $meta"
  count="$(grep -c '^    partition ' <<<"$meta" || true)"
  [[ "$count" == "$partitions" ]] || fail "topic $topic has $count partitions, expected $partitions (kcat cannot create topics: run the broker with num.partitions=$partitions):"$'\n'"$meta"
}

produce() {
  local codec p i out
  check_topic
  for codec in "${codecs[@]}"; do
    for ((p = 0; p < partitions; p++)); do
      # -X delivery reports: kcat exits non-zero if any record fails; -T echoes what was sent.
      out="$(for ((i = p; i < per_codec; i += partitions)); do
               printf 'k-%s-%d|%s\n' "$codec" "$i" "$(value "$codec" "$i")"
             done | kcat -b "$bootstrap" -m "$timeout_s" -P -t "$topic" -p "$p" -K '|' -z "$codec" \
                      -H "codec=$codec" -X acks=all -X message.timeout.ms=$((timeout_s * 1000)) 2>&1)" \
        || fail "codec $codec partition $p: kcat produce failed: $out"
      if grep -qiE 'error|fail' <<<"$out"; then fail "codec $codec partition $p: $out"; fi
    done
  done
}

verify() {
  local p got want start now ts line
  check_topic
  now=$(( $(date +%s) * 1000 ))
  for ((p = 0; p < partitions; p++)); do
    got="$(kcat -b "$bootstrap" -m "$timeout_s" -C -t "$topic" -p "$p" -o beginning -e -q \
             -f '%o|%k|%s|%h|%T\n' 2>&1)" || fail "partition $p: kcat consume failed: $got"
    want="$(expected "$p")"
    # Timestamps come from the producer's clock: check them apart, then compare the rest.
    while IFS= read -r line; do
      ts="${line##*|}"
      [[ "$ts" =~ ^[0-9]+$ ]] && ((ts > 1600000000000 && ts <= now + 60000)) \
        || fail "partition $p: bad CreateTime timestamp in '$line'"
    done <<<"$got"
    got="$(sed 's/|[^|]*$//' <<<"$got")"
    if [[ "$got" != "$want" ]]; then
      fail "partition $p differs from what was produced (- expected, + read):"$'\n'"$(diff <(echo "$want") <(echo "$got") | head -20)"
    fi
  done
}

"$phase"
echo "OK: $phase $topic"
