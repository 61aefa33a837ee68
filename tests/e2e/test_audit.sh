#!/bin/bash
# test_audit.sh — the audit log is verifiable and tamper-evident (issue 3).
#
#   known answers  tests/tools/merkle_kat prints the roots of the trees of
#                  0..64 leaves (and some up to 4097) and every inclusion and
#                  consistency proof up to 64 leaves as src/audit/merkle.c
#                  computes them; tests/tools/rfc6962.py recomputes each from
#                  RFC 6962's definitions (hashlib only) and compares.
#   proofs         `audit prove` and `audit consistency` output, checked by the
#                  same reference against the entries `audit ls --json` lists;
#                  a checkpoint is a C2SP signed note whose Ed25519 signature
#                  verifies in Python (python3-cryptography).
#   tampering      copies of a store whose meta.db or audit.key was altered
#                  (a leaf's byte, a deleted entry, two leaves swapped, the
#                  log truncated, the key replaced, ...) fail `audit verify`
#                  with exit 4; altered copies of an export fail
#                  `audit verify-offline` with exit 4.  Figure: cases tried,
#                  cases detected.
#   forks          two stores sharing a key and a history prefix: a checkpoint
#                  of one is not extended by the other's export (--known).
#   receipts       verify with only key.pub; altered ones do not.
#   atomicity      an action whose log append fails does not take effect.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

REF=$(cd "$(dirname "$0")/../tools" && pwd)/rfc6962.py
KAT=$(dirname "$HF")/tests/tools/merkle_kat

echo "-- known answers (C against the RFC 6962 reference)"
if [ -x "$KAT" ]; then
  if "$KAT" 64 >"$WORK/kat.json" && "$PY" "$REF" kat "$WORK/kat.json" >"$WORK/kat.out" 2>&1; then
    pass "$(tail -n1 "$WORK/kat.out")"
  else fail "known answers: $(head -n5 "$WORK/kat.out")"; fi
else
  fail "no $KAT (make test builds it)"
fi

echo "-- events, checkpoint, key"
new_store
S=$HOLDFAST_DATA
hf user add alice >/dev/null && hf user add bob >/dev/null && hf user add dave >/dev/null ||
  fail "user add"
hf user role alice auditor >/dev/null 2>&1
hf bucket create audit-bucket >/dev/null 2>&1
mkdir -p "$WORK/extra"
hf backend add extra "$WORK/extra" --domain extra >/dev/null 2>&1
hf user rm bob >/dev/null || fail "user rm"
hf audit ls --json >"$WORK/entries.jsonl"
kinds=$("$PY" -c '
import json, sys
print(" ".join(sorted({json.loads(l)["kind"] for l in open(sys.argv[1])})))' "$WORK/entries.jsonl")
N=$(grep -c . "$WORK/entries.jsonl")
echo "    $N entries, kinds: $kinds"
[ "$N" -ge 8 ] && pass "the log has $N entries" || fail "only $N entries"
hf audit checkpoint >"$WORK/cp.note" && hf audit key >"$WORK/key.pub" || fail "checkpoint/key"
"$PY" "$REF" note "$WORK/cp.note" "$WORK/key.pub" >"$WORK/note.out" 2>&1; rc=$?
case $rc in
  0) pass "$(tail -n1 "$WORK/note.out")" ;;
  77) skip "checkpoint signature in Python (python3-cryptography missing; format checked)" ;;
  *) fail "checkpoint is not a valid C2SP note: $(cat "$WORK/note.out")" ;;
esac
SIZE=$(sed -n 2p "$WORK/cp.note")
[ "$SIZE" = "$N" ] && pass "the checkpoint covers all $N entries" || fail "checkpoint size $SIZE, log $N"
expect_exit 0 "audit verify on the untouched store" hf audit verify

echo "-- proofs from the CLI against the reference"
bad=0 tried=0
for ((i = 0; i < N; i++)); do
  for s in "" $((i + 1)) $N; do
    tried=$((tried + 1))
    if [ -n "$s" ]; then hf audit prove $i --size "$s" >"$WORK/p.json"; else hf audit prove $i >"$WORK/p.json"; fi &&
      "$PY" "$REF" inclusion "$WORK/p.json" "$WORK/entries.jsonl" >"$WORK/p.out" 2>&1 ||
      { bad=$((bad + 1)); echo "    prove $i ${s:+--size $s}: $(head -n3 "$WORK/p.out")"; }
  done
done
[ $bad = 0 ] && pass "audit prove: $tried inclusion proofs match RFC 6962 PATH and verify (RFC 9162)" ||
  fail "audit prove: $bad of $tried inclusion proofs wrong"
bad=0 tried=0
for ((n = 0; n <= N; n++)); do
  for ((m = 0; m <= n; m++)); do
    tried=$((tried + 1))
    hf audit consistency $m $n >"$WORK/c.json" &&
      "$PY" "$REF" consistency "$WORK/c.json" "$WORK/entries.jsonl" >"$WORK/c.out" 2>&1 ||
      { bad=$((bad + 1)); echo "    consistency $m $n: $(head -n3 "$WORK/c.out")"; }
  done
done
[ $bad = 0 ] && pass "audit consistency: $tried proofs match RFC 6962 PROOF and verify (RFC 9162)" ||
  fail "audit consistency: $bad of $tried proofs wrong"
expect_exit 7 "prove past the log's end is refused" hf audit prove $N
expect_exit 7 "consistency past the log's end is refused" hf audit consistency 1 $((N + 1))

# A second store: its key is "another store's key".
OTHER=$WORK/other
HOLDFAST_DATA=$OTHER hf init >/dev/null && HOLDFAST_DATA=$OTHER hf user add zed >/dev/null &&
  HOLDFAST_DATA=$OTHER hf audit key >"$WORK/other.pub" &&
  HOLDFAST_DATA=$OTHER hf audit checkpoint >"$WORK/other.note" || fail "second store"

echo "-- tampering with the store (audit verify)"
tried=0 detected=0
# tamper_store WHAT PYTHON: run PYTHON on a copy's meta.db (sqlite3 connection `db`,
# `store` its directory); the copy's `audit verify` must exit 4 and say FAILED.
tamper_store() {
  local what=$1 code=$2 copy=$WORK/t.$RANDOM$RANDOM out
  cp -a "$S" "$copy"
  "$PY" - "$copy" <<EOF || { fail "tampering '$what' could not be applied"; return; }
import base64, hashlib, os, sqlite3, sys
store = sys.argv[1]
db = sqlite3.connect(os.path.join(store, "meta.db"))
def leaf(i):
    return bytes(db.execute("SELECT leaf FROM audit_log WHERE seq = ?", (i,)).fetchone()[0])
def set_leaf(i, b):
    db.execute("UPDATE audit_log SET leaf = ? WHERE seq = ?", (b, i))
$code
db.commit()
EOF
  tried=$((tried + 1))
  HOLDFAST_DATA=$copy "$HF" audit verify >"$WORK/v.out" 2>&1; rc=$?
  out=$(tr '\n' ' ' <"$WORK/v.out")
  if [ $rc = 4 ] && grep -q FAILED "$WORK/v.out"; then
    detected=$((detected + 1)); pass "verify detects: $what (exit 4: ${out#*first: })"
  else fail "verify misses: $what (exit $rc: $out)"; fi
  rm -rf "$copy"
}
tamper_store "a flipped byte in entry 3's leaf (still a canonical entry)" '
b = bytearray(leaf(3)); i = b.rindex(b"\n", 0, len(b) - 1) - 1; b[i] ^= 0x01; set_leaf(3, bytes(b))'
tamper_store "a flipped byte in entry 1's leaf header" '
b = bytearray(leaf(1)); b[3] ^= 0x20; set_leaf(1, bytes(b))'
tamper_store "entry 2 deleted" 'db.execute("DELETE FROM audit_log WHERE seq = 2")'
tamper_store "entries 2 and 4 deleted, the rest renumbered to close the gap" '
rows = [r for r in db.execute("SELECT seq, time, kind, leaf FROM audit_log ORDER BY seq") if r[0] not in (2, 4)]
db.execute("DELETE FROM audit_log")
for i, r in enumerate(rows):
    db.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?)", (i, r[1], r[2], r[3]))'
tamper_store "the leaves of entries 2 and 3 swapped (reordered)" '
a, b = leaf(2), leaf(3); set_leaf(2, b); set_leaf(3, a)'
tamper_store "the last 3 entries deleted (truncated)" "db.execute('DELETE FROM audit_log WHERE seq >= ?', ($N - 3,))"
tamper_store "the last entry deleted" "db.execute('DELETE FROM audit_log WHERE seq = ?', ($N - 1,))"
tamper_store "entry 5's subject rewritten and every stored tree node recomputed to match" '
b = leaf(5).replace(b"\nsubject ", b"\nsubject x", 1); set_leaf(5, b)
H = lambda x: hashlib.sha256(x).digest()
leaves = [H(b"\x00" + leaf(i)) for i in range(db.execute("SELECT count(*) FROM audit_log").fetchone()[0])]
db.execute("DELETE FROM audit_node")
level, nodes = 0, leaves
while nodes:
    for i, h in enumerate(nodes):
        db.execute("INSERT INTO audit_node VALUES (?, ?, ?)", (level, i, h))
    nodes = [H(b"\x01" + nodes[2 * i] + nodes[2 * i + 1]) for i in range(len(nodes) // 2)]
    level += 1'
tamper_store "a stored tree node altered" '
h = bytearray(db.execute("SELECT hash FROM audit_node WHERE level = 1 AND idx = 1").fetchone()[0]); h[0] ^= 1
db.execute("UPDATE audit_node SET hash = ? WHERE level = 1 AND idx = 1", (bytes(h),))'
tamper_store "a byte of a stored checkpoint's root changed" '
size, note = db.execute("SELECT size, note FROM audit_checkpoint ORDER BY size DESC").fetchone()
lines = note.split("\n"); r = bytearray(base64.b64decode(lines[2])); r[0] ^= 1; lines[2] = base64.b64encode(bytes(r)).decode()
db.execute("UPDATE audit_checkpoint SET note = ? WHERE size = ?", ("\n".join(lines), size))'
# A signing key this store's master key opens, made by a scratch store given
# that master key: the audit_key row (origin, sealed seed) is what verify trusts.
KS=$WORK/keysrc
HOLDFAST_DATA=$KS hf init >/dev/null && cp "$S/master.key" "$KS/master.key" && "$PY" -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("audit_key", "audit_log", "audit_node", "audit_checkpoint"):
    db.execute("DELETE FROM " + t)
db.commit()' "$KS/meta.db" && HOLDFAST_DATA=$KS hf audit key >/dev/null || fail "a second key for the store"
replace_key="
src = sqlite3.connect('$KS/meta.db')
sealed = src.execute('SELECT sealed FROM audit_key').fetchone()[0]
origin = db.execute('SELECT origin FROM audit_key').fetchone()[0]
db.execute('UPDATE audit_key SET sealed = ?', (sealed,))"
tamper_store "the signing key replaced by a new key of the same origin" "$replace_key"
tamper_store "the signing key and origin replaced, every checkpoint re-signed with them" "
import subprocess
$replace_key
db.execute('UPDATE audit_key SET origin = ?', src.execute('SELECT origin FROM audit_key').fetchone())
db.execute('DELETE FROM audit_checkpoint')
db.commit()
subprocess.run(['$HF', 'audit', 'checkpoint'], env=dict(os.environ, HOLDFAST_DATA=store), check=True,
               capture_output=True)"
echo "tampering with the store: $tried cases tried, $detected detected"
[ $tried = $detected ] && [ $tried -gt 0 ] && pass "tampering (verify): $tried cases tried, $detected detected" ||
  fail "tampering (verify): $tried cases tried, $detected detected"
store_tried=$tried store_detected=$detected

echo "-- tampering with an export (audit verify-offline)"
X=$WORK/export
hf audit export "$X" >/dev/null || fail "export"
expect_exit 0 "verify-offline on the untouched export" hf audit verify-offline "$X"
grep -q "verify-offline: OK: $N entries" "$WORK/.out" && pass "verify-offline counts $N entries" ||
  fail "verify-offline: $(cat "$WORK/.out")"
tried=0 detected=0
# tamper_export WHAT PYTHON [--known FILE]: PYTHON edits a copy of the export
# (`lines`: entries.jsonl's lines, written back; `d`: its directory).
tamper_export() {
  local what=$1 code=$2 copy=$WORK/x.$RANDOM$RANDOM rc out
  shift 2
  cp -a "$X" "$copy"
  "$PY" - "$copy" <<EOF || { fail "tampering '$what' could not be applied"; return; }
import base64, json, os, shutil, sys
d = sys.argv[1]
lines = open(os.path.join(d, "entries.jsonl")).read().splitlines()
def flip_leaf(line, at):
    e = json.loads(line); b = bytearray(base64.b64decode(e["leaf"])); b[at] ^= 0x01
    e["leaf"] = base64.b64encode(bytes(b)).decode()
    return json.dumps(e, separators=(",", ":"))
$code
open(os.path.join(d, "entries.jsonl"), "w").write("".join(l + "\n" for l in lines))
EOF
  tried=$((tried + 1))
  "$HF" audit verify-offline "$copy" "$@" >"$WORK/v.out" 2>&1; rc=$?
  out=$(tr '\n' ' ' <"$WORK/v.out")
  if [ $rc = 4 ] && grep -q FAILED "$WORK/v.out"; then
    detected=$((detected + 1)); pass "verify-offline detects: $what (exit 4: ${out#*first: })"
  else fail "verify-offline misses: $what (exit $rc: $out)"; fi
  rm -rf "$copy"
}
tamper_export "a flipped byte in entry 3's leaf" 'lines[3] = flip_leaf(lines[3], len(base64.b64decode(json.loads(lines[3])["leaf"])) - 2)'
tamper_export "a flipped byte in entry 0's leaf (the key it publishes)" 'lines[0] = flip_leaf(lines[0], 60)'
tamper_export "a readable field (actor) changed, the leaf not" '
e = json.loads(lines[2]); e["actor"] = "someone-else"; lines[2] = json.dumps(e, separators=(",", ":"))'
tamper_export "a readable field (kind) changed, the leaf not" '
e = json.loads(lines[4]); e["kind"] = "user.renamed"; lines[4] = json.dumps(e, separators=(",", ":"))'
tamper_export "a line deleted" 'del lines[2]'
tamper_export "two lines swapped" 'lines[2], lines[3] = lines[3], lines[2]'
tamper_export "the last 2 lines dropped" 'lines = lines[:-2]'
tamper_export "key.pub replaced by another store's key" "shutil.copy('$WORK/other.pub', os.path.join(d, 'key.pub'))"
tamper_export "key.pub replaced by a new key under the log's own name" '
import hashlib
name = open(os.path.join(d, "key.pub")).read().strip().split("+")[0]
pub = os.urandom(32)   # not a point we hold the secret of: any other key
kh = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4].hex()
open(os.path.join(d, "key.pub"), "w").write("%s+%s+%s\n" % (name, kh, base64.b64encode(b"\x01" + pub).decode()))'
tamper_export "a checkpoint's signature altered" '
p = os.path.join(d, "checkpoints", sorted(os.listdir(os.path.join(d, "checkpoints")))[-1])
t = open(p).read(); i = t.rindex(" ") + 5; open(p, "w").write(t[:i] + ("A" if t[i] != "A" else "B") + t[i + 1:])'
tamper_export "a fabricated entry (valid, next in sequence) appended after the latest checkpoint" '
last = json.loads(lines[-1]); n = len(lines)
leaf = base64.b64decode(last["leaf"]).replace(b"\nseq %d\n" % (n - 1), b"\nseq %d\n" % n, 1)
leaf = leaf.replace(b"\nsubject ", b"\nsubject mallory-", 1)
e = dict(last, index=n, subject="mallory-" + last["subject"], leaf=base64.b64encode(leaf).decode())
lines.append(json.dumps(e, separators=(",", ":")))'
tamper_export "every checkpoint deleted" '
for f in os.listdir(os.path.join(d, "checkpoints")): os.unlink(os.path.join(d, "checkpoints", f))'
cp "$X/checkpoint" "$WORK/full.note"
tamper_export "the last 2 lines dropped and the checkpoints covering them deleted (caught by --known)" '
lines = lines[:-2]
for f in os.listdir(os.path.join(d, "checkpoints")):
    if int(f.split(".")[0]) > len(lines): os.unlink(os.path.join(d, "checkpoints", f))' --known "$WORK/full.note"
echo "tampering with an export: $tried cases tried, $detected detected"
[ $tried = $detected ] && [ $tried -gt 0 ] && pass "tampering (verify-offline): $tried cases tried, $detected detected" ||
  fail "tampering (verify-offline): $tried cases tried, $detected detected"
tried=$((tried + store_tried)) detected=$((detected + store_detected))
echo "tampering: $tried cases tried, $detected detected"

echo "-- forks"
A=$WORK/fork-a B=$WORK/fork-b
cp -a "$S" "$A" && cp -a "$S" "$B"
HOLDFAST_DATA=$A hf user add anna >/dev/null && HOLDFAST_DATA=$A hf user add arne >/dev/null
HOLDFAST_DATA=$A hf audit checkpoint >"$WORK/a.note"
HOLDFAST_DATA=$B hf user add bert >/dev/null && HOLDFAST_DATA=$B hf user add bea >/dev/null
HOLDFAST_DATA=$B hf audit checkpoint >"$WORK/b-early.note"
HOLDFAST_DATA=$B hf user add bo >/dev/null && HOLDFAST_DATA=$B hf user add bill >/dev/null
HOLDFAST_DATA=$B hf user rm bert >/dev/null
HOLDFAST_DATA=$B hf audit export "$WORK/b-export" >/dev/null || fail "export of B"
echo "    A's checkpoint: $(sed -n 2p "$WORK/a.note") entries; B's earlier: $(sed -n 2p "$WORK/b-early.note"); B's export: $(grep -c . "$WORK/b-export/entries.jsonl")"
expect_exit 0 "B's export verifies on its own" hf audit verify-offline "$WORK/b-export"
expect_exit 4 "B's export against A's checkpoint (same key, forked history)" \
  hf audit verify-offline "$WORK/b-export" --known "$WORK/a.note"
grep -qi fork "$WORK/.out" && pass "the failure names the fork: $(grep first: "$WORK/.out")" ||
  fail "no fork in: $(cat "$WORK/.out")"
expect_exit 0 "B's export against B's own earlier checkpoint" \
  hf audit verify-offline "$WORK/b-export" --known "$WORK/b-early.note"
expect_exit 0 "B's export against the shared prefix's checkpoint" \
  hf audit verify-offline "$WORK/b-export" --known "$WORK/cp.note"
expect_exit 4 "B's export against A's checkpoint among good ones" \
  hf audit verify-offline "$WORK/b-export" --known "$WORK/cp.note" --known "$WORK/a.note" \
  --known "$WORK/b-early.note"
expect_exit 4 "another store's checkpoint as --known" \
  hf audit verify-offline "$WORK/b-export" --known "$WORK/other.note"

echo "-- receipts"
mkdir -p "$WORK/keyonly" "$WORK/otherkey"
cp "$WORK/key.pub" "$WORK/keyonly/key.pub"
cp "$WORK/other.pub" "$WORK/otherkey/key.pub"
hf audit receipt 3 >"$WORK/r.json" || fail "receipt"
expect_exit 0 "a receipt verifies with only key.pub" hf audit verify-offline "$WORK/keyonly" --receipt "$WORK/r.json"
HOLDFAST_DATA=$B hf audit receipt $((N + 1)) >"$WORK/rb.json" || fail "receipt in B"
HOLDFAST_DATA=$A hf audit prove $((N + 1)) >"$WORK/pa.json" || fail "prove in A"
rtried=0 rdetected=0
# bad_receipt WHAT PYTHON [DIR]: PYTHON edits `r` (the receipt r.json as a dict)
bad_receipt() {
  local what=$1 code=$2 dir=${3:-$WORK/keyonly} src=${4:-$WORK/r.json}
  "$PY" - "$src" "$WORK/bad.json" <<EOF || { fail "receipt tampering '$what' could not be applied"; return; }
import base64, json, sys
r = json.load(open(sys.argv[1]))
$code
json.dump(r, open(sys.argv[2], "w"))
EOF
  rtried=$((rtried + 1))
  "$HF" audit verify-offline "$dir" --receipt "$WORK/bad.json" >"$WORK/v.out" 2>&1; rc=$?
  if [ $rc = 4 ]; then rdetected=$((rdetected + 1)); pass "receipt refused: $what ($(grep first: "$WORK/v.out"))"
  else fail "receipt accepted: $what (exit $rc: $(tr '\n' ' ' <"$WORK/v.out"))"; fi
}
bad_receipt "its entry's leaf altered" '
b = bytearray(base64.b64decode(r["entry"]["leaf"])); b[-3] ^= 1; r["entry"]["leaf"] = base64.b64encode(bytes(b)).decode()'
bad_receipt "its index changed" 'r["index"] += 1'
bad_receipt "its index and its entry's index changed" 'r["index"] += 1; r["entry"]["index"] += 1'
bad_receipt "a proof hash altered" '
h = bytearray(base64.b64decode(r["inclusion_proof"][0])); h[0] ^= 1; r["inclusion_proof"][0] = base64.b64encode(bytes(h)).decode()'
bad_receipt "a proof hash dropped" 'r["inclusion_proof"] = r["inclusion_proof"][:-1]'
bad_receipt "its checkpoint altered" 'r["checkpoint"] = r["checkpoint"].replace("\n%d\n" % r["tree_size"], "\n%d\n" % (r["tree_size"] + 1), 1)'
bad_receipt "checked against another store's key" 'pass' "$WORK/otherkey"
bad_receipt "an entry of fork A (same key, same index) in fork B's receipt" "
a = json.load(open('$WORK/pa.json')); r['entry'] = a['entry']" "$WORK/keyonly" "$WORK/rb.json"
echo "receipts: $rtried altered receipts tried, $rdetected refused"
[ $rtried = $rdetected ] && pass "receipts: $rtried altered receipts tried, $rdetected refused" ||
  fail "receipts: $rtried altered receipts tried, $rdetected refused"
expect_exit 0 "fork B's own receipt verifies" hf audit verify-offline "$WORK/keyonly" --receipt "$WORK/rb.json"

echo "-- atomicity: an action whose log append fails does not take effect"
F=$WORK/full
cp -a "$S" "$F"
"$PY" -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TRIGGER t BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, '"'"'audit log full'"'"'); END;")
db.commit()' "$F/meta.db" || fail "trigger"
before=$(HOLDFAST_DATA=$F hf audit ls | wc -l)
HOLDFAST_DATA=$F hf user add carol >"$WORK/carol.out" 2>&1; rc=$?
[ $rc != 0 ] && pass "user add fails when the log cannot be appended to (exit $rc: $(head -n1 "$WORK/carol.out"))" ||
  fail "user add succeeded with the log refusing appends"
HOLDFAST_DATA=$F hf user ls | grep -qw carol && fail "carol exists without a log entry" ||
  pass "carol does not exist"
HOLDFAST_DATA=$F hf bucket create carols-bucket >/dev/null 2>&1; rc=$?
HOLDFAST_DATA=$F hf bucket ls 2>/dev/null | grep -q carols-bucket && fail "a bucket was created without a log entry" ||
  pass "bucket create does not take effect either (exit $rc)"
HOLDFAST_DATA=$F hf user rm alice >/dev/null 2>&1; rc=$?
HOLDFAST_DATA=$F hf user ls | grep -qw alice && pass "user rm does not take effect either (exit $rc)" ||
  fail "alice was removed without a log entry"
after=$(HOLDFAST_DATA=$F hf audit ls | wc -l)
[ "$before" = "$after" ] && pass "the log is unchanged ($after entries)" || fail "log $before -> $after"
expect_exit 0 "the store still verifies" env HOLDFAST_DATA="$F" "$HF" audit verify

echo "-- values that are not UTF-8 (a store's path) list, export and verify"
U=$WORK/$(printf 'st\xe9re')
HOLDFAST_DATA=$U hf init >/dev/null && HOLDFAST_DATA=$U hf user add ulla >/dev/null || fail "store at a Latin-1 path"
check "audit ls --json of a store at a Latin-1 path" env HOLDFAST_DATA="$U" "$HF" audit ls --json
expect_exit 0 "audit export of it" env HOLDFAST_DATA="$U" "$HF" audit export "$WORK/latin1-export"
expect_exit 0 "verify-offline of that export" hf audit verify-offline "$WORK/latin1-export"
