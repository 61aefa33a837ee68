#!/bin/bash
# test_restic.sh — restic (Debian's package) keeps its repository on
# holdfast over S3, unchanged: init, backup of a tree with varied files
# (a few MiB, empty files, odd names, a symlink), check --read-data,
# restore compared byte for byte, a second backup after changes, then
# forget/prune and a check again.  Invariant 1: what a client was told is
# stored reads back byte-identical — here through restic's own pack and
# index verification, which reads every blob back and checks its SHA-256.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

RESTIC=${RESTIC:-/usr/bin/restic}  # overridable to see the skip path
[ -x "$RESTIC" ] || { skip "restic end to end (restic missing: apt-get install restic)"; exit 0; }
command -v "$PY3" >/dev/null || { skip "restic end to end ($PY3 missing)"; exit 0; }
start_server
t_start=$SECONDS

export RESTIC_REPOSITORY="s3:$EP/restic" RESTIC_PASSWORD=holdfast-restic-test
export RESTIC_CACHE_DIR=$WORK/restic-cache
# restic's S3 backend reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (set by start_server)
r() { env -u AWS_CA_BUNDLE timeout 300 "$RESTIC" "$@"; }

# -- the tree to back up
T=$WORK/tree
mkdir -p "$T/docs/deep/er/still" "$T/empty-dir" "$T/bin" "$T/names"
rnd "$T/bin/big" $((5 << 20 | 12345))           # a few MiB, not a round size
rnd "$T/bin/medium" 700000
yes 'compressible line of text' | head -c 3000000 >"$T/docs/repetitive.txt"
for i in $(seq 1 40); do rnd "$T/docs/deep/small.$i" $((i * 97)); done
rnd "$T/docs/deep/er/still/leaf" 1
: >"$T/empty1"; : >"$T/docs/empty2"; : >"$T/docs/deep/er/empty3"
printf 'spaces' >"$T/names/with space"
printf 'plus' >"$T/names/a+b=c&d"
printf 'utf8' >"$T/names/caf$(printf '\xc3\xa9')"
ln -s ../bin/medium "$T/names/link"
chmod 640 "$T/docs/deep/small.7"

if r init >"$WORK/init.out" 2>&1; then
  pass "restic init (repository on s3:$EP/restic)"
else
  fail "restic init: $(tail -n 3 "$WORK/init.out")"
  exit 0
fi
expect_exit 1 "restic init again refuses: the repository (its config object) exists" r init

if r backup --host hf "$T" >"$WORK/backup1.out" 2>&1; then
  pass "restic backup #1 of a $(du -sh "$T" | cut -f1) tree"
else fail "restic backup #1: $(tail -n 3 "$WORK/backup1.out")"; fi
snap1=$(sed -n 's/^snapshot \([0-9a-f]*\) saved$/\1/p' "$WORK/backup1.out")
[ -n "$snap1" ] && pass "backup #1 saved snapshot $snap1" || fail "backup #1: no snapshot id in: $(tail -n 2 "$WORK/backup1.out")"

if r check --read-data >"$WORK/check1.out" 2>&1 && grep -q 'no errors were found' "$WORK/check1.out"; then
  pass "restic check --read-data: every pack read back and verified"
else fail "restic check --read-data: $(tail -n 3 "$WORK/check1.out")"; fi

# -- restore, compare byte for byte (diff -r compares contents, follows names)
if r restore "$snap1" --target "$WORK/restore1" >"$WORK/restore1.out" 2>&1; then
  pass "restic restore of snapshot #1"
else fail "restic restore #1: $(tail -n 3 "$WORK/restore1.out")"; fi
if diff -r --no-dereference "$T" "$WORK/restore1$T" >"$WORK/diff1.out" 2>&1; then
  pass "restored tree #1 is byte-identical (diff -r)"
else fail "restored tree #1 differs: $(head -n 3 "$WORK/diff1.out")"; fi
cmp -s "$T/bin/big" "$WORK/restore1$T/bin/big" && [ -f "$WORK/restore1$T/empty1" ] \
  && [ ! -s "$WORK/restore1$T/docs/deep/er/empty3" ] && [ -d "$WORK/restore1$T/empty-dir" ] \
  && [ "$(readlink "$WORK/restore1$T/names/link")" = ../bin/medium ] \
  && [ "$(stat -c %a "$WORK/restore1$T/docs/deep/small.7")" = 640 ] \
  && pass "restored: the 5 MiB file (cmp), empty files, empty dir, symlink, mode 640" \
  || fail "restored tree #1: big file, empty files, empty dir, symlink or mode wrong"

# -- second backup after changes
rnd "$T/bin/big" $((3 << 20))                   # rewritten, other size
rm "$T/docs/deep/small.3" "$T/empty1"
rnd "$T/docs/new" 250000
printf 'x' >>"$T/docs/deep/small.40"
if r backup --host hf "$T" >"$WORK/backup2.out" 2>&1; then
  pass "restic backup #2 after changes"
else fail "restic backup #2: $(tail -n 3 "$WORK/backup2.out")"; fi
snap2=$(sed -n 's/^snapshot \([0-9a-f]*\) saved$/\1/p' "$WORK/backup2.out")
# restic's summary: "Files: N new, N changed, N unmodified"
if grep -qE '^Files: +1 new, +2 changed, +[0-9]+ unmodified' "$WORK/backup2.out"; then
  pass "backup #2 saw 1 new and 2 changed files (the parent snapshot was read back)"
else fail "backup #2 summary: $(grep -E '^Files:' "$WORK/backup2.out")"; fi
n=$(r snapshots --json 2>/dev/null | "$PY3" -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null)
[ "$n" = 2 ] && pass "restic snapshots: 2" || fail "restic snapshots: '$n', wanted 2"

if r restore "$snap2" --target "$WORK/restore2" >"$WORK/restore2.out" 2>&1 \
  && diff -r --no-dereference "$T" "$WORK/restore2$T" >"$WORK/diff2.out" 2>&1; then
  pass "restore of snapshot #2 is byte-identical to the changed tree"
else fail "restore #2: $(head -n 3 "$WORK/diff2.out" "$WORK/restore2.out" | tail -n 3)"; fi

# -- forget the first snapshot, prune what only it used
if r forget "$snap1" --prune >"$WORK/prune.out" 2>&1; then
  pass "restic forget snapshot #1 --prune"
else fail "restic forget --prune: $(tail -n 3 "$WORK/prune.out")"; fi
n=$(r snapshots --json 2>/dev/null | "$PY3" -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["short_id"])' 2>/dev/null)
[ "$n" = "1 ${snap2:0:8}" ] && pass "after forget: only snapshot #2 is left" || fail "after forget: '$n', wanted '1 ${snap2:0:8}'"
# prune repacked and removed packs with DeleteObject (restic: "removing N old packs")
npk=$(sed -n 's/^removing \([0-9]*\) old packs$/\1/p' "$WORK/prune.out")
ndel=$(grep -cE '^[0-9a-f]+ DELETE restic data/[0-9a-f]{2}/[0-9a-f]{64} 204 ' "$WORK/server.log")
if [ "${npk:-0}" -ge 1 ] && [ "$ndel" = "$npk" ]; then
  pass "prune removed $npk old packs, each a DeleteObject answered 204"
else fail "prune: restic removed '${npk:-}' packs, the server saw $ndel data DELETEs: $(grep -iE 'remov|delet' "$WORK/prune.out" | head -n 3)"; fi
if r check --read-data >"$WORK/check2.out" 2>&1 && grep -q 'no errors were found' "$WORK/check2.out"; then
  pass "restic check --read-data after prune"
else fail "restic check --read-data after prune: $(tail -n 3 "$WORK/check2.out")"; fi
rm -rf "$WORK/restore2"
if r restore latest --target "$WORK/restore3" >"$WORK/restore3.out" 2>&1 \
  && diff -r --no-dereference "$T" "$WORK/restore3$T" >/dev/null 2>&1; then
  pass "restore of the latest snapshot after prune is byte-identical"
else fail "restore after prune: $(tail -n 3 "$WORK/restore3.out")"; fi

# -- a wrong password is refused (the repository's key file is read, not guessed)
RESTIC_PASSWORD=wrong expect_exit 1 "restic with a wrong password is refused" r snapshots

echo "  test_restic: $((SECONDS - t_start)) s after server start"
n5=$(awk '$6 ~ /^in=/ && $5 ~ /^5/' "$WORK/server.log" | wc -l)
nreq=$(awk '$6 ~ /^in=/' "$WORK/server.log" | wc -l)
[ "$nreq" -gt 20 ] && [ "$n5" = 0 ] && pass "no request of $nreq got a 5xx" \
  || fail "$n5 of $nreq requests got a 5xx: $(awk '$6 ~ /^in=/ && $5 ~ /^5/' "$WORK/server.log" | head -n 3)"
stop_server
grep -q "stopped" "$WORK/server.log" && pass "SIGTERM stops the server cleanly" || fail "no clean stop: $(tail -n 3 "$WORK/server.log")"
grep -qE 'runtime error|Sanitizer' "$WORK/server.log" \
  && fail "sanitizer report in the server log: $(grep -m1 -E 'runtime error|Sanitizer' "$WORK/server.log")" \
  || pass "no sanitizer report in the server log"
exit 0
