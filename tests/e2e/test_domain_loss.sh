#!/bin/bash
# test_domain_loss.sh — losing whole failure domains.
#
# Proves DESIGN.md invariant 2 at the level of failure domains, on a
# default store (ec 4+2, 6 backends, one domain each):
#   - for EVERY set of up to m = 2 of the 6 domains, whether the backend
#     directories are emptied (root kept) or gone altogether, every object
#     reads back byte-identical, and scrub counts exactly the missing shards
#     (and reads never write into an emptied backend);
#   - with m+1 = 3 domains lost (every one of the 20 sets, both variants),
#     every get fails with exit 4 and one clear line on stderr, and writes no
#     wrong byte: what reached stdout is a correct prefix of the object (or
#     nothing), and `get B/K FILE` leaves no file; scrub --repair then does
#     no harm;
#   - with 2 domains emptied, `scrub --repair` restores full redundancy: a
#     following scrub reports missing 0, corrupt 0 and exits 0, and the
#     objects read back;
#   - after domains were down long enough for a repair to place shards on
#     the remaining ones, and then came back, every object again survives
#     the loss of ANY 2 domains (its shards are back on distinct domains).
# Prints the figure: combinations tried, reads ok.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

new_store
hf bucket create bkt >/dev/null || { fail "bucket create"; exit 1; }
SEG=$(hf status --json | js 'd["segment_size"]')
M=$(hf status --json | js 'd["ec"]["m"]')
N=$(hf status --json | js 'd["ec"]["k"] + d["ec"]["m"]')

OBJS="o0 o1 o5 o9"
declare -A SIZE=([o0]=0 [o1]=1 [o5]=$((5 << 20 | 3)) [o9]=$(((9 << 20) - 7)))
SEGS=0
for o in $OBJS; do
  rnd "$WORK/$o" "${SIZE[$o]}"
  hf put "bkt/$o" "$WORK/$o" >/dev/null || { fail "put $o"; exit 1; }
  SEGS=$((SEGS + (SIZE[$o] == 0 ? 1 : (SIZE[$o] + SEG - 1) / SEG)))
done
# Every object has one shard on every domain (6 shards, 6 domains), so each
# lost domain costs exactly one shard of every segment: SEGS shards.

# domain -> backend directory
declare -A DIR
while read -r dom path; do DIR[$dom]=$path; done < <(hf backend ls --json | js '["%s %s" % (b["domain"], b["path"]) for b in d]')
DOMS=$(printf '%s\n' "${!DIR[@]}" | sort | tr '\n' ' ')
[ "$(echo $DOMS | wc -w)" = "$N" ] || { fail "expected $N domains, have: $DOMS"; exit 1; }

# sets of R domains, one per line
combos() { "$PY" -c 'import itertools, sys
for c in itertools.combinations(sys.argv[2:], int(sys.argv[1])): print(" ".join(c))' "$1" $DOMS; }

# lose VARIANT DOMAIN... : "empty" keeps an empty root, "gone" removes it
lose() {
  local v=$1 d; shift
  for d in "$@"; do
    mv "${DIR[$d]}" "${DIR[$d]}.gone" || return 1
    if [ "$v" = empty ]; then mkdir "${DIR[$d]}" || return 1; fi
  done
}
# restore DOMAIN... ; fails if an emptied root got anything written into it
restore() {
  local d dirty=0
  for d in "$@"; do
    if [ -d "${DIR[$d]}" ]; then
      [ -z "$(ls -A "${DIR[$d]}")" ] || dirty=1
      rm -rf "${DIR[$d]}"
    fi
    mv "${DIR[$d]}.gone" "${DIR[$d]}"
  done
  return $dirty
}

# ------------------------------------------------ up to m domains lost
tried=0 reads=0 reads_ok=0
for r in $(seq 0 "$M"); do
  for v in empty gone; do
    [ "$r" = 0 ] && [ "$v" = gone ] && continue
    while read -r set; do
      # shellcheck disable=SC2086
      lose $v $set || { fail "could not take away $set"; continue; }
      tried=$((tried + 1))
      bad=""
      for o in $OBJS; do
        reads=$((reads + 1))
        if get_same "$WORK/$o" "bkt/$o"; then
          reads_ok=$((reads_ok + 1))
        else bad="$bad $o($(head -c 120 "$WORK/.get_err"))"; fi
      done
      sj=$(hf scrub --json); src=$?
      got=$(echo "$sj" | js '(d["missing"], d["corrupt"], d["unreadable"], d["repaired"])' | tr '\n' ' ')
      want_rc=$([ "$r" = 0 ] && echo 0 || echo 4)
      [ "$got" = "$((r * SEGS)) 0 0 0 " ] && [ $src = "$want_rc" ] || bad="$bad scrub(exit $src: $sj, wanted missing $((r * SEGS)))"
      # shellcheck disable=SC2086
      restore $set || bad="$bad (a read or scrub wrote into an emptied backend)"
      if [ -z "$bad" ]; then pass "lost {${set:-none}} ($v): all objects identical, scrub counts $((r * SEGS)) missing"
      else fail "lost {$set} ($v):$bad"; fi
    done < <(if [ "$r" = 0 ]; then echo; else combos "$r"; fi)
  done
done
echo "  figure: up to $M of $N domains lost: $tried combinations tried, $reads_ok of $reads reads ok"
if [ "$tried" = $((2 * (1 + 6 + 15) - 1)) ] && [ $reads_ok = $reads ]; then
  pass "figure: $tried combinations tried, $reads_ok/$reads reads ok"
else fail "figure: $tried combinations tried, $reads_ok/$reads reads ok"; fi

# ------------------------------------------------ m+1 domains lost
tried3=0 failed_right=0 wrong=0 total3=0
for v in empty gone; do
  while read -r set; do
    # shellcheck disable=SC2086
    lose $v $set || { fail "could not take away $set"; continue; }
    tried3=$((tried3 + 1))
    bad=""
    for o in $OBJS; do
      total3=$((total3 + 1))
      hf get "bkt/$o" >"$WORK/out" 2>"$WORK/err"; rc=$?
      rm -f "$WORK/file"
      hf get "bkt/$o" "$WORK/file" 2>/dev/null; frc=$?
      if ! is_prefix "$WORK/out" "$WORK/$o"; then
        wrong=$((wrong + 1)); bad="$bad $o(WRONG BYTES on stdout)"
      elif [ $rc != 4 ]; then bad="$bad $o(exit $rc)"
      elif ! one_line "$WORK/err" || ! grep -q "^holdfast get: bkt/$o: .*unreadable" "$WORK/err"; then
        bad="$bad $o(message: $(head -c 300 "$WORK/err" | tr '\n' '|'))"
      elif [ $frc != 4 ] || [ -e "$WORK/file" ] || [ -e "$WORK/file.partial" ]; then
        bad="$bad $o(get to FILE: exit $frc, left a file)"
      else failed_right=$((failed_right + 1)); fi
    done
    # shellcheck disable=SC2086
    restore $set || bad="$bad (a read wrote into an emptied backend)"
    if [ -z "$bad" ]; then pass "lost {$set} ($v): every get exit 4, one line, no wrong byte"
    else fail "lost {$set} ($v):$bad"; fi
  done < <(combos $((M + 1)))
done
echo "  figure: $((M + 1)) domains lost: $tried3 combinations tried, $failed_right of $total3 gets failed cleanly, $wrong served wrong bytes"
[ $wrong = 0 ] && pass "no get served a wrong byte with $((M + 1)) domains lost ($total3 gets)" || fail "$wrong gets served wrong bytes"
echo "  sample message: $(cat "$WORK/err")"

set3=$(combos $((M + 1)) | head -n1)
# shellcheck disable=SC2086
lose empty $set3
sj=$(hf scrub --repair --json); src=$?
if [ $src = 4 ] && [ "$(echo "$sj" | js 'd["unreadable"]')" = 4 ]; then pass "scrub --repair with {$set3} emptied: 4 unreadable, exit 4"
else fail "scrub --repair with {$set3} emptied: exit $src $sj"; fi
for d in $set3; do rm -rf "${DIR[$d]}"; mv "${DIR[$d]}.gone" "${DIR[$d]}"; done
ok=0; for o in $OBJS; do get_same "$WORK/$o" "bkt/$o" && ok=$((ok + 1)); done
sj=$(hf scrub --json); src=$?
if [ $ok = 4 ] && [ $src = 0 ] && [ "$(echo "$sj" | js '(d["missing"], d["corrupt"])' | tr '\n' ' ')" = "0 0 " ]; then
  pass "that repair attempt did no harm: domains back, all read, scrub clean"
else fail "after the failed repair: $ok/4 read, scrub exit $src $sj"; fi

# ------------------------------------------------ repair with 2 domains emptied
# An empty directory without the backend's marker (a new disk, or a disk
# that did not mount) is not used until `backend replace` adopts it.
set2=$(combos 2 | sed -n 7p)
# shellcheck disable=SC2086
lose empty $set2
first=${set2%% *}
st=$(hf backend ls --json | js '[b["state"] for b in d if b["domain"] == "'"$first"'"][0]')
[ "$st" = unavailable ] && pass "an emptied backend directory without its marker is unavailable"   || fail "emptied backend $first is '$st', wanted unavailable"
other=$(echo $DOMS | tr ' ' '\n' | grep -vxF -e ${set2// / -e } | head -n1)
expect_exit 6 "backend replace refuses a backend that is up" "$HF" backend replace "$other"
touch "${DIR[$first]}/stray"
expect_exit 7 "backend replace refuses a directory that is not empty" "$HF" backend replace "$first"
rm -f "${DIR[$first]}/stray"
for d in $set2; do
  expect_exit 0 "backend replace adopts the new empty directory of $d" "$HF" backend replace "$d"
done
sj=$(hf scrub --repair --json); src=$?
if [ $src = 0 ] && [ "$(echo "$sj" | js '(d["missing"], d["repaired"], d["degraded"])' | tr '\n' ' ')" = "$((2 * SEGS)) $((2 * SEGS)) 0 " ]; then
  pass "scrub --repair with {$set2} emptied: $((2 * SEGS)) missing, $((2 * SEGS)) repaired, exit 0"
else fail "scrub --repair with {$set2} emptied: exit $src $sj"; fi
sj=$(hf scrub --json); src=$?
if [ $src = 0 ] && [ "$(echo "$sj" | js '(d["missing"], d["corrupt"], d["degraded"])' | tr '\n' ' ')" = "0 0 0 " ]; then
  pass "the following scrub: missing 0, corrupt 0, exit 0 (full redundancy)"
else fail "scrub after repair: exit $src $sj"; fi
ok=0; for o in $OBJS; do get_same "$WORK/$o" "bkt/$o" && ok=$((ok + 1)); done
[ $ok = 4 ] && pass "objects read back after the repair" || fail "$ok/4 objects read back after repair"
for d in $set2; do rm -rf "${DIR[$d]}.gone"; done   # the lost copies are gone for good
spread=0; for o in $OBJS; do [ "$(hf stat "bkt/$o" --json | js 'len({s["domain"] for s in d["shards"]})')" = "$N" ] && spread=$((spread + 1)); done
[ $spread = 4 ] && pass "repaired shards stayed in their own domains (each object on $N domains)" || fail "only $spread/4 objects on $N domains"
oj=$(hf reclaim --orphans --json)
[ "$(echo "$oj" | js 'd["orphans"]')" = 0 ] && pass "no orphan shard files after repair ($oj)" || fail "orphans after repair: $oj"
# and the repaired store again survives any 2 more lost domains
ok=0 n=0
while read -r set; do
  # shellcheck disable=SC2086
  lose empty $set
  for o in $OBJS; do n=$((n + 1)); get_same "$WORK/$o" "bkt/$o" && ok=$((ok + 1)); done
  # shellcheck disable=SC2086
  restore $set
done < <(combos 2)
[ $ok = $n ] && pass "after repair every object survives each of the 15 pairs of lost domains ($ok/$n reads)" \
  || fail "after repair only $ok/$n reads survive a lost pair"

# ------------------------------------------------ domains down, repaired elsewhere, then back
set2=$(combos 2 | sed -n 12p)
# shellcheck disable=SC2086
lose gone $set2
sj=$(hf scrub --repair --json); src=$?
echo "  with {$set2} down, scrub --repair: exit $src $sj"
ok=0; for o in $OBJS; do get_same "$WORK/$o" "bkt/$o" && ok=$((ok + 1)); done
[ $ok = 4 ] && pass "with {$set2} down and repaired onto the other domains, objects read back" || fail "$ok/4 read back"
for d in $set2; do mv "${DIR[$d]}.gone" "${DIR[$d]}"; done
hf scrub --repair >/dev/null; hf reclaim >/dev/null
sj=$(hf scrub --json); src=$?
[ $src = 0 ] && pass "domains back: scrub exit 0 ($sj)" || fail "domains back: scrub exit $src $sj"
spread=""
for o in $OBJS; do
  doms=$(hf stat "bkt/$o" --json | js '[s["domain"] for s in d["shards"]]' | sort | uniq -d | tr '\n' ' ')
  [ -z "$doms" ] || spread="$spread $o(two shards in: $doms)"
done
[ -z "$spread" ] && pass "domains back: every object's shards are on $N distinct domains again" \
  || fail "domains back, scrub --repair and reclaim done, but shards still share a domain:$spread"
ok=0 n=0 lost=""
while read -r set; do
  # shellcheck disable=SC2086
  lose empty $set
  for o in $OBJS; do
    n=$((n + 1))
    if get_same "$WORK/$o" "bkt/$o"; then ok=$((ok + 1)); else lost="$lost $o@{$set}"; fi
  done
  # shellcheck disable=SC2086
  restore $set
done < <(combos 2)
st=$(hf status --json | js 'd["tolerated_domain_loss"]')
[ $ok = $n ] && pass "domains back: every object survives each of the 15 pairs of lost domains (status says $st)" \
  || fail "domains back: status says the store survives $st lost domains, yet $((n - ok))/$n reads fail:$lost"
exit 0
