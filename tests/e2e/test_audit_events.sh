#!/bin/bash
# test_audit_events.sh — every event kind holdfast logs today appears when
# its action happens, names the right actor, subject and details, and is
# in the log *before* the change takes effect: an action whose append
# fails does not happen (issue 3; docs/audit.md lists the kinds).
#
# Kinds covered: audit.key-created, store.created, user.created,
# key.created, user.role, key.removed, user.removed, bucket.created,
# bucket.versioning, bucket.removed, object.version-deleted,
# object.overwritten, object.reclaimed, reclaim.orphans, backend.added,
# backend.replaced, clock.override, store.config — through the CLI and, for the S3
# ones, through the server with boto3 (actor s3:alice).  Also the HTTP
# audit API: public key/checkpoint/consistency, entries/prove/receipt for
# auditors only, POST checkpoint for admins only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

# Entries of KIND as JSON lines.
kind() { hf audit ls --kind "$1" --json; }
# The last entry of KIND has FIELD (a Python expression on e) equal to VALUE.
has() {  # has "what" KIND EXPR
  local what=$1 k=$2 expr=$3
  if kind "$k" | "$PY3" -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.strip()]
e = lines[-1] if lines else None
sys.exit(0 if e is not None and ('"$expr"') else 1)'; then
    pass "$what"
  else
    fail "$what: $(kind "$k" | tail -1 | head -c 300)"
  fi
}

echo "-- CLI events"
new_store
ME="cli:$(id -un)"
has "init: entry 0 publishes the key" audit.key-created 'e["index"] == 0 and e["details"]["algorithm"] == "Ed25519"'
KEY=$(hf audit key)
if [ "$(kind audit.key-created | "$PY3" -c 'import json,sys; print(json.loads(sys.stdin.readline())["details"]["key"])')" = "$KEY" ]; then
  pass "entry 0's key is the key audit key prints"
else fail "entry 0's key differs from audit key"; fi
has "init: store.created with ec and domains" store.created 'e["details"]["ec"] == "4+2" and e["details"]["domains"] == "6"'

hf user add carol >/dev/null
has "user add: user.created" user.created 'e["subject"] == "user:carol" and e["actor"] == "'"$ME"'"'
has "user add: key.created names the access key" key.created 'e["subject"] == "user:carol" and e["details"]["access-key"].startswith("HF")'
hf user role carol auditor >/dev/null
has "user role: user.role" user.role 'e["subject"] == "user:carol" and e["details"]["role"] == "auditor"'
hf user rm carol >/dev/null
has "user rm: key.removed" key.removed 'e["subject"] == "user:carol"'
has "user rm: user.removed" user.removed 'e["subject"] == "user:carol"'

hf bucket create pics >/dev/null
has "bucket create: bucket.created" bucket.created 'e["subject"] == "bucket:pics" and e["details"]["versioning"] == "Enabled"'
echo one >"$WORK/one"
V1=$(hf put pics/a.txt "$WORK/one")
hf put pics/a.txt "$WORK/one" >/dev/null
hf rm pics/a.txt --version "$V1" >/dev/null
has "rm --version: object.version-deleted" object.version-deleted 'e["subject"] == "object:pics/a.txt" and e["details"]["version-id"] == "'"$V1"'"'
hf reclaim >/dev/null
has "reclaim: object.reclaimed names the version" object.reclaimed 'e["subject"] == "version:'"$V1"'" and e["details"]["key"] == "a.txt"'

# an orphan: a well-formed shard file nothing names
B0=$(ls -d "$HOLDFAST_DATA"/backends/d0)
mkdir -p "$B0/ab"
head -c 100 /dev/urandom >"$B0/ab/abababababababababababababababab.0.0"
hf reclaim --orphans >/dev/null
has "reclaim --orphans: reclaim.orphans" reclaim.orphans 'e["subject"] == "backend:d0" and e["details"]["files"] == "1"'

mkdir -p "$WORK/extra"
hf backend add x1 "$WORK/extra" --domain dx >/dev/null
has "backend add: backend.added" backend.added 'e["subject"] == "backend:x1" and e["details"]["domain"] == "dx"'
rm -rf "$WORK/extra"; mkdir -p "$WORK/extra"
hf backend replace x1 >/dev/null
has "backend replace: backend.replaced" backend.replaced 'e["subject"] == "backend:x1"'

HOLDFAST_CLOCK_OFFSET_S=86400 hf status >/dev/null
HOLDFAST_CLOCK_OFFSET_S=86400 hf status >/dev/null
has "clock override: clock.override" clock.override 'e["details"]["offset-seconds"] == "86400"'
if [ "$(kind clock.override | wc -l)" = 1 ]; then pass "the same override is logged once"
else fail "the same override logged $(kind clock.override | wc -l) times"; fi

has "first open: store.config records holdfast.conf's settings" store.config 'e["details"]["settings"] == "ec=4+2 segment-size=4194304"'
sed -i 's/^ec = 4+2$/ec = 3+3/' "$HOLDFAST_DATA/holdfast.conf"
hf status >/dev/null
has "holdfast.conf edited: store.config records the new settings" store.config 'e["details"]["settings"] == "ec=3+3 segment-size=4194304"'
hf status >/dev/null
if [ "$(kind store.config | wc -l)" = 2 ]; then pass "unchanged settings are not logged again"
else fail "store.config logged $(kind store.config | wc -l) times, wanted 2"; fi
sed -i 's/^ec = 3+3$/ec = 4+2/' "$HOLDFAST_DATA/holdfast.conf"

expect_exit 0 "the log verifies after all of it" hf audit verify

echo "-- an action whose log append fails does not take effect"
"$PY3" - "$HOLDFAST_DATA/meta.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TRIGGER full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log full'); END")
c.commit()
EOF
expect_exit 5 "bucket create fails when its entry is refused" hf bucket create blocked
if ! hf bucket ls | grep -qw pics; then fail "bucket ls does not list pics: cannot judge"
elif hf bucket ls | grep -qw blocked; then fail "bucket created although its entry was refused"
else pass "bucket create refused with the log: no bucket"; fi
hf user add dave >/dev/null 2>&1 && fail "user add succeeded although its entry was refused"
if hf user ls | grep -qw dave; then fail "user created although its entry was refused"
else pass "user add refused with the log: no user"; fi
V2=$(hf ls pics --versions --json | "$PY3" -c 'import json,sys; print([v for v in json.load(sys.stdin) if not v.get("delete_marker")][0]["version"])' 2>/dev/null)
if [ -n "$V2" ]; then
  hf rm pics/a.txt --version "$V2" >/dev/null 2>&1
  if hf get pics/a.txt --version "$V2" - >/dev/null 2>&1; then pass "rm --version refused with the log: version still readable"
  else fail "version deleted although its entry was refused"; fi
else
  skip "rm --version under a full log (could not list versions)"
fi
"$PY3" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("DROP TRIGGER full"); c.commit()' "$HOLDFAST_DATA/meta.db"
expect_exit 0 "the log still verifies" hf audit verify

echo "-- S3 events and the HTTP audit API"
start_server
hf user role bob auditor >/dev/null
"$PY3" - <<'EOF' >"$WORK/s3.out" 2>&1
import os, json, urllib.request, boto3, botocore.auth, botocore.awsrequest
from botocore.credentials import Credentials
from botocore.config import Config
ep = os.environ["HF_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=ep, aws_access_key_id=os.environ["HF_AK"],
                  aws_secret_access_key=os.environ["HF_SK"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="s3bucket")
s3.put_bucket_versioning(Bucket="s3bucket", VersioningConfiguration={"Status": "Enabled"})
s3.put_bucket_versioning(Bucket="s3bucket", VersioningConfiguration={"Status": "Suspended"})
s3.put_object(Bucket="s3bucket", Key="k", Body=b"1")
s3.put_object(Bucket="s3bucket", Key="k", Body=b"2")   # replaces the null version
s3.delete_object(Bucket="s3bucket", Key="k", VersionId="null")
s3.delete_bucket(Bucket="s3bucket")

def call(path, ak=None, sk=None, method="GET"):
    req = botocore.awsrequest.AWSRequest(method=method, url=ep + path,
                                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    if ak:
        botocore.auth.S3SigV4Auth(Credentials(ak, sk), "s3", "us-east-1").add_auth(req)
    p = req.prepare()
    r = urllib.request.Request(p.url, headers=dict(p.headers), method=method)
    try:
        with urllib.request.urlopen(r) as f:
            return f.status, f.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

A = (os.environ["HF_AK"], os.environ["HF_SK"])     # alice: a plain user
B = (os.environ["HF_AK2"], os.environ["HF_SK2"])   # bob: an auditor
print("key", *call("/_holdfast/audit/key"))
print("checkpoint", call("/_holdfast/audit/checkpoint")[0])
print("consistency", call("/_holdfast/audit/consistency?old=1&new=3")[0])
print("entries-anon", call("/_holdfast/audit/entries")[0])
print("entries-user", call("/_holdfast/audit/entries", *A)[0])
st, body = call("/_holdfast/audit/entries?from=0&count=1000", *B)
print("entries-auditor", st)
kinds = [json.loads(l) for l in body.splitlines()]
print("kinds", json.dumps([(e["kind"], e["actor"], e["subject"]) for e in kinds]))
print("prove-auditor", call("/_holdfast/audit/prove?index=2", *B)[0])
print("receipt-auditor", call("/_holdfast/audit/receipt?index=2", *B)[0])
print("post-auditor", call("/_holdfast/audit/checkpoint", *B, method="POST")[0])
print("bad-index", call("/_holdfast/audit/prove?index=999999", *B)[0])
EOF
grep -q '^key 200 holdfast/' "$WORK/s3.out" && pass "GET key is public" || fail "GET key: $(head -3 "$WORK/s3.out")"
for want in "checkpoint 200" "consistency 200" "entries-anon 403" "entries-user 403" \
            "entries-auditor 200" "prove-auditor 200" "receipt-auditor 200" "post-auditor 403" \
            "bad-index 400"; do
  grep -qx "$want" "$WORK/s3.out" && pass "HTTP: $want" || fail "HTTP: wanted $want: $(grep "^${want%% *} " "$WORK/s3.out")"
done
for k in bucket.created bucket.versioning object.overwritten object.version-deleted bucket.removed; do
  if grep '^kinds' "$WORK/s3.out" | grep -q "\"$k\", \"s3:alice\""; then pass "S3 $k logged with actor s3:alice"
  else fail "S3 $k with actor s3:alice missing: $(grep '^kinds' "$WORK/s3.out" | head -c 600)"; fi
done
stop_server
expect_exit 0 "the server's store verifies" hf audit verify

echo "-- the server signs a checkpoint when the latest is a minute old"
ck() { "$PY3" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(*c.execute("select count(*), coalesce(max(size),0) from audit_checkpoint").fetchone())' "$HOLDFAST_DATA/meta.db"; }
read -r n0 _ <<<"$(ck)"
hf bucket create tick >/dev/null          # an event the latest checkpoint does not cover
export HOLDFAST_CLOCK_OFFSET_S=120        # two minutes later
start_server_again() {
  PORT=$(free_port); "$HF" serve --listen "127.0.0.1:$PORT" 2>"$WORK/server3.log" & SERVER_PID=$!
  for _ in $(seq 1 50); do grep -q serving "$WORK/server3.log" && break; sleep 0.1; done
}
start_server_again
sleep 2
stop_server
unset HOLDFAST_CLOCK_OFFSET_S
read -r n1 size1 <<<"$(ck)"
total=$(hf audit ls | wc -l)
if [ "$n1" -gt "$n0" ] && [ "$size1" = "$total" ]; then
  pass "the server signed a checkpoint of the whole log by itself ($n0 -> $n1 checkpoints, size $size1)"
else
  fail "server checkpoint: $n0 -> $n1 checkpoints, latest size $size1, log $total"
fi
