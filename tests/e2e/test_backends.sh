#!/bin/bash
# test_backends.sh — providers as failure domains, and decommissioning a
# backend: drain, proof of drain, wipe with a certificate.
#
# Proves DESIGN.md invariant 5 ("a backend is wiped only when every shard
# on it is reclaimable or redundant elsewhere at full strength") and the
# placement rule of issue 5, on a store of ec 3+2 over six local backends
# in three providers (two domains each):
#   - status says what the store survives: "the loss of any 2 domains,
#     any 1 provider"; every object has its 5 shards on distinct domains
#     and no provider holds more than m = 2 of them; with providers that
#     cannot all be kept within m by distinct domains (4 domains at one
#     provider, 1 each at two others, ec 4+2) the cap still holds and
#     status says the cost (1 domain); min_redundancy refuses writes that
#     would survive less;
#   - before the drain, wipe is refused (exit 8) naming the held data, and
#     check fails (exit 8) listing held versions first;
#   - drain is killed with SIGKILL at random crash points (HOLDFAST_CRASH_AT)
#     and by a real kill -9, and resumed, while a reader and a writer run:
#     every read is byte-identical, every write succeeds, and nothing new
#     lands on the draining backend;
#   - check passes only after the drain; its report's SHA-256 is the proof,
#     logged as the document of a "backend.checked" entry;
#   - wipe is refused without --proof, with an unknown, a failing or a stale
#     proof; with a current one it removes every shard file (through the
#     reclaimer), leaves none, and the "backend.wiped" certificate is in the
#     audit log (method, verification, remnants); the log verifies; every
#     object still reads byte-identical;
#   - a backend marked failed is not read; scrub --repair re-places its
#     shards; activating it again reconciles it;
#   - bad input gets one clear line and the right exit code.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

export HOLDFAST_DATA=$WORK/store
hf init --ec 3+2 --domains 1 >/dev/null || { fail "init"; exit 1; }
for i in 1 2 3 4 5 6; do
  hf backend add "b$i" "$WORK/b$i" --domain "dom$i" --provider "P$(((i + 1) / 2))" >/dev/null ||
    { fail "backend add b$i"; exit 1; }
done
declare -A PROV
while read -r b p; do PROV[$b]=$p; done < <(hf backend ls --json | js '["%s %s" % (b["name"], b["provider"] or "-") for b in d]')

echo "-- an empty backend's whole life: drain, check, wipe, retire"
expect_exit 0 "drain d0 (empty)" hf backend drain d0
proof=$(hf backend check d0 | sed -n 's/^proof: *\([0-9a-f]\{64\}\).*/\1/p')
[ -n "$proof" ] && pass "check d0 passes and prints a proof" || fail "check d0: no proof"
expect_exit 0 "wipe d0 with its proof" hf backend wipe d0 --proof "$proof"
expect_exit 0 "retire d0" hf backend retire d0
st=$(hf backend ls --json | js '[b["state"] for b in d if b["name"] == "d0"][0]')
[ "$st" = retired ] && pass "d0 is retired" || fail "d0 state: $st"
kinds=$(hf audit ls | grep -o 'backend\.[a-z-]*' | tr '\n' ' ')
for k in backend.draining backend.drained backend.checked backend.wiping backend.wiped backend.retired; do
  echo "$kinds" | grep -qw "$k" && pass "audit log has $k" || fail "audit log lacks $k: $kinds"
done

echo "-- providers as failure domains"
out=$(hf status)
echo "$out" | grep -q "survives:  the loss of any 2 domains, any 1 provider" &&
  pass "status: survives the loss of any 2 domains, any 1 provider" || fail "status: $(echo "$out" | grep survives)"
got=$(hf status --json | js '(d["tolerated_domain_loss"], d["tolerated_provider_loss"], d["tolerated_site_loss"], d["domains"], d["min_redundancy"])' | tr '\n' ' ')
[ "$got" = "2 1 -1 6 1 " ] && pass "status --json: domains 2, providers 1, no sites, 6 domains in service, min_redundancy 1" || fail "status --json: $got"
hf bucket create bkt >/dev/null
N=24 bad=0
for i in $(seq 1 $N); do
  rnd "$WORK/f$i" $(((i * 97331) % 700000 + (i % 3) * 900000))
  hf put "bkt/f$i" "$WORK/f$i" >/dev/null || { fail "put f$i"; continue; }
done
for i in $(seq 1 6); do rnd "$WORK/h$i" $((i * 150000)); hf put "bkt/held/h$i" "$WORK/h$i" >/dev/null; done
check_placement() {  # B/K... : distinct domains, at most 2 shards per provider
  local k bad=0
  for k in "$@"; do
    hf stat "$k" --json >"$WORK/s.json" || { bad=$((bad + 1)); continue; }
    r=$(js 'len({s["domain"] for s in d["shards"]}) == len(d["shards"]) == 5' <"$WORK/s.json")
    [ "$r" = true ] || { bad=$((bad + 1)); continue; }
    for b in $(js '[s["backend"] for s in d["shards"]]' <"$WORK/s.json"); do echo "${PROV[$b]}"; done |
      sort | uniq -c | awk '$1 > 2 { bad = 1 } END { exit bad }' || bad=$((bad + 1))
  done
  return $bad
}
keys=$(for i in $(seq 1 $N); do echo "bkt/f$i"; done)
# shellcheck disable=SC2086
check_placement $keys && pass "all $N objects: 5 shards on distinct domains, no provider holds more than m = 2" ||
  fail "placement broke the rules for some objects"

# A store whose providers cannot all be kept within m on distinct domains.
(
  export HOLDFAST_DATA=$WORK/uneven
  hf init --ec 4+2 --domains 1 >/dev/null
  for i in 1 2 3 4; do hf backend add "a$i" "$WORK/ua$i" --domain "ua$i" --provider A >/dev/null; done
  hf backend add b1 "$WORK/ub1" --domain ub1 --provider B >/dev/null
  hf backend add c1 "$WORK/uc1" --domain uc1 --provider C >/dev/null
  hf bucket create ubk >/dev/null
  over=0
  for i in $(seq 1 12); do
    rnd "$WORK/u$i" 5000
    hf put "ubk/o$i" "$WORK/u$i" >/dev/null || { echo "putfail"; over=$((over + 1)); continue; }
    a=$(hf stat "ubk/o$i" --json | js '[s["backend"] for s in d["shards"]]' | grep -c '^a')
    [ "$a" -le 2 ] || over=$((over + 1))
  done
  echo "over $over"
  hf status | grep survives:
  # min_redundancy 2 cannot be met here: writes refused, clearly
  echo "min_redundancy = 2" >>"$HOLDFAST_DATA/holdfast.conf"
  hf put ubk/refused "$WORK/u1" >/dev/null 2>"$WORK/uerr"; echo "refused $?"
  cat "$WORK/uerr"
  hf status | grep survives:
) >"$WORK/uneven.out" 2>&1
grep -q "^over 0$" "$WORK/uneven.out" && pass "4 domains at provider A, 1 at B, 1 at C, ec 4+2: A never holds more than 2 shards of 12 objects" ||
  fail "uneven providers: $(tr '\n' '|' <"$WORK/uneven.out")"
grep -q "survives:  the loss of any 1 domain, any 1 provider" "$WORK/uneven.out" &&
  pass "and status says the price: survives any 1 domain, any 1 provider" || fail "uneven status: $(grep survives "$WORK/uneven.out" | head -1)"
grep -q "^refused 5$" "$WORK/uneven.out" && grep -q "below min_redundancy = 2" "$WORK/uneven.out" &&
  pass "min_redundancy = 2 refuses the write (exit 5) and says why" || fail "min_redundancy: $(tr '\n' '|' <"$WORK/uneven.out")"
grep -q "survives:  nothing" "$WORK/uneven.out" && pass "status then says writes fail" || fail "status under min_redundancy: $(tail -1 "$WORK/uneven.out")"

echo "-- before the drain"
hf hold place --case C-17 --by "J. Counsel" --reference "letter of 2026-11-20" --bucket bkt --prefix held/ >/dev/null ||
  fail "hold place"
expect_exit 8 "wipe b3 before any drain is refused: held data" hf backend wipe b3 --proof "$(printf '%064d' 0)"
grep -q "C-17" "$WORK/.err" && grep -q "held" "$WORK/.err" && pass "the refusal names the hold: $(cut -c1-160 "$WORK/.err")" ||
  fail "refusal does not name the hold: $(cat "$WORK/.err")"
hf backend check b3 --json >"$WORK/pre.json"; rc=$?
[ $rc = 8 ] && pass "check b3 before the drain fails (exit 8: held data is not yet safe)" || fail "check before drain: exit $rc"
r=$(js '(d["passed"], d["problems"][0]["held"], d["problems"][-1]["held"] if d["unsafe"] > d["unsafe-held"] else False, d["unsafe-held"] > 0)' <"$WORK/pre.json" | tr '\n' ' ')
[ "$r" = "false true false true " ] && pass "the failing report lists held versions first" || fail "pre-drain report: $r"
PRE=$(sha256sum "$WORK/pre.json" | cut -c1-64)

echo "-- drain, killed and resumed, with reads and writes going on"
on_b3_before=$(hf backend ls --json | js '[b["shard_rows"] for b in d if b["name"] == "b3"][0]')
[ "$on_b3_before" -gt 0 ] && pass "b3 holds $on_b3_before shards before the drain" || fail "b3 holds no shard"
: >"$WORK/bg.fail"
(
  i=0
  while [ ! -e "$WORK/stop" ]; do
    i=$((i + 1))
    k=$((i % N + 1))
    get_same "$WORK/f$k" "bkt/f$k" || echo "read f$k" >>"$WORK/bg.fail"
    rnd "$WORK/w$i" $((i * 7919 % 400000 + 1))
    if hf put "bkt/live/w$i" "$WORK/w$i" >/dev/null 2>"$WORK/w.err"; then echo "$i" >>"$WORK/bg.ok"
    else echo "write w$i: $(cat "$WORK/w.err")" >>"$WORK/bg.fail"; fi
  done
) &
BG=$!
sleep 0.3
kills=0 rounds=0
# Few crash points per round (about three per version moved): each round dies part way.
while [ $rounds -lt 20 ]; do
  rounds=$((rounds + 1))
  at=$((RANDOM % 12 + 1))
  { HOLDFAST_CRASH_AT=$at "$HF" backend drain b3 >/dev/null 2>&1; rc=$?; } 2>/dev/null
  [ $rc = 137 ] && kills=$((kills + 1))
  for i in 1 7 13; do get_same "$WORK/f$i" "bkt/f$i" || fail "after a kill at crash point $at: f$i does not read back"; done
  [ $rc = 0 ] && break
  if [ $kills = 3 ]; then
    { "$HF" backend drain b3 >/dev/null 2>&1 &
      DP=$!
      sleep 0.0$((RANDOM % 9 + 1))
      kill -9 $DP 2>/dev/null && kills=$((kills + 1))
      wait $DP; } 2>/dev/null
  fi
done
[ $kills -ge 3 ] || fail "drain was killed only $kills times"
pass "drain killed $kills times in $rounds rounds (SIGKILL at random crash points and a real kill -9)"
st=$(hf backend ls --json | js '[b["state"] for b in d if b["name"] == "b3"][0]')
[ "$st" = draining ] || [ "$st" = drained ] && pass "b3 stays $st across the kills" || fail "b3 state after kills: $st"
expect_exit 0 "drain b3 resumes and finishes" hf backend drain b3
grep -q "shards left on it" "$WORK/.out" && pass "drain reports its progress: $(head -1 "$WORK/.out" | cut -c1-150)" || fail "drain output: $(cat "$WORK/.out")"
sleep 0.5
touch "$WORK/stop"
wait $BG
nok=$(wc -l <"$WORK/bg.ok" 2>/dev/null || echo 0)
if [ -s "$WORK/bg.fail" ]; then fail "during the drain: $(head -3 "$WORK/bg.fail" | tr '\n' '|')"
else pass "during the drain: every read byte-identical, all $nok writes succeeded"; fi
st=$(hf backend ls --json | js '["%s %s" % (b["state"], b["shard_rows"]) for b in d if b["name"] == "b3"][0]')
[ "$st" = "drained 0" ] && pass "b3 is drained: no shard of any version on it" || fail "b3 after drain: $st"
hf ls bkt/live/ --json | js '[v["key"] for v in d]' >"$WORK/live"
on=0
while read -r k; do hf stat "bkt/$k" --json | js '[s["backend"] for s in d["shards"]]' | grep -qx b3 && on=$((on + 1)); done <"$WORK/live"
[ $on = 0 ] && pass "none of the $(wc -l <"$WORK/live") objects written during the drain has a shard on b3" || fail "$on objects written during the drain are on b3"
# shellcheck disable=SC2086
check_placement $keys $(sed 's|^|bkt/|' "$WORK/live") && pass "after the drain every object still keeps the rules (distinct domains, <= 2 per provider)" ||
  fail "placement rules broken after the drain"
bad=0
for i in $(seq 1 $N); do get_same "$WORK/f$i" "bkt/f$i" || bad=$((bad + 1)); done
for i in $(seq 1 6); do get_same "$WORK/h$i" "bkt/held/h$i" || bad=$((bad + 1)); done
[ $bad = 0 ] && pass "all $((N + 6)) objects read byte-identical after the drain" || fail "$bad objects differ after the drain"
expect_exit 0 "scrub after the drain: full redundancy everywhere" hf scrub

echo "-- proof of drain"
hf backend check b3 >"$WORK/check.out"; rc=$?
[ $rc = 0 ] && pass "check b3 passes after the drain" || fail "check after drain: exit $rc: $(cat "$WORK/check.out")"
P=$(sed -n 's/^proof: *\([0-9a-f]\{64\}\).*/\1/p' "$WORK/check.out")
R=$(sed -n 's/^report: *//p' "$WORK/check.out")
[ -f "$R" ] && [ "$(sha256sum "$R" | cut -c1-64)" = "$P" ] && pass "the proof is the SHA-256 of the report $R" || fail "report $R vs proof $P"
r=$(js "(d['passed'], d['versions-checked'] >= $on_b3_before, d['unsafe'], d['backend'], d['shards-still-on-backend'])" <"$R" | tr '\n' ' ')
[ "$r" = "true true 0 b3 0 " ] && pass "the report: passed, every version that had a shard on b3 checked, none unsafe" || fail "report: $r"
hf audit ls --kind backend.checked --json | tail -1 >"$WORK/ck.json"
grep -q "\"sha256:$P\"" "$WORK/ck.json" && grep -q '"result":"passed"' "$WORK/ck.json" &&
  pass "backend.checked logs the report's hash as its document" || fail "backend.checked entry: $(head -c 400 "$WORK/ck.json")"

echo "-- wipe"
expect_exit 2 "wipe without --proof" hf backend wipe b3
expect_exit 7 "wipe with a malformed proof" hf backend wipe b3 --proof xyz
expect_exit 1 "wipe with an unknown proof" hf backend wipe b3 --proof "$(printf '%064d' 7)"
grep -q "no proof of drain" "$WORK/.err" && pass "...says there is no such proof" || fail "unknown proof message: $(cat "$WORK/.err")"
expect_exit 1 "wipe with the failing pre-drain proof" hf backend wipe b3 --proof "$PRE"
grep -q "did not pass" "$WORK/.err" && pass "...says that check did not pass" || fail "failing proof message: $(cat "$WORK/.err")"
# stale: a shard file appears on the backend after the check
f=$(shard_files "$WORK/b1" | head -1); mkdir -p "$WORK/b3/zz"
cp "$f" "$WORK/b3/$(basename "$f" | cut -c1-2)/" 2>/dev/null || { mkdir -p "$WORK/b3/$(basename "$f" | cut -c1-2)"; cp "$f" "$WORK/b3/$(basename "$f" | cut -c1-2)/"; }
expect_exit 1 "wipe with a proof gone stale (a file appeared on b3 after the check)" hf backend wipe b3 --proof "$P"
grep -q "stale proof" "$WORK/.err" && pass "...says the proof is stale" || fail "stale message: $(cat "$WORK/.err")"
hf backend check b3 >"$WORK/check2.out" || fail "re-check after the stray file: $(cat "$WORK/check2.out")"
P2=$(sed -n 's/^proof: *\([0-9a-f]\{64\}\).*/\1/p' "$WORK/check2.out")
files_before=$(shard_files "$WORK/b3" | wc -l)
expect_exit 0 "wipe b3 with a current proof" hf backend wipe b3 --proof "$P2"
left=$(shard_files "$WORK/b3" | wc -l)
[ "$files_before" -gt 0 ] && [ "$left" = 0 ] && pass "wipe removed all $files_before shard files of b3; none left" || fail "b3: $files_before files before, $left after"
hf audit ls --kind backend.wiped --json | tail -1 >"$WORK/wiped.json"
r=$(js '(d["subject"], "NIST SP 800-88" in d["details"]["certificate"], d["details"]["verification"].startswith("passed"), "unreadable" in d["details"]["remnants"], "reclaimer" in d["details"]["method"], d["actor"])' <"$WORK/wiped.json" | tr '\n' ' ')
case "$r" in "backend:b3 true true true true "*cli:*) pass "the certificate is in the audit log: what, method, when, by whom ($(js 'd["actor"]' <"$WORK/wiped.json")), verification, remnants unreadable" ;;
  *) fail "certificate: $r" ;; esac
grep -q "\"proof\":\"$P2\"" "$WORK/wiped.json" && pass "the certificate names the proof it relied on" || fail "certificate proof: $(head -c 300 "$WORK/wiped.json")"
expect_exit 1 "wiping b3 again is refused (already wiped)" hf backend wipe b3 --proof "$P2"
expect_exit 0 "retire b3" hf backend retire b3
bad=0
for i in $(seq 1 $N); do get_same "$WORK/f$i" "bkt/f$i" || bad=$((bad + 1)); done
for i in $(seq 1 6); do get_same "$WORK/h$i" "bkt/held/h$i" || bad=$((bad + 1)); done
[ $bad = 0 ] && pass "every object still reads byte-identical after the wipe" || fail "$bad objects differ after the wipe"
expect_exit 0 "audit verify after the whole decommission" hf audit verify

echo "-- a failed backend"
expect_exit 0 "mark b5 failed" hf backend fail b5
bad=0
for i in $(seq 1 $N); do get_same "$WORK/f$i" "bkt/f$i" || bad=$((bad + 1)); done
[ $bad = 0 ] && pass "reads rebuild without b5" || fail "$bad reads fail with b5 failed"
hf scrub --repair >/dev/null 2>&1
rows=$(hf backend ls --json | js '[b["shard_rows"] for b in d if b["name"] == "b5"][0]')
[ "$rows" = 0 ] && pass "scrub --repair re-placed every shard of the failed backend" || fail "b5 still holds $rows shard rows"
expect_exit 0 "scrub after repair: full redundancy" hf scrub
expect_exit 0 "activate b5: reconciled" hf backend activate b5
hf audit ls | grep -q "backend.reconciled" && pass "backend.reconciled logged" || fail "no backend.reconciled"
hf reclaim >/dev/null
[ "$(shard_files "$WORK/b5" | wc -l)" = 0 ] && pass "the old files on b5 went to the reclaimer (none left)" || fail "files left on b5: $(shard_files "$WORK/b5" | wc -l)"

echo "-- bad input"
expect_exit 7 "add with a bad provider name" hf backend add x1 "$WORK/x1" --domain x1 --provider "a/b"
expect_exit 7 "add into a domain with another provider" hf backend add x2 "$WORK/x2" --domain dom1 --provider P9
grep -q "share their provider" "$WORK/.err" && pass "...says a domain's backends share their provider" || fail "message: $(cat "$WORK/.err")"
expect_exit 3 "drain an unknown backend" hf backend drain nosuch
expect_exit 3 "check an unknown backend" hf backend check nosuch
expect_exit 2 "--proof with drain" hf backend drain b1 --proof abc
expect_exit 2 "unknown subcommand" hf backend explode b1
expect_exit 7 "retire an active backend" hf backend retire b1
expect_exit 7 "drain a retired backend" hf backend drain b3
exit 0
