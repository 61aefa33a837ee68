#!/bin/bash
# test_bad_input.sh — hostile names, malformed command lines, truncated
# uploads, a full disk and a read-only backend.
#
# Proves DESIGN.md invariant 8: bad input gets a clear error (the right exit
# code, one line naming the problem) and harms nothing stored:
#   - object keys are opaque names: "../x", "../../etc/passwd", "/abs/path",
#     ".", "..", a newline — round-trip byte-identical and create no file
#     outside the store (find over the test's whole work directory, which is
#     also the working directory, and /etc/passwd unchanged);
#   - keys S3 rejects — over 1024 bytes (10 KiB), invalid UTF-8, overlong or
#     surrogate encodings, a truncated sequence — exit 7 and store nothing
#     (NUL cannot pass through argv: tests/unit/test_names.c test_key_nul
#     covers HF_EBADKEY for NUL);
#   - unknown bucket exit 3, bad bucket names exit 7, missing arguments and
#     unknown options exit 2;
#   - a truncated (or overlong) upload with --size exits 7, lists nothing new
#     and leaves no shard file behind (the failed put cleans its own files:
#     counted on every backend before/after, and reclaim --orphans finds none);
#   - a full backend (8 MiB tmpfs as the 6th domain) fails a 50 MiB put with
#     exit 5 and a message naming the backend, leaves nothing visible and no
#     file behind, and every stored object still reads back;
#   - a read-only backend (remount,ro) fails puts with exit 5, reads still
#     work, and after remount rw everything works again.
# The tmpfs parts are skipped when mount is not permitted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

new_store
STORE=$HOLDFAST_DATA
hf bucket create bkt >/dev/null || { fail "bucket create"; exit 1; }
shards() { shard_files "$STORE/backends" ${EXTRA:-} | wc -l; }
nkeys() { hf ls bkt --versions --json | js 'len(d)'; }
rnd "$WORK/small" 3000

# ------------------------------------------------ hostile keys
echo "-- hostile keys"
mkdir -p "$WORK/cwd/a/b" "$WORK/own"
keys=("../x" "../../etc/passwd" "/abs/path" "../../../../../../../../tmp/holdfast-escape" "." ".." "a/../../b"
      "x//y" $'line1\nline2' "~root" "-dash" "spa ce" "\$(touch pwned)" "日本語/ключ" "$(printf 'z%.0s' $(seq 1024))")
for i in $(seq 1 ${#keys[@]}); do rnd "$WORK/own/k$i" $((i * 777)); done
: >"$WORK/own/err"; : >"$WORK/.get_err"
passwd_before=$(sha256sum /etc/passwd)
cd "$WORK/cwd/a/b" || exit 1
touch "$WORK/own/.mark"
sleep 1   # find -newer compares timestamps; leave no doubt about "after"
i=0
for k in "${keys[@]}"; do
  i=$((i + 1))
  show=$(printf %q "$k" | head -c 60)
  if hf put "bkt/$k" "$WORK/own/k$i" >/dev/null 2>"$WORK/own/err" && get_same "$WORK/own/k$i" "bkt/$k"; then
    pass "key $show round-trips"
  else fail "key $show: $(head -c 200 "$WORK/own/err")"; fi
done
got=$(hf ls bkt --json | "$PY" -c '
import json, sys
print(sorted(v["key"] for v in json.load(sys.stdin)) == sorted(sys.argv[1:]))' "${keys[@]}")
[ "$got" = True ] && pass "ls --json lists exactly those ${#keys[@]} keys, byte for byte" || fail "ls --json keys differ"
hf ls bkt >/dev/null && pass "plain ls copes with them" || fail "plain ls failed"
outside=$(find "$WORK" -mindepth 1 -newer "$WORK/own/.mark" -not -path "$STORE" -not -path "$STORE/*" \
          -not -path "$WORK/own/*" -not -path "$WORK/.get_err" -print)
[ -z "$outside" ] && pass "nothing created or changed outside the store (find over $WORK, the working directory)" \
  || fail "created outside the store: $outside"
[ ! -e /abs ] && [ ! -e /tmp/holdfast-escape ] && [ ! -e pwned ] && [ "$(sha256sum /etc/passwd)" = "$passwd_before" ] \
  && pass "/abs, /tmp/holdfast-escape, ./pwned absent; /etc/passwd unchanged" || fail "a hostile key touched the filesystem"
strays=$(find "$STORE" -type f -not -name holdfast.conf -not -name master.key -not -name 'meta.db*' \
         -not -name holdfast-backend -regextype posix-extended -not -regex '.*/backends/d[0-9]+/[0-9a-f]{2}/[0-9a-f]{32}\.[0-9]+\.[0-9]+')
[ -z "$strays" ] && pass "inside the store only holdfast's own file names" || fail "unexpected files in the store: $strays"
cd "$WORK" || exit 1

echo "-- keys S3 rejects"
before=$(shards) n_before=$(nkeys)
bad_key() {   # WHAT KEY
  expect_exit 7 "put key $1" hf put "bkt/$2" "$WORK/small"
  if ! one_line "$WORK/.err"; then fail "put key $1: error is not one line"; fi
  expect_exit 7 "get key $1" hf get "bkt/$2"
}
bad_key "of 10 KiB" "$(head -c 10240 /dev/zero | tr '\0' k)"
bad_key "of 1025 bytes" "$(printf 'z%.0s' $(seq 1025))"
bad_key "\\xff\\xfe (invalid UTF-8)" $'\xff\xfe'
bad_key "\\xc0\\xaf (overlong /)" $'\xc0\xaf'
bad_key "\\xed\\xa0\\x80 (UTF-16 surrogate)" $'\xed\xa0\x80'
bad_key "\\xf4\\x90\\x80\\x80 (beyond U+10FFFF)" $'\xf4\x90\x80\x80'
bad_key "ending in a cut sequence" $'abc\xc3'
expect_exit 2 "empty key (bkt/) is a usage error" hf put bkt/ "$WORK/small"
check "a 1024-byte key of 2-byte characters is accepted" hf put "bkt/$(printf 'é%.0s' $(seq 512))" "$WORK/small"
[ "$(shards)" = $((before + 6)) ] && [ "$(nkeys)" = $((n_before + 1)) ] \
  && pass "rejected keys stored nothing (only the accepted one added $((6)) shard files)" \
  || fail "rejected keys: shard files $before -> $(shards), versions $n_before -> $(nkeys)"

# ------------------------------------------------ buckets, arguments, options
echo "-- buckets, arguments, options"
expect_exit 3 "put to an unknown bucket" hf put nosuch/k "$WORK/small"
expect_exit 3 "get from an unknown bucket" hf get nosuch/k
expect_exit 3 "ls of an unknown bucket" hf ls nosuch
expect_exit 3 "rm in an unknown bucket" hf rm nosuch/k
for b in ab AB Bkt a_b -abc abc- .abc abc. a..b a.-b "$(printf 'b%.0s' $(seq 64))" "with space"; do
  expect_exit 7 "bucket create '$b'" hf bucket create "$b"
  expect_exit 7 "put into bucket '$b'" hf put -- "$b/k" "$WORK/small"
done
expect_exit 6 "bucket create of an existing bucket" hf bucket create bkt
expect_exit 3 "put of a missing FILE" hf put bkt/k "$WORK/no-such-file"
for args in "put" "put bkt/k" "get" "rm" "stat" "bucket" "bucket create" "backend" "backend add x" \
            "put bkt/k $WORK/small extra" "get bkt/k a b" "ls" "init extra" "scrub extra" "reclaim extra" \
            "status extra" "bucket frob" "backend frob"; do
  # shellcheck disable=SC2086
  expect_exit 2 "holdfast $args (missing or extra arguments)" hf $args
done
for args in "put --bogus bkt/k $WORK/small" "get --nope bkt/k" "ls --zzz bkt" "init --foo" "scrub --x" \
            "reclaim --y" "rm --what bkt/k" "stat --q bkt/k" "status --v" "backend --no ls" \
            "put bkt/k - --size -5" "put bkt/k - --size 12abc" "init --ec 0+2" "init --segment-size 1"; do
  # shellcheck disable=SC2086
  expect_exit 2 "holdfast $args (bad option)" hf $args
done
HOLDFAST_DATA=$WORK/nowhere expect_exit 3 "ls with no store there" hf ls bkt
[ ! -e "$WORK/nowhere" ] && pass "a command on a missing store creates nothing" || fail "a store dir appeared at $WORK/nowhere"

# ------------------------------------------------ truncated uploads
echo "-- truncated uploads"
rnd "$WORK/f" $((10 << 20))
before=$(shards) n_before=$(nkeys)
trunc() {   # WHAT BYTES-SENT DECLARED
  head -c "$2" "$WORK/f" | hf put bkt/trunc - --size "$3" >"$WORK/out" 2>"$WORK/err"; local rc=${PIPESTATUS[1]}
  # counted before any other command opens the store (an open would also
  # clean up after a dead writer): the failed put must clean up itself
  local left=$(( $(shards) - before ))
  if [ "$rc" = 7 ] && one_line "$WORK/err" && grep -q "^holdfast put: bkt/trunc: input truncated" "$WORK/err"; then
    pass "$1: exit 7, $(cat "$WORK/err")"
  else fail "$1: exit $rc, $(head -c 300 "$WORK/err")"; fi
  [ $left = 0 ] && pass "$1: the failed put removed its own shard files" || fail "$1: the failed put left $left shard files"
}
trunc "1000 of 5000 bytes" 1000 5000
trunc "6000 bytes for a declared 5000" 6000 5000
trunc "5 MiB of a declared 10 MiB (two segments written first)" $((5 << 20)) $((10 << 20))
trunc "nothing at all for a declared 1 byte" 0 1
trunc "one byte too few at a segment boundary" $((4 << 20)) $(((4 << 20) + 1))
expect_exit 3 "nothing visible under the key" hf get bkt/trunc
[ "$(nkeys)" = "$n_before" ] && pass "ls --versions shows nothing new" || fail "versions $n_before -> $(nkeys)"
[ "$(shards)" = "$before" ] && pass "no shard file left behind ($before before and after)" || fail "shard files $before -> $(shards)"
oj=$(hf reclaim --orphans --json)
[ "$(echo "$oj" | js '(d["orphans"], d["aborted_writes"], d["files"])' | tr '\n' ' ')" = "0 0 0 " ] \
  && pass "reclaim --orphans finds nothing to remove ($oj)" || fail "reclaim --orphans: $oj"
check "an exact --size works" bash -c "head -c 5000 '$WORK/f' | '$HF' put bkt/exact - --size 5000 >/dev/null"
check "and reads back" get_same <(head -c 5000 "$WORK/f") bkt/exact

# ------------------------------------------------ full disk, read-only backend
echo "-- full backend (tmpfs), read-only backend"
MNT=$WORK/tmpfs
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=8m holdfast-e2e "$MNT" 2>"$WORK/err"; then
  skip "full and read-only backend (cannot mount tmpfs: $(head -c 100 "$WORK/err"))"
  exit 0
fi
on_exit "umount '$MNT' 2>/dev/null || umount -l '$MNT'"
export HOLDFAST_DATA=$WORK/store5
hf init --domains 5 >/dev/null || { fail "init --domains 5"; exit 1; }
STORE=$HOLDFAST_DATA EXTRA=$MNT
out=$(hf backend add t5 "$MNT/be" --domain d5 2>&1) && pass "tmpfs added as backend t5 in domain d5" || fail "backend add: $out"
got=$(hf status --json | js '(d["domains"], d["tolerated_domain_loss"])' | tr '\n' ' ')
[ "$got" = "6 2 " ] && pass "6 domains, survives 2" || fail "status: $got"
hf bucket create bkt >/dev/null
for i in 1 2 3; do rnd "$WORK/s$i" $((i << 20)); hf put "bkt/s$i" "$WORK/s$i" >/dev/null || fail "put s$i"; done
t5=$(for i in 1 2 3; do hf stat "bkt/s$i" --json | js '[s["backend"] for s in d["shards"]]'; done | grep -c '^t5$')
[ "$t5" = 3 ] && pass "each stored object has a shard on the tmpfs backend" || fail "$t5/3 objects on t5"
before=$(shards) n_before=$(nkeys)
rnd "$WORK/f50" $((50 << 20))
hf put bkt/big "$WORK/f50" >"$WORK/out" 2>"$WORK/err"; rc=$?
left=$(( $(shards) - before ))   # before any other command opens the store
[ $left = 0 ] && pass "the failed put removed its own shard files" || fail "the failed put left $left shard files"
[ $rc = 5 ] && pass "50 MiB onto a full backend: exit 5" || fail "50 MiB onto a full backend: exit $rc $(head -c 300 "$WORK/err")"
if one_line "$WORK/err" && grep -q "^holdfast put: bkt/big: no space left" "$WORK/err" && grep -q "t5" "$WORK/err"; then
  pass "one clear line naming the full backend: $(cat "$WORK/err")"
else fail "message does not name the full backend t5: $(head -c 300 "$WORK/err")"; fi
expect_exit 3 "nothing visible under the key" hf get bkt/big
[ "$(nkeys)" = "$n_before" ] && pass "ls --versions shows nothing new" || fail "versions $n_before -> $(nkeys)"
ok=0; for i in 1 2 3; do get_same "$WORK/s$i" "bkt/s$i" && ok=$((ok + 1)); done
[ $ok = 3 ] && pass "every stored object still reads back" || fail "$ok/3 stored objects read back"
[ "$(shards)" = "$before" ] && pass "the failed put left no shard file on any backend ($before)" || fail "shard files $before -> $(shards)"
oj=$(hf reclaim --orphans --json)
[ "$(echo "$oj" | js 'd["files"]')" = 0 ] && pass "reclaim --orphans finds nothing ($oj)" || fail "reclaim --orphans: $oj"
[ "$(df --output=used -k "$MNT" | tail -n1 | tr -d ' ')" -lt 4096 ] && pass "the tmpfs space was given back" \
  || fail "tmpfs still has $(df --output=used -k "$MNT" | tail -n1) KiB used"
sj=$(hf scrub --json) && pass "scrub clean after the failed put" || fail "scrub: $sj"

if mount -o remount,ro "$MNT"; then
  before=$(shards) n_before=$(nkeys)
  hf put bkt/ro "$WORK/s1" >"$WORK/out" 2>"$WORK/err"; rc=$?
  left=$(( $(shards) - before ))
  [ $left = 0 ] && pass "the failed put removed its own shard files" || fail "the failed put left $left shard files"
  [ $rc = 5 ] && pass "put with a read-only backend: exit 5" || fail "put with a read-only backend: exit $rc"
  if one_line "$WORK/err" && grep -q "t5" "$WORK/err"; then pass "one clear line: $(cat "$WORK/err")"
  else fail "message: $(head -c 300 "$WORK/err")"; fi
  expect_exit 3 "nothing visible under the key" hf get bkt/ro
  ok=0; for i in 1 2 3; do get_same "$WORK/s$i" "bkt/s$i" && ok=$((ok + 1)); done
  [ $ok = 3 ] && pass "reads still work with the backend read-only" || fail "$ok/3 reads with the backend read-only"
  sj=$(hf scrub --json); rc=$?
  [ $rc = 0 ] && pass "scrub reads the read-only backend fine" || fail "scrub with a read-only backend: exit $rc $sj"
  [ "$(shards)" = "$before" ] && pass "no shard file left on the writable backends" || fail "shard files $before -> $(shards)"
  mount -o remount,rw "$MNT" || fail "remount rw"
  out=$(hf put bkt/ro "$WORK/s1" 2>&1) && pass "after remount rw, put works again" || fail "put after remount rw: $out"
  check "and reads back" get_same "$WORK/s1" bkt/ro
  hf reclaim --orphans >/dev/null
  [ "$(shards)" = $((before + 6)) ] && pass "no leftover files after reclaim ($((before + 6)) = 4 objects x 6)" \
    || fail "after reclaim: $(shards) shard files, wanted $((before + 6))"
  sj=$(hf scrub --json) && pass "scrub clean at the end" || fail "scrub at the end: $sj"
else
  skip "read-only backend (remount,ro not permitted)"
fi
exit 0
