#!/bin/bash
# test_bitrot.sh — corrupted, truncated, swapped and deleted shard files.
#
# Proves DESIGN.md invariant 2 against silent corruption: with up to m = 2
# bad shards in any segment, every get is byte-identical (wrong bytes are
# never served), scrub detects each damaged shard frame — exactly as many
# as were damaged — `scrub --repair` rebuilds them all and a second scrub is
# clean.  One flipped byte damages exactly one frame (128-byte header +
# payload) of one shard file, so the expected count is the number of
# distinct frames hit.  Flips land at random offsets in frame headers and
# payloads, with m shards hit in EVERY segment of every object.
# Then: a shard file truncated mid-payload and mid-header, one deleted, one
# with two frames swapped, one replaced by another version's file (the
# frame header binds object, version, segment and index).
# Then beyond m: 3 bad shards in one segment — get fails with exit 4, writes
# only a correct prefix, and ranges that avoid that segment still read.
# Prints the figure: flips made, detected, repaired, served wrong.
# SEED=N reproduces a run's choices.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

SEED=${SEED:-$$}
RANDOM=$SEED
echo "  seed $SEED"
new_store
hf bucket create bkt >/dev/null || { fail "bucket create"; exit 1; }
SEG=$(hf status --json | js 'd["segment_size"]')
K=$(hf status --json | js 'd["ec"]["k"]')
M=$(hf status --json | js 'd["ec"]["m"]')
N=$((K + M))

OBJS="a b c d e"
declare -A SIZE=([a]=$((6 * SEG - 17)) [b]=$((2 * SEG + 1000)) [c]=5000 [d]=0 [e]=$SEG)
declare -A NSEG PATHS
for o in $OBJS; do
  rnd "$WORK/$o" "${SIZE[$o]}"
  hf put "bkt/$o" "$WORK/$o" >/dev/null || { fail "put $o"; exit 1; }
  NSEG[$o]=$(( SIZE[$o] == 0 ? 1 : (SIZE[$o] + SEG - 1) / SEG ))
  frames "${SIZE[$o]}" "$SEG" "$K" >"$WORK/frames.$o"
done
load_paths() { local o; for o in $OBJS; do PATHS[$o]=$(shard_paths "bkt/$o" | tr '\n' ' '); done; }
load_paths
path_of() { local a; read -ra a <<<"${PATHS[$1]}"; echo "${a[$2]}"; }   # OBJ INDEX
frame_field() { sed -n "$(($2 + 1))p" "$WORK/frames.$1" | cut -d' ' -f"$3"; }  # OBJ SEG FIELD(1 off,2 len,3 payload)
rand() { echo $(( ((RANDOM << 15) | RANDOM) % $1 )); }

# flip FILE POS: xor the byte at POS with a random non-zero value
flip() {
  local old new
  old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  [ -n "$old" ] || return 1
  new=$(( old ^ (1 + RANDOM % 255) ))
  printf "\\x$(printf %02x $new)" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

all_read() {   # how many objects read back identical (exit 0 and same bytes)
  local o ok=0
  for o in $OBJS; do get_same "$WORK/$o" "bkt/$o" && ok=$((ok + 1)); done
  echo $ok
}
served_wrong() {   # objects served with exit 0 but different bytes
  local o w=0
  for o in $OBJS; do
    hf get "bkt/$o" >"$WORK/g" 2>/dev/null && ! cmp -s "$WORK/g" "$WORK/$o" && w=$((w + 1))
  done
  echo $w
}
scrub_is() {   # WHAT WANT-EXIT "missing corrupt repaired unreadable" [--repair]
  local what=$1 want_rc=$2 want=$3 sj rc got; shift 3
  sj=$(hf scrub "$@" --json); rc=$?
  got=$(echo "$sj" | js '(d["missing"], d["corrupt"], d["repaired"], d["unreadable"])' | tr '\n' ' ')
  if [ "$got" = "$want " ] && [ $rc = "$want_rc" ]; then pass "$what: missing corrupt repaired unreadable = $want, exit $rc"
  else fail "$what: got $got exit $rc, wanted $want exit $want_rc ($sj)"; fi
  SCRUB_JSON=$sj
}

# ------------------------------------------------ random flips, m per segment
echo "-- bit flips"
declare -A HIT          # "obj seg" -> indexes hit
flips=0 hdr=0 pay=0
for o in $OBJS; do
  for s in $(seq 0 $((NSEG[$o] - 1))); do
    # m distinct shard indexes of this segment
    i1=$(rand $N); i2=$(( (i1 + 1 + $(rand $((N - 1)))) % N ))
    for i in $i1 $i2; do
      f=$(path_of $o $i)
      off=$(frame_field $o $s 1); plen=$(frame_field $o $s 3)
      if [ $((RANDOM % 2)) = 0 ]; then pos=$((off + $(rand 128))); hdr=$((hdr + 1))
      else pos=$((off + 128 + $(rand "$plen"))); pay=$((pay + 1)); fi
      flip "$f" "$pos" || { fail "could not flip $f at $pos"; continue; }
      flips=$((flips + 1))
      HIT["$o $s"]="${HIT["$o $s"]:-} $i"
    done
  done
done
echo "  flipped $flips bytes ($hdr in frame headers, $pay in payloads), $M shards in each of $flips/$M segments"
served_wrong_before=$(served_wrong)
ok=$(all_read)
[ "$ok" = 5 ] && pass "every object reads back identical with $M flipped shards per segment" || fail "$ok/5 objects read back"
for o in a b; do
  first=$((SEG - 100)) last=$((2 * SEG + 100))
  if hf get "bkt/$o" --range "$first-$last" >"$WORK/r" && cmp -s "$WORK/r" <(tail -c +$((first + 1)) "$WORK/$o" | head -c $((last - first + 1))); then
    pass "$o: a range across damaged segments reads back identical"
  else fail "$o: range across damaged segments"; fi
done
scrub_is "scrub after $flips flips" 4 "0 $flips 0 0"
detected=$(echo "$SCRUB_JSON" | js 'd["corrupt"]')
old_paths=$(for o in $OBJS; do echo ${PATHS[$o]}; done | tr ' ' '\n' | sort)
scrub_is "scrub --repair" 0 "0 $flips $flips 0" --repair
repaired=$(echo "$SCRUB_JSON" | js 'd["repaired"]')
scrub_is "second scrub" 0 "0 0 0 0"
load_paths
new_paths=$(for o in $OBJS; do echo ${PATHS[$o]}; done | tr ' ' '\n' | sort)
replaced=$(comm -23 <(echo "$old_paths") <(echo "$new_paths") | wc -l)
still=0; for p in $(comm -23 <(echo "$old_paths") <(echo "$new_paths")); do [ -e "$p" ] && still=$((still + 1)); done
distinct_damaged=$(for k in "${!HIT[@]}"; do for i in ${HIT[$k]}; do echo "${k% *} $i"; done; done | sort -u | wc -l)
if [ "$replaced" = "$distinct_damaged" ] && [ $still = 0 ]; then
  pass "each of the $distinct_damaged damaged shard files was replaced by a new generation, the old ones reclaimed"
else fail "$replaced shard files replaced ($still old ones still on disk), $distinct_damaged were damaged"; fi
served_wrong_after=$(served_wrong)
ok=$(all_read)
[ "$ok" = 5 ] && pass "every object reads back identical after repair" || fail "$ok/5 objects read back after repair"
wrong=$((served_wrong_before + served_wrong_after))
echo "  figure: flips made $flips, detected $detected, repaired $repaired, served wrong $wrong"
[ "$wrong" = 0 ] && pass "figure: $flips flips, $detected detected, $repaired repaired, 0 served wrong" \
  || fail "figure: $flips flips, $detected detected, $repaired repaired, $wrong served wrong"

# ------------------------------------------------ truncated, deleted, swapped, replaced
echo "-- truncated, deleted, swapped and foreign shard files"
load_paths
# a, shard 1: cut in the middle of frame 2's payload -> frame 2 corrupt, 3..5 missing
truncate -s $(( $(frame_field a 2 1) + 128 + 1000 )) "$(path_of a 1)"
# b, shard 4: cut inside frame 1's header -> frames 1 and 2 missing
truncate -s $(( $(frame_field b 1 1) + 50 )) "$(path_of b 4)"
# c and d, one shard file each deleted -> missing
rm -f "$(path_of c 0)" "$(path_of d 5)"
# a, shard 3: frame 0 copied over frame 1 (same length) -> frame 1 corrupt
f=$(path_of a 3); fl=$(frame_field a 0 2)
dd if="$f" of="$f" bs="$fl" count=1 seek=1 conv=notrunc status=none
# e, shard 2: replaced by b's shard 2 (another version) -> frame 0 corrupt
cp "$(path_of b 2)" "$(path_of e 2)"
want_missing=$(( (NSEG[a] - 3) + (NSEG[b] - 1) + 1 + 1 ))
want_corrupt=$(( 1 + 1 + 1 ))
echo "  expecting $want_missing missing and $want_corrupt corrupt shard frames"
ok=$(all_read)
[ "$ok" = 5 ] && pass "every object reads back identical with truncated, deleted, swapped and foreign shards" \
  || fail "$ok/5 objects read back (truncated/deleted/swapped)"
[ "$(served_wrong)" = 0 ] && pass "no wrong bytes served" || fail "wrong bytes served"
scrub_is "scrub" 4 "$want_missing $want_corrupt 0 0"
scrub_is "scrub --repair" 0 "$want_missing $want_corrupt $((want_missing + want_corrupt)) 0" --repair
scrub_is "second scrub" 0 "0 0 0 0"
ok=$(all_read)
[ "$ok" = 5 ] && pass "every object reads back identical after that repair" || fail "$ok/5 read back after repair"
oj=$(hf reclaim --orphans --json)
[ "$(echo "$oj" | js 'd["orphans"]')" = 0 ] && pass "no orphan files left ($oj)" || fail "orphans: $oj"

# ------------------------------------------------ beyond m: m+1 bad shards in one segment
echo "-- $((M + 1)) bad shards in one segment"
load_paths
for i in 0 2 4; do
  flip "$(path_of a $i)" $(( $(frame_field a 1 1) + 128 + $(rand "$(frame_field a 1 3)") ))
done
hf get bkt/a >"$WORK/out" 2>"$WORK/err"; rc=$?
got=$(stat -c %s "$WORK/out")
if [ $rc = 4 ] && is_prefix "$WORK/out" "$WORK/a" && [ "$got" -le "$SEG" ]; then
  pass "get fails with exit 4 and wrote only a correct prefix ($got bytes, no byte of the bad segment)"
else fail "get with 3 bad shards in segment 1: exit $rc, $got bytes, prefix $(is_prefix "$WORK/out" "$WORK/a" && echo yes || echo NO)"; fi
if one_line "$WORK/err" && grep -q '^holdfast get: bkt/a: .*segment 1' "$WORK/err"; then pass "one clear line: $(cat "$WORK/err")"
else fail "error message: $(head -c 300 "$WORK/err" | tr '\n' '|')"; fi
rm -f "$WORK/file"
hf get bkt/a "$WORK/file" 2>/dev/null; rc=$?
[ $rc = 4 ] && [ ! -e "$WORK/file" ] && [ ! -e "$WORK/file.partial" ] && pass "get to FILE: exit 4, no file left" \
  || fail "get to FILE: exit $rc, file left: $(ls "$WORK"/file* 2>/dev/null)"
check "a range in segment 0 still reads" get_same <(head -c 1000 "$WORK/a") bkt/a --range 0-999
check "a range in segments 2.. still reads" get_same <(tail -c +$((2 * SEG + 1)) "$WORK/a") bkt/a --range "$((2 * SEG))-"
expect_exit 4 "a range touching segment 1 fails" hf get bkt/a --range "$((SEG + 5))-$((SEG + 6))"
scrub_is "scrub" 4 "0 3 0 1"
scrub_is "scrub --repair cannot rebuild it and says so" 4 "0 3 0 1" --repair
o_ok=0; for o in b c d e; do get_same "$WORK/$o" "bkt/$o" && o_ok=$((o_ok + 1)); done
[ $o_ok = 4 ] && pass "the other objects still read back" || fail "$o_ok/4 other objects read back"
exit 0
