#!/bin/bash
# test_crash_server.sh — kill -9 of the SERVER during small PUTs.
# Invariant 1: an acknowledged write survives kill -9 of the server at any
# point; nothing half-written is ever visible; every file of an
# interrupted write is found and reclaimed.  Small PUTs are committed in
# groups by the server's committer (src/store/group.c): reservations whose
# intents are committed ahead, shard files written by the connection, one
# sync and one transaction per group, the acknowledgement after COMMIT.
#
#   deterministic  the server runs with HOLDFAST_CRASH_AT=N and receives
#                  three PUTs at once (two new keys in a versioned bucket,
#                  an overwrite of one key in an unversioned bucket, which
#                  hides the old null version and logs it in the group's
#                  transaction); N is swept from 1 until all three are
#                  acknowledged: kills at startup (the reservation pool's
#                  refill), between file creations, after the writes, after
#                  the group's sync barrier, after its COMMIT;
#   random         kill -9 after a random delay while 8 clients PUT small
#                  objects (and now and then one of 1.5 MiB, the path of one
#                  write alone) at once.
# After every kill the server restarts on the same store (reclaiming the
# dead one's reservations and files).  At the end: every acknowledged
# version reads back byte-identical; every visible version is exactly one
# of the contents sent to its key; the unversioned key holds the last
# acknowledged content or a later attempt; the shard files on disk are
# exactly those of the stored versions; scrub and the audit log verify.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

start_server                        # fresh store, user alice; stopped below
ACKS=$WORK/acks          # bucket key vid sha
ATTEMPTS=$WORK/attempts  # bucket key sha
OVER=$WORK/over          # seq sha acked(0/1): the unversioned key, in order
: >"$ACKS"; : >"$ATTEMPTS"; : >"$OVER"
kills=0
CURL_S3=(-sS --aws-sigv4 "aws:amz:us-east-1:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD"
         --user "$AK:$SK" --max-time 30)
s3curl() { curl "${CURL_S3[@]}" "$@"; }

s3curl -f -X PUT "$EP/crashv" -o /dev/null || { fail "create bucket crashv"; exit 1; }
aws_s3 s3api put-bucket-versioning --bucket crashv \
  --versioning-configuration Status=Enabled >/dev/null || { fail "enable versioning on crashv"; exit 1; }
s3curl -f -X PUT "$EP/crashu" -o /dev/null || { fail "create bucket crashu"; exit 1; }
stop_server

# serve [ENV=VALUE...]: start the server on the store (the same port).
serve() {
  env "$@" "$HF" serve --listen "127.0.0.1:$PORT" 2>>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$EP/" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || return 1      # killed at startup
    sleep 0.05
  done
  return 1
}
# reap: wait for the server; count a kill -9
reap() {
  local rc
  { wait "$SERVER_PID"; } 2>/dev/null; rc=$?
  SERVER_PID=
  [ $rc = 137 ] && kills=$((kills + 1))
  return $rc
}

mkdir -p "$WORK/src"
sizes=(0 1 4096 65535 65536 100000 300000 1048576)
for i in "${!sizes[@]}"; do rnd "$WORK/src/f$i" "${sizes[$i]}"; done
rnd "$WORK/src/big" 1572864         # above GROUP_MAX_BYTES: written alone
sha_of() { sha256sum <"$1" | cut -d' ' -f1; }

# put BUCKET KEY FILE: PUT; on 200 record the acknowledgement
put() {
  local b=$1 k=$2 f=$3 sha hdr code vid
  sha=$(sha_of "$f")
  echo "$b $k $sha" >>"$ATTEMPTS"
  hdr=$WORK/h.$BASHPID
  code=$(s3curl -o /dev/null -D "$hdr" -w '%{http_code}' -T "$f" "$EP/$b/$k" 2>/dev/null)
  if [ "$code" = 200 ]; then
    vid=$(tr -d '\r' <"$hdr" | awk 'tolower($1) == "x-amz-version-id:" { print $2 }')
    echo "$b $k ${vid:-null} $sha" >>"$ACKS"
    rm -f "$hdr"; return 0
  fi
  rm -f "$hdr"; return 1
}

# 1. deterministic sweep over the server's crash points
seq_over=0
n=1
while :; do
  # The CLI opens the store first and reclaims the last run's leftovers, so
  # the crash points counted are the server's own (startup, PUTs, groups).
  hf reclaim >/dev/null 2>&1
  serve HOLDFAST_CRASH_AT=$n || { reap; n=$((n + 1)); [ $n -gt 200 ] && break; continue; }
  a=$((n % ${#sizes[@]})) b=$(((n + 3) % ${#sizes[@]})) c=$(((n + 5) % ${#sizes[@]}))
  seq_over=$((seq_over + 1))
  put crashv "d$n-a" "$WORK/src/f$a" & p1=$!
  put crashv "d$n-b" "$WORK/src/f$b" & p2=$!
  put crashu over "$WORK/src/f$c" & p3=$!
  ok=0
  wait $p1 && ok=$((ok + 1)); wait $p2 && ok=$((ok + 1))
  if wait $p3; then echo "$seq_over $(sha_of "$WORK/src/f$c") 1" >>"$OVER"; ok=$((ok + 1))
  else echo "$seq_over $(sha_of "$WORK/src/f$c") 0" >>"$OVER"; fi
  if [ $ok = 3 ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; reap; break
  fi
  kill -9 "$SERVER_PID" 2>/dev/null; reap
  n=$((n + 1))
  [ $n -gt 200 ] && { fail "the PUTs never completed in 200 server runs"; break; }
done
det_kills=$kills
echo "  deterministic sweep: $det_kills kills over $((n - 1)) crash points"
[ $det_kills -ge 8 ] && pass "deterministic sweep of the server's crash points ($det_kills kills)" \
                     || fail "deterministic sweep killed the server only $det_kills times"

# 2. random kill -9 while 8 clients PUT at once
TARGET=15
[ "${LONG:-0}" = 1 ] && TARGET=60
client() {
  local id=$1 j=0 f
  while :; do
    j=$((j + 1))
    f=$WORK/src/f$(( (RANDOM % ${#sizes[@]}) ))
    [ $((RANDOM % 20)) = 0 ] && f=$WORK/src/big
    put crashv "r$id-$j-$RANDOM" "$f"
  done
}
round=0
while [ $round -lt $TARGET ]; do
  round=$((round + 1))
  serve || { fail "server did not restart (round $round)"; break; }
  pids=()
  for c in 1 2 3 4 5 6 7 8; do client "$round.$c" & pids+=($!); done
  sleep "0.$(printf '%03d' $((200 + RANDOM % 800)))"
  kill -9 "$SERVER_PID"; reap
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
done
echo "  random phase: $round rounds; kills in all $kills"
nacked=$(awk '$1 == "crashv" && $2 ~ /^r/' "$ACKS" | wc -l)
[ "$nacked" -gt 0 ] && pass "PUTs were acknowledged between the kills ($nacked)" \
                    || fail "no PUT was acknowledged in the random phase"

# Verification (the CLI reopens the store and reclaims the dead server's leftovers)
hf reclaim >/dev/null 2>&1
lost=0
while read -r b k vid sha; do
  [ "$b" = crashv ] || continue
  got=$("$HF" get "$b/$k" --version "$vid" 2>/dev/null | sha256sum | cut -d' ' -f1)
  [ "$got" = "$sha" ] || { lost=$((lost + 1)); echo "  LOST: $b/$k $vid"; }
done <"$ACKS"
acked=$(wc -l <"$ACKS")
[ $lost = 0 ] && pass "no acknowledged PUT lost ($acked acknowledged)" \
              || fail "$lost acknowledged PUTs lost"

torn=0 visible=0
for b in crashv crashu; do
  hf ls "$b" --versions --json >"$WORK/ls.json"
  python3 - "$WORK/ls.json" <<'PY' >"$WORK/visible"
import json, sys
for v in json.load(open(sys.argv[1])):
    if not v["delete_marker"]:
        print(v["key"], v["version"])
PY
  while read -r k vid; do
    visible=$((visible + 1))
    "$HF" get "$b/$k" --version "$vid" >"$WORK/got" 2>/dev/null; rc=$?
    sha=$(sha_of "$WORK/got")
    if [ $rc != 0 ] || ! grep -qx "$b $k $sha" "$ATTEMPTS"; then
      torn=$((torn + 1)); echo "  TORN: $b/$k $vid rc=$rc"
    fi
  done <"$WORK/visible"
done
[ $torn = 0 ] && pass "no torn or foreign version visible ($visible visible)" \
              || fail "$torn torn versions visible"

# The unversioned key: the last acknowledged overwrite, or a later attempt
# (one that committed just before its kill).
cur=$("$HF" get crashu/over 2>/dev/null | sha256sum | cut -d' ' -f1)
last_ack=$(awk '$3 == 1 { s = $1 } END { print s + 0 }' "$OVER")
okover=$(awk -v c="$cur" -v l="$last_ack" '$1 >= l && $2 == c { f = 1 } END { print f + 0 }' "$OVER")
[ "$okover" = 1 ] && pass "the overwritten key holds the last acknowledged PUT or a later one" \
                  || fail "the overwritten key holds $cur, older than the last acknowledged PUT"

out=$(hf reclaim --orphans --json)
orphans=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["orphans"])')
files=$(find "$HOLDFAST_DATA/backends" -type f -name '*.*.*' | wc -l)
want=$((visible * 6))
echo "  kills $kills, acknowledged $acked, lost $lost, visible $visible, torn $torn, orphans $orphans"
[ "$orphans" = 0 ] && pass "no orphan shard files: the dead servers' writes were all reclaimed" \
                   || fail "$orphans orphan shard files found"
[ "$files" = "$want" ] && pass "shard files on disk = 6 x stored versions ($files)" \
                       || fail "shard files on disk $files, expected $want"
expect_exit 0 "scrub after the server kills finds full redundancy" "$HF" scrub
expect_exit 0 "the audit log verifies after the server kills" "$HF" audit verify
nover=$("$HF" audit ls --kind object.overwritten | wc -l)
[ "$nover" -ge 1 ] && pass "overwrites committed in groups were logged ($nover object.overwritten)" \
                   || fail "no object.overwritten entry after acknowledged overwrites"

# A clean restart and stop leaves no intent behind (unused reservations dropped).
serve || fail "server did not start for the clean stop"
put crashv clean "$WORK/src/f2" || fail "PUT after the sweep"
kill -TERM "$SERVER_PID"; reap
left=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from intents").fetchone()[0])' "$HOLDFAST_DATA/meta.db")
[ "$left" = 0 ] && pass "a gracefully stopped server leaves no reservation behind" \
                || fail "a gracefully stopped server left $left intents"
