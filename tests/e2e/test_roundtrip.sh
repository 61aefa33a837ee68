#!/bin/bash
# test_roundtrip.sh — what goes in comes out, byte for byte, and deleting
# only ever marks until the reclaimer runs.
#
# Proves, through the real CLI on a default store (ec 4+2, 4 MiB segments,
# 6 directory backends):
#   - DESIGN.md invariant 2 with nothing lost: every size around the segment
#     boundaries (0, 1, seg-1, seg, seg+1, 3*seg+17), 100 MiB from a file,
#     and a large object streamed from stdin read back identical (cmp, or
#     sha256 for the streamed one), whole and by --range; each shard file
#     has exactly the frame layout of src/store/shard.h.
#   - invariant 4 as seen from the CLI: `rm` adds a delete marker and
#     `rm --version` only hides a version — their shard files stay on disk
#     until `holdfast reclaim`, which removes exactly that version's files
#     and leaves every other version's files in place.
#   - invariant 8 for `init`: a second init on an existing store is refused
#     (exit 6) and harms nothing stored.
# Also: versions and delete markers, ls prefix filtering (including the SQL
# wildcards '%' and '_'), stat/status --json fields, adding a backend in a
# new domain, --help on every command.
#
# The streamed object is 2 GiB in `make test` (about 30 s of the sanitized
# suite here) and 5 GiB, past 2^32, with LONG=1 (`make test-long`).  It is
# never stored twice on disk: its sha256 and the bytes of a few ranges are
# taken on the way in (tee to fifos) and compared on the way out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

new_store
STORE=$HOLDFAST_DATA
hf bucket create bkt >/dev/null || { fail "bucket create"; exit 1; }
SEG=$(hf status --json | js 'd["segment_size"]')
K=$(hf status --json | js 'd["ec"]["k"]')
M=$(hf status --json | js 'd["ec"]["m"]')

# ---------------------------------------------------------------- sizes
echo "-- round trips (segment $SEG bytes, ec $K+$M)"
sizes="0 1 $((SEG - 1)) $SEG $((SEG + 1)) $((2 * SEG)) $((3 * SEG + 17))"
for n in $sizes; do
  f=$WORK/in.$n
  rnd "$f" "$n"
  vid=$(hf put "bkt/size/$n" "$f" 2>"$WORK/err") || { fail "put $n bytes: $(cat "$WORK/err")"; continue; }
  if get_same "$f" "bkt/size/$n"; then pass "$n bytes: put FILE, get to stdout, identical"
  else fail "$n bytes: get to stdout differs"; fi
  rm -f "$WORK/out"
  if hf get "bkt/size/$n" "$WORK/out" && cmp -s "$WORK/out" "$f" && [ ! -e "$WORK/out.partial" ]; then
    pass "$n bytes: get to FILE identical, no .partial left"
  else fail "$n bytes: get to FILE"; fi
  # the same bytes through stdin (no size known in advance)
  if hf put "bkt/stdin/$n" - <"$f" >/dev/null && get_same "$f" "bkt/stdin/$n"; then
    pass "$n bytes: put from stdin identical"
  else fail "$n bytes: put from stdin"; fi
  # metadata and on-disk layout of the shard files
  hf stat "bkt/size/$n" --json >"$WORK/stat.json"
  want_segs=$(( n == 0 ? 1 : (n + SEG - 1) / SEG ))
  got=$(js '(d["version"], d["size"], d["segments"], len(d["shards"]))' <"$WORK/stat.json" | tr '\n' ' ')
  if [ "$got" = "$vid $n $want_segs $((K + M)) " ]; then pass "$n bytes: stat says version, size $n, $want_segs segments, $((K + M)) shards"
  else fail "$n bytes: stat says '$got', wanted '$vid $n $want_segs $((K + M))'"; fi
  want_fs=$(shard_file_size "$n" "$SEG" "$K")
  bad=0
  for p in $(js '[s["path"] for s in d["shards"]]' <"$WORK/stat.json"); do
    [ "$(stat -c %s "$p" 2>/dev/null)" = "$want_fs" ] || bad=$((bad + 1))
  done
  if [ $bad = 0 ]; then pass "$n bytes: every shard file is $want_fs bytes (frame layout)"
  else fail "$n bytes: $bad shard files are not $want_fs bytes"; fi
done

# ---------------------------------------------------------------- ranges
echo "-- ranges"
n=$((3 * SEG + 17))
f=$WORK/in.$n
# expected bytes [first, last] of $f, extracted with tail/head
want_range() { tail -c +$(($1 + 1)) "$f" | head -c $(($2 - $1 + 1)); }
range_check() {   # RANGE FIRST LAST
  if hf get "bkt/size/$n" --range "$1" >"$WORK/r.out" 2>"$WORK/err" &&
     cmp -s "$WORK/r.out" <(want_range "$2" "$3"); then
    pass "range $1 = bytes $2..$3"
  else
    fail "range $1: $(head -c 200 "$WORK/err") (got $(stat -c %s "$WORK/r.out") bytes)"
  fi
}
range_check 0-0 0 0
range_check "$((SEG - 1))-$SEG" $((SEG - 1)) $SEG
range_check "$((SEG - 10))-$((2 * SEG + 10))" $((SEG - 10)) $((2 * SEG + 10))
range_check "1-$((3 * SEG))" 1 $((3 * SEG))
range_check "$((n - 1))-$((n - 1))" $((n - 1)) $((n - 1))
range_check "0-$((n - 1))" 0 $((n - 1))
range_check "$((n - 5))-$((n + 100))" $((n - 5)) $((n - 1))
range_check "$((SEG + 5))-" $((SEG + 5)) $((n - 1))
range_check "$((3 * SEG))-" $((3 * SEG)) $((n - 1))
range_check 0- 0 $((n - 1))
range_check -17 $((n - 17)) $((n - 1))
range_check "-$((SEG + 18))" $((n - SEG - 18)) $((n - 1))
range_check "-$((n + 100))" 0 $((n - 1))
expect_exit 7 "range starting past the end (FIRST-LAST)" hf get "bkt/size/$n" --range "$n-$((n + 5))"
expect_exit 7 "range starting past the end (FIRST- , one past)" hf get "bkt/size/$n" --range "$((n + 1))-"
expect_exit 7 "range starting at the end (FIRST- , FIRST = size) is as unsatisfiable as FIRST-LAST" \
  hf get "bkt/size/$n" --range "$n-"
expect_exit 2 "range LAST < FIRST is a usage error" hf get "bkt/size/$n" --range 5-3
expect_exit 2 "range that is not a range" hf get "bkt/size/$n" --range abc

# ---------------------------------------------------------------- versions
echo "-- versions, delete markers, reclaim"
rnd "$WORK/v1" 3000
rnd "$WORK/v2" $((SEG + 5000))
V1=$(hf put bkt/ver "$WORK/v1")
V2=$(hf put bkt/ver "$WORK/v2")
check "latest is the second put" get_same "$WORK/v2" bkt/ver
check "get --version of the old one" get_same "$WORK/v1" bkt/ver --version "$V1"
check "get --version of the new one" get_same "$WORK/v2" bkt/ver --version "$V2"
hf ls bkt/ver --versions --json >"$WORK/ls.json"
got=$(js '[(v["version"], v["latest"], v["delete_marker"]) for v in d if v["key"] == "ver"]' <"$WORK/ls.json" | tr -d "(),' " | tr '\n' ' ')
if [ "$got" = "${V2}TrueFalse ${V1}FalseFalse " ]; then pass "ls --versions --json: both, newest first, only the new one latest"
else fail "ls --versions --json says: $got"; fi
if hf ls bkt/ver --versions | grep -q "$V2 L-  ver\$" && hf ls bkt/ver --versions | grep -q "$V1 --  ver\$"; then
  pass "ls --versions text flags the latest with L"
else fail "ls --versions text: $(hf ls bkt/ver --versions | tr '\n' '|')"; fi
P1=$(shard_paths bkt/ver "$V1")
P2=$(shard_paths bkt/ver "$V2")

out=$(hf rm bkt/ver) && MARK=${out#delete marker } && [ ${#MARK} = 32 ] && pass "rm adds a delete marker ($MARK)" || fail "rm: $out"
expect_exit 3 "get after rm is not found" hf get bkt/ver
expect_exit 3 "stat after rm is not found" hf stat bkt/ver
check "old version still readable by --version after rm" get_same "$WORK/v1" bkt/ver --version "$V1"
check "new version still readable by --version after rm" get_same "$WORK/v2" bkt/ver --version "$V2"
if [ -z "$(hf ls bkt/ver --json | js '[v["key"] for v in d]')" ]; then pass "ls hides a key whose latest is a marker"
else fail "ls still lists the deleted key"; fi
got=$(hf ls bkt/ver --versions --json | js '[(v["version"], v["latest"], v["delete_marker"]) for v in d]' | tr -d "(),' " | tr '\n' ' ')
if [ "$got" = "${MARK}TrueTrue ${V2}FalseFalse ${V1}FalseFalse " ]; then pass "ls --versions: marker (latest) then both versions"
else fail "ls --versions after rm: $got"; fi
missing=0; for p in $P1 $P2; do [ -f "$p" ] || missing=$((missing + 1)); done
if [ $missing = 0 ]; then pass "rm removed no shard file (all $(echo $P1 $P2 | wc -w) still there)"
else fail "rm removed $missing shard files"; fi

out=$(hf rm bkt/ver --version "$V1") && pass "rm --version removes one version" || fail "rm --version: $out"
expect_exit 3 "get --version of the removed version is not found" hf get bkt/ver --version "$V1"
check "the other version is untouched" get_same "$WORK/v2" bkt/ver --version "$V2"
got=$(hf ls bkt/ver --versions --json | js '[v["version"] for v in d]' | tr '\n' ' ')
if [ "$got" = "$MARK $V2 " ]; then pass "ls --versions no longer shows it"; else fail "ls --versions: $got"; fi
missing=0; for p in $P1; do [ -f "$p" ] || missing=$((missing + 1)); done
if [ $missing = 0 ]; then pass "its shard files stay until reclaim"; else fail "$missing of its shard files gone before reclaim"; fi
before=$(shard_files "$STORE/backends" | wc -l)
rj=$(hf reclaim --json)
if [ "$(echo "$rj" | js '(d["versions"], d["files"])' | tr '\n' ' ')" = "1 $((K + M)) " ]; then pass "reclaim: 1 version, $((K + M)) files ($rj)"
else fail "reclaim said $rj"; fi
gone=0; for p in $P1; do [ -e "$p" ] || gone=$((gone + 1)); done
if [ $gone = $((K + M)) ]; then pass "reclaim removed every shard file of the removed version"
else fail "reclaim removed $gone of $((K + M)) shard files"; fi
kept=0; for p in $P2; do [ -f "$p" ] && kept=$((kept + 1)); done
if [ $kept = $((K + M)) ]; then pass "the other version's shard files remain"; else fail "only $kept of V2's files remain"; fi
after=$(shard_files "$STORE/backends" | wc -l)
if [ "$after" = $((before - K - M)) ]; then pass "no other shard file in the store was removed ($before -> $after)"
else fail "shard files $before -> $after, wanted $((before - K - M))"; fi
if [ "$(hf reclaim --json | js 'd["files"]')" = 0 ]; then pass "a second reclaim removes nothing"; else fail "second reclaim removed files"; fi
check "V2 still reads back after reclaim" get_same "$WORK/v2" bkt/ver --version "$V2"
hf rm bkt/ver --version "$MARK" >/dev/null
check "removing the delete marker makes the key readable again" get_same "$WORK/v2" bkt/ver
expect_exit 3 "rm --version of an unknown version" hf rm bkt/ver --version 0123456789abcdef0123456789abcdef
expect_exit 3 "rm --version that is not a version id" hf rm bkt/ver --version zz
expect_exit 3 "get of a key never written" hf get bkt/never-written

# ---------------------------------------------------------------- ls prefix
echo "-- ls prefix"
hf bucket create pfx >/dev/null
for k in a a/1 a/2 ab b/1 a_c abc 'a%x' 'a%'; do echo "$k" | hf put "pfx/$k" - >/dev/null; done
ls_keys() { hf ls "$1" --json | js '[v["key"] for v in d]' | tr '\n' ' '; }
ls_is() {
  local got; got=$(ls_keys "$1")
  if [ "$got" = "$2" ]; then pass "ls $1 -> [ $2]"; else fail "ls $1 -> [ $got], wanted [ $2]"; fi
}
ls_is pfx "a a% a%x a/1 a/2 a_c ab abc b/1 "
ls_is pfx/a/ "a/1 a/2 "
ls_is pfx/a "a a% a%x a/1 a/2 a_c ab abc "
ls_is pfx/b "b/1 "
ls_is pfx/zz ""
ls_is pfx/a_ "a_c "
ls_is pfx/a% "a% a%x "
ls_is pfx/a/1 "a/1 "
expect_exit 3 "ls of an unknown bucket" hf ls nosuchbucket

# ---------------------------------------------------------------- stat, status
echo "-- stat --json, status --json"
n=$((SEG + 1))
hf stat "bkt/size/$n" --json >"$WORK/stat.json"
if js 'sorted(d.keys())' <"$WORK/stat.json" | tr '\n' ' ' |
   grep -qx 'bucket checksum ec kept key latest mtime segment_size segments shards size version '; then
  pass "stat --json has bucket key version latest size mtime checksum ec segment_size segments shards kept"
else fail "stat --json keys: $(js 'sorted(d.keys())' <"$WORK/stat.json" | tr '\n' ' ')"; fi
got=$(js '(d["bucket"], d["key"], d["latest"], d["ec"]["k"], d["ec"]["m"], d["segment_size"], d["segments"])' <"$WORK/stat.json" | tr '\n' ' ')
[ "$(js 'd["kept"]' <"$WORK/stat.json")" = None ] && pass "stat --json: nothing keeps an unheld version (kept null)" \
  || fail "stat --json kept: $(js 'd["kept"]' <"$WORK/stat.json")"
if [ "$got" = "bkt size/$n true $K $M $SEG 2 " ]; then pass "stat --json values ($got)"; else fail "stat --json values: $got"; fi
if js 'd["mtime"]' <"$WORK/stat.json" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'; then
  pass "stat mtime is ISO 8601 UTC"; else fail "stat mtime: $(js 'd["mtime"]' <"$WORK/stat.json")"; fi
if command -v xxhsum >/dev/null; then
  want=$(xxhsum -H2 <"$WORK/in.$n" | cut -d' ' -f1)
  if [ "$(js 'd["checksum"]' <"$WORK/stat.json")" = "xxh3-128:$want" ]; then pass "stat checksum is the XXH3-128 of the plaintext"
  else fail "stat checksum $(js 'd["checksum"]' <"$WORK/stat.json"), xxhsum says $want"; fi
else skip "stat checksum against xxhsum (xxhsum not installed)"; fi
vid=$(js 'd["version"]' <"$WORK/stat.json")
bad=$("$PY" - "$WORK/stat.json" "$STORE" "$vid" "$((K + M))" <<'EOF'
import json, os, re, sys
d = json.load(open(sys.argv[1])); store, vid, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
bad = []
idx = sorted(s["index"] for s in d["shards"])
if idx != list(range(n)): bad.append("indexes %s" % idx)
if len({s["domain"] for s in d["shards"]}) != n: bad.append("domains not distinct")
for s in d["shards"]:
    want = r"%s/backends/%s/%s/%s\.%d\.[0-9]+$" % (re.escape(store), re.escape(s["backend"]), vid[:2], vid, s["index"])
    if not re.match(want, s["path"]): bad.append("path " + s["path"])
    if not os.path.isfile(s["path"]): bad.append("missing " + s["path"])
print("; ".join(bad))
EOF
)
if [ -z "$bad" ]; then pass "stat shards: indexes 0..$((K + M - 1)), distinct domains, paths backends/dN/<vid[0:2]>/<vid>.<i>.<gen> that exist"
else fail "stat shards: $bad"; fi

hf status --json >"$WORK/status.json"
got=$(js '(d["ec"]["k"], d["ec"]["m"], d["segment_size"], d["backends"], d["backends_up"], d["domains"], d["domains_up"], d["tolerated_domain_loss"], d["buckets"])' <"$WORK/status.json" | tr '\n' ' ')
if [ "$got" = "$K $M $SEG 6 6 6 6 2 2 " ]; then pass "status --json: ec, segment, 6 backends/domains up, survives 2, 2 buckets"
else fail "status --json: $got"; fi
# objects: every key whose latest is data; versions and bytes: every live data version
want=$(hf ls bkt --versions --json | "$PY" -c '
import json, sys
bk = json.load(sys.stdin); px = json.loads(sys.argv[1])
vs = [v for v in bk + px if not v["delete_marker"]]
print(len([v for v in bk + px if v["latest"] and not v["delete_marker"]]), len(vs), sum(v["size"] for v in vs))' \
  "$(hf ls pfx --versions --json)")
got=$(js '(d["objects"], d["versions"], d["stored_bytes"])' <"$WORK/status.json" | tr '\n' ' ')
if [ "$got" = "$(echo $want) " ]; then pass "status objects, versions, stored_bytes agree with ls ($got)"
else fail "status objects/versions/bytes: $got, ls says $want"; fi

# ---------------------------------------------------------------- backend add
echo "-- backend add"
old=$(for k in size/1 size/$SEG; do shard_paths "bkt/$k"; done)
if out=$(hf backend add d6 "$WORK/extra" --domain d6 2>&1); then pass "backend add d6 in a new domain"
else fail "backend add: $out"; fi
got=$(hf status --json | js '(d["backends"], d["domains"], d["domains_up"], d["tolerated_domain_loss"])' | tr '\n' ' ')
if [ "$got" = "7 7 7 2 " ]; then pass "status: 7 backends in 7 domains"; else fail "status after add: $got"; fi
expect_exit 6 "adding the same backend name again" hf backend add d6 "$WORK/extra2" --domain d7
expect_exit 6 "adding the same path again" hf backend add d7 "$WORK/extra" --domain d7
expect_exit 2 "backend add without --domain" hf backend add d8 "$WORK/extra3"
on_d6=0 distinct=0
for i in $(seq 1 16); do
  rnd "$WORK/n$i" $((i * 1000))
  hf put "bkt/new/$i" "$WORK/n$i" >/dev/null
  hf stat "bkt/new/$i" --json >"$WORK/s.json"
  js '[s["backend"] for s in d["shards"]]' <"$WORK/s.json" | grep -x d6 >/dev/null && on_d6=$((on_d6 + 1))
  [ "$(js 'len({s["domain"] for s in d["shards"]})' <"$WORK/s.json")" = $((K + M)) ] && distinct=$((distinct + 1))
done
if [ $on_d6 -gt 0 ]; then pass "new objects use the new backend ($on_d6 of 16 have a shard on d6)"
else fail "none of 16 new objects placed a shard on d6"; fi
if [ $distinct = 16 ]; then pass "each new object's shards are on $((K + M)) distinct domains"; else fail "only $distinct of 16 on distinct domains"; fi
ok=0; for i in $(seq 1 16); do get_same "$WORK/n$i" "bkt/new/$i" && ok=$((ok + 1)); done
if [ $ok = 16 ]; then pass "new objects read back"; else fail "$ok of 16 new objects read back"; fi
now=$(for k in size/1 size/$SEG; do shard_paths "bkt/$k"; done)
if [ "$old" = "$now" ]; then pass "stored objects' shards did not move"; else fail "stored shards moved after backend add"; fi
if [ "$(hf backend ls --json | js '[b["shards"] for b in d if b["name"] == "d6"][0]')" = "$on_d6" ]; then
  pass "backend ls counts $on_d6 shard files on d6"
else fail "backend ls: $(hf backend ls --json)"; fi

# ---------------------------------------------------------------- help, init
echo "-- help, init"
cmds=$(hf --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
[ "$(echo $cmds | wc -w)" -ge 11 ] && pass "--help lists $(echo $cmds | wc -w) commands" || fail "--help lists: $cmds"
for c in $cmds; do
  if out=$(HOLDFAST_DATA=$WORK/no-store hf "$c" --help 2>&1) && echo "$out" | grep -q "^usage: holdfast $c"; then
    pass "$c --help exits 0 and shows usage (no store needed)"
  else fail "$c --help: $out"; fi
  check "help $c exits 0" hf help "$c"
done
check "--help exits 0" hf --help
expect_exit 2 "an unknown command" hf frobnicate
expect_exit 2 "no command at all" hf
key_before=$(sha256sum <"$STORE/master.key")
expect_exit 6 "init refuses an existing store" hf init
expect_exit 6 "init refuses an existing store (with options)" hf init --ec 2+1 --domains 3
if [ "$(sha256sum <"$STORE/master.key")" = "$key_before" ] && get_same "$WORK/in.$((3 * SEG + 17))" "bkt/size/$((3 * SEG + 17))" &&
   [ "$(hf status --json | js 'd["ec"]["k"]')" = "$K" ]; then
  pass "the refused init left the key, config and data intact"
else fail "the refused init changed the store"; fi

# ---------------------------------------------------------------- big objects
echo "-- big objects"
rnd "$WORK/big" $((100 << 20))
if hf put bkt/big100 "$WORK/big" >/dev/null && get_same "$WORK/big" bkt/big100; then
  pass "100 MiB from a file: identical"
else fail "100 MiB from a file"; fi
check "100 MiB: a range across segments 7..9" get_same \
  <(tail -c +$((7 * SEG - 2)) "$WORK/big" | head -c $((2 * SEG + 7))) \
  bkt/big100 --range "$((7 * SEG - 3))-$((9 * SEG + 3))"
rm -f "$WORK/big"

# The streamed object: 2 GiB (past 2^31); with LONG=1, 5 GiB (past 2^32).
# tee feeds sha256sum and a tap that keeps the bytes of a few ranges, so the
# object itself is stored only once, in the store.
if [ "${LONG:-0}" = 1 ]; then BIGN=$((5 << 30)); else BIGN=$((2 << 30)); fi
BIG=$((BIGN >> 30))GiB
ranges="0-99 $((SEG - 5))-$((SEG + 5)) $((BIGN / 2 - SEG - 7))-$((BIGN / 2 - SEG + 9)) $((BIGN - 100))-$((BIGN - 1))"
[ $BIGN -gt $((2 << 30)) ] && ranges="$ranges $(((2 << 30) - 50))-$(((2 << 30) + 50))"
[ $BIGN -gt $((4 << 30)) ] && ranges="$ranges $(((4 << 30) - 50))-$(((4 << 30) + 50))"
mkfifo "$WORK/fifo.sum" "$WORK/fifo.tap"
sha256sum <"$WORK/fifo.sum" | cut -d' ' -f1 >"$WORK/sum.in" &
summer=$!
# shellcheck disable=SC2086
"$PY" -c '
import sys
rs = [tuple(map(int, a.split("-"))) for a in sys.argv[2:]]
outs = [(a, z, open("%s/exp.%d-%d" % (sys.argv[1], a, z), "wb")) for a, z in rs]
pos, f = 0, sys.stdin.buffer
while True:
    b = f.read(1 << 20)
    if not b:
        break
    for a, z, o in outs:
        lo, hi = max(a, pos), min(z + 1, pos + len(b))
        if lo < hi:
            o.write(b[lo - pos:hi - pos])
    pos += len(b)
' "$WORK" $ranges <"$WORK/fifo.tap" &
tapper=$!
t0=$(date +%s.%N)
head -c "$BIGN" /dev/urandom | tee "$WORK/fifo.sum" "$WORK/fifo.tap" | hf put bkt/stream - >"$WORK/stream.vid"
put_rc=$?
wait $summer $tapper
t1=$(date +%s.%N)
hf get bkt/stream | sha256sum | cut -d' ' -f1 >"$WORK/sum.out"
get_rc=${PIPESTATUS[0]}
t2=$(date +%s.%N)
if [ $put_rc = 0 ] && [ $get_rc = 0 ] && [ -s "$WORK/sum.in" ] && cmp -s "$WORK/sum.in" "$WORK/sum.out"; then
  pass "$BIG streamed from stdin: sha256 identical (put $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")s, get $(awk "BEGIN { printf \"%.1f\", $t2 - $t1 }")s)"
else fail "$BIG from stdin: put exit $put_rc, get exit $get_rc, sha256 in $(cat "$WORK/sum.in") out $(cat "$WORK/sum.out")"; fi
if [ "$(hf stat bkt/stream --json | js 'd["size"]')" = "$BIGN" ]; then pass "$BIG: stat size $BIGN"
else fail "$BIG: stat size $(hf stat bkt/stream --json | js 'd["size"]')"; fi
for r in $ranges; do
  if [ "$(stat -c %s "$WORK/exp.$r")" = $(( ${r#*-} - ${r%-*} + 1 )) ] && get_same "$WORK/exp.$r" bkt/stream --range "$r"; then
    pass "$BIG: range $r identical to those bytes of the input"
  else fail "$BIG: range $r: $(head -c 200 "$WORK/.get_err")"; fi
done
check "$BIG: the last 17 bytes (-17)" get_same <(tail -c 17 "$WORK/exp.$((BIGN - 100))-$((BIGN - 1))") bkt/stream --range -17
exit 0
