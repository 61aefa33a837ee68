#!/bin/bash
# test_crash.sh — crash sweep.  Invariant 1: an acknowledged write survives
# kill -9 at any point; and nothing half-written is ever visible.  Also
# meta invariant (2): every file an interrupted write leaves is found and
# reclaimed (no orphans, no leaks).
#
# Two kinds of kill points:
#   deterministic  HOLDFAST_CRASH_AT=N kills the process with SIGKILL at its
#                  N-th crash point (between every durable step of put,
#                  reclaim and repair); N is swept from 1 until the command
#                  completes, for several object sizes;
#   random         kill -9 after a random delay while puts, deletes and
#                  reclaims run.
# After every kill the store is reopened by the next command (which
# reclaims the dead writer's files).  At the end: every acknowledged
# version reads back byte-identical, every visible version reads back as
# exactly one of the contents written to its key, and the shard files on
# disk are exactly those of the stored versions.
# make test: >= 200 kill points; LONG=1: >= 1000.
. "$(dirname "$0")/lib.sh"

TARGET=200
[ "${LONG:-0}" = 1 ] && TARGET=1000
new_store --segment-size 65536
hf bucket create crash >/dev/null
mkdir -p "$WORK/src"
ACKS=$WORK/acks        # key vid sha
ATTEMPTS=$WORK/attempts  # key sha
DROPPED=$WORK/dropped  # vids removed on purpose
: >"$ACKS"; : >"$ATTEMPTS"; : >"$DROPPED"
kills=0

# attempt_put KEY FILE [CRASH_AT]: 0 acknowledged, 1 killed, 2 other failure
attempt_put() {
  local key=$1 f=$2 at=${3:-0} out rc sha
  sha=$(sha256sum <"$f" | cut -d' ' -f1)
  echo "$key $sha" >>"$ATTEMPTS"
  { out=$(HOLDFAST_CRASH_AT=$at "$HF" put "crash/$key" "$f" 2>"$WORK/err"); rc=$?; } 2>/dev/null
  if [ $rc = 0 ] && [ ${#out} = 32 ]; then echo "$key $out $sha" >>"$ACKS"; return 0; fi
  if [ $rc = 137 ]; then kills=$((kills + 1)); return 1; fi
  echo "  put failed without a kill: rc=$rc $(cat "$WORK/err")"; return 2
}

# 1. deterministic sweep over put's crash points
other_fail=0
for size in 0 1000 65535 65536 200001; do
  f=$WORK/src/det$size; rnd "$f" $size
  n=1
  while :; do
    attempt_put "det$size" "$f" $n; rc=$?
    [ $rc = 0 ] && break
    [ $rc = 2 ] && { other_fail=$((other_fail + 1)); break; }
    n=$((n + 1))
    [ $n -gt 100 ] && { fail "put of $size bytes never completed"; break; }
  done
  echo "  size $size: $((n - 1)) crash points in put"
done
[ $other_fail = 0 ] && pass "deterministic put sweep: only kills interrupted puts" \
                   || fail "deterministic put sweep: $other_fail puts failed without a kill"

# 2. deterministic sweep over reclaim of deleted versions
for i in 1 2 3; do rnd "$WORK/src/del$i" $((70000 * i)); attempt_put "del$i" "$WORK/src/del$i"; done
for i in 1 2 3; do
  vid=$(awk -v k=del$i '$1==k {print $2}' "$ACKS" | tail -n1)
  hf rm "crash/del$i" --version "$vid" >/dev/null && echo "$vid" >>"$DROPPED"
done
n=1
while :; do
  { HOLDFAST_CRASH_AT=$n "$HF" reclaim >/dev/null 2>&1; rc=$?; } 2>/dev/null
  [ $rc = 137 ] || break
  kills=$((kills + 1)); n=$((n + 1))
done
[ $rc = 0 ] && pass "reclaim completes after $((n - 1)) kills at its crash points" \
            || fail "reclaim after kills exited $rc"

# 3. random kill -9 while puts, deletes and reclaims run.  The delay is
# drawn from [0, 1.3 x the time a put takes here], so most commands die
# somewhere inside and some complete.
rnd "$WORK/src/probe" 600000
t0=$(date +%s%N); attempt_put probe "$WORK/src/probe"; t1=$(date +%s%N)
span_us=$(( (t1 - t0) * 13 / 10000 ))
[ $span_us -lt 2000 ] && span_us=2000
echo "  a 600 KB put takes $(( (t1 - t0) / 1000000 )) ms; kill delays up to $((span_us / 1000)) ms"
i=0
while [ $kills -lt $TARGET ]; do
  i=$((i + 1))
  key="r$((RANDOM % 8))"
  size=$(( (RANDOM * 32768 + RANDOM) % 600000 ))
  f=$WORK/src/rand; rnd "$f" $size
  sha=$(sha256sum <"$f" | cut -d' ' -f1)
  echo "$key $sha" >>"$ATTEMPTS"
  case $((RANDOM % 10)) in
    0) "$HF" rm "crash/$key" >"$WORK/out" 2>&1 & ;;
    1) "$HF" reclaim >"$WORK/out" 2>&1 & ;;
    *) "$HF" put "crash/$key" "$f" >"$WORK/out" 2>&1 & ;;
  esac
  pid=$!
  d=$(( (RANDOM * 32768 + RANDOM) % span_us ))
  sleep "$((d / 1000000)).$(printf '%06d' $((d % 1000000)))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null; rc=$?
  if [ $rc = 137 ]; then
    kills=$((kills + 1))
  elif [ $rc = 0 ] && grep -qE '^[0-9a-f]{32}$' "$WORK/out"; then
    echo "$key $(cat "$WORK/out") $sha" >>"$ACKS"
  fi
  [ $i -gt $((TARGET * 20)) ] && break
done
echo "  random phase: $i commands, kills so far $kills"

# Verification
hf reclaim >/dev/null 2>&1
lost=0
while read -r key vid sha; do
  grep -qx "$vid" "$DROPPED" && continue
  got=$("$HF" get "crash/$key" --version "$vid" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then lost=$((lost + 1)); echo "  LOST: $key $vid"; fi
done <"$ACKS"
acked=$(wc -l <"$ACKS")

torn=0 visible=0
hf ls crash --versions --json >"$WORK/ls.json"
python3 - "$WORK/ls.json" >"$WORK/visible" <<'PY'
import json, sys
for v in json.load(open(sys.argv[1])):
    if not v["delete_marker"]:
        print(v["key"], v["version"])
PY
while read -r key vid; do
  visible=$((visible + 1))
  "$HF" get "crash/$key" --version "$vid" >"$WORK/got" 2>/dev/null; rc=$?
  sha=$(sha256sum <"$WORK/got" | cut -d' ' -f1)
  if [ $rc != 0 ] || ! grep -qx "$key $sha" "$ATTEMPTS"; then
    torn=$((torn + 1)); echo "  TORN: $key $vid rc=$rc"
  fi
done <"$WORK/visible"

out=$(hf reclaim --orphans --json)
orphans=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["orphans"])')
files=$(find "$HOLDFAST_DATA/backends" -type f -name '*.*.*' | wc -l)
want=$((visible * 6))

echo "  kill points $kills, acknowledged $acked, acknowledged lost $lost, visible $visible, torn visible $torn, orphans found $orphans"
[ $kills -ge $TARGET ] && pass "at least $TARGET kill points ($kills)" || fail "only $kills kill points"
[ $lost = 0 ] && pass "no acknowledged write lost ($acked acknowledged)" || fail "$lost acknowledged writes lost"
[ $torn = 0 ] && pass "no torn version visible ($visible visible)" || fail "$torn torn versions visible"
[ "$orphans" = 0 ] && pass "no orphan shard files: interrupted writes were all reclaimed" \
                   || fail "$orphans orphan shard files found"
[ "$files" = "$want" ] && pass "shard files on disk = 6 x stored versions ($files)" \
                       || fail "shard files on disk $files, expected $want"
expect_exit 0 "scrub after the crash sweep finds full redundancy" "$HF" scrub
# The audit log went through every kill with the rest of the metadata: it
# still verifies, and every reclaim that removed files was logged first.
expect_exit 0 "the audit log verifies after the crash sweep" "$HF" audit verify
nrec=$("$HF" audit ls --kind object.reclaimed | wc -l)
[ "$nrec" -ge 3 ] && pass "reclaims logged through the kills ($nrec object.reclaimed entries)" \
                  || fail "only $nrec object.reclaimed entries after reclaiming 3 versions"
