#!/bin/bash
# test_holds.sh — preservation holds and the policy gate (issue 4).
#
# A hold keeps every version in its scope, present and future, from being
# made unreadable by any path: delete by version id (CLI and S3), an
# unversioned overwrite or delete (S3), the reclaimer (even for a version
# deleted before the hold), bucket removal, user removal.  Delete markers
# stay allowed (they hide, they do not destroy).  Several holds may cover
# the same data; it is free only when none does.  Placing and releasing
# are logged with the request document's SHA-256, and a receipt verifies
# offline.  Bad input is refused and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

shards_of() {  # shard files of version id $1
  find "$HOLDFAST_DATA/backends" -type f -name "$1.*" | wc -l
}

echo "-- CLI: a hold on a bucket prefix"
new_store
hf bucket create docs >/dev/null
echo keep-me >"$WORK/a"; echo other >"$WORK/b"
VA=$(hf put docs/case/a.txt "$WORK/a")
VB=$(hf put docs/free/b.txt "$WORK/b")
VOLD=$(hf put docs/case/old.txt "$WORK/b")
hf rm docs/case/old.txt --version "$VOLD" >/dev/null     # deleted before any hold
echo "the preservation request letter" >"$WORK/request.txt"
DOCSHA=$(sha256sum "$WORK/request.txt" | cut -d' ' -f1)
expect_exit 0 "hold place on docs/case/ with a document and a receipt" \
  hf hold place --case CASE-1 --by "J. Counsel" --reference "letter 2026-11-20" \
     --document "$WORK/request.txt" --receipt "$WORK/receipt.json" --bucket docs --prefix case/
expect_exit 8 "rm --version of a held version is refused (exit 8)" hf rm docs/case/a.txt --version "$VA"
grep -q 'CASE-1' "$WORK/.err" && pass "the refusal names the case" || fail "refusal: $(cat "$WORK/.err")"
check "the held version is still readable" hf get docs/case/a.txt --version "$VA" "$WORK/a.out"
cmp -s "$WORK/a" "$WORK/a.out" && pass "and byte-identical" || fail "held version changed"
expect_exit 0 "a version outside the prefix is deletable" hf rm docs/free/b.txt --version "$VB"
expect_exit 0 "a delete marker over a held key is allowed" hf rm docs/case/a.txt
check "the held version stays readable by id under the marker" hf get docs/case/a.txt --version "$VA" "$WORK/a.out2"
kept=$(hf ls docs/case/a.txt --versions --json | "$PY3" -c '
import json, sys
print([v["kept"] for v in json.load(sys.stdin) if v["version"] == sys.argv[1]][0])' "$VA")
[ "$kept" = "hidden by a delete marker; under preservation hold CASE-1" ] \
  && pass "ls --versions says the version is hidden but kept, and by which case" \
  || fail "ls --versions kept: $kept"
hf stat docs/case/a.txt --version "$VA" | grep -q '^kept: *under preservation hold CASE-1' \
  && pass "stat says what keeps the version" || fail "stat: $(hf stat docs/case/a.txt --version "$VA" | head -8)"
n=$(shards_of "$VOLD")
hf reclaim >/dev/null
[ "$(shards_of "$VOLD")" = "$n" ] && [ "$n" -gt 0 ] \
  && pass "reclaim keeps a version deleted before the hold ($n shard files)" \
  || fail "reclaim removed a held version's shards ($n -> $(shards_of "$VOLD"))"
[ "$(shards_of "$VB")" = 0 ] && pass "reclaim removed the unheld deleted version" \
  || fail "unheld deleted version not reclaimed"

echo "-- several holds"
expect_exit 0 "a second hold over the same data" \
  hf hold place --case CASE-2 --by "A. Auditor" --reference "audit 7" --bucket docs
expect_exit 0 "release CASE-1" hf hold release CASE-1 --by "J. Counsel" --reason "settled"
expect_exit 8 "still refused while CASE-2 covers it" hf rm docs/case/a.txt --version "$VA"
expect_exit 3 "releasing CASE-1 again: no active hold (exit 3)" \
  hf hold release CASE-1 --by "J. Counsel" --reason "again"
expect_exit 0 "release CASE-2" hf hold release CASE-2 --by "A. Auditor" --reason "done"
hf reclaim >/dev/null
[ "$(shards_of "$VOLD")" = 0 ] && pass "free of every hold, the old version is reclaimed" \
  || fail "old version still has $(shards_of "$VOLD") shard files after release"
expect_exit 0 "free of every hold, rm --version works" hf rm docs/case/a.txt --version "$VA"

echo "-- bad input changes nothing"
expect_exit 6 "a case id is never reused" hf hold place --case CASE-1 --by x --reference y --bucket docs
expect_exit 7 "a hold with an empty scope" hf hold place --case CASE-3 --by x --reference y
expect_exit 7 "a bad bucket name in a scope" hf hold place --case CASE-4 --by x --reference y --bucket "Bad_Name"
expect_exit 2 "release without --reason" hf hold release CASE-9 --by x
expect_exit 2 "--prefix without --bucket" hf hold place --case CASE-5 --by x --reference y --prefix p/
expect_exit 3 "a document that does not exist" hf hold place --case CASE-6 --by x --reference y --bucket docs --document "$WORK/nope"
n=$(hf hold ls --json | "$PY3" -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 2 ] && pass "only the two valid holds exist ($n)" || fail "$n holds after bad input"

echo "-- the log and the receipt"
hf audit ls --kind hold.placed --json | head -1 | grep -q "\"document\":\\[\"sha256:$DOCSHA\"\\]\\|\"documents\":\\[\"sha256:$DOCSHA\"\\]" \
  && pass "hold.placed carries the request document's SHA-256" \
  || fail "hold.placed: $(hf audit ls --kind hold.placed --json | head -1 | head -c 400)"
[ "$(hf audit ls --kind hold.released | wc -l)" = 2 ] && pass "both releases logged" || fail "releases logged: $(hf audit ls --kind hold.released | wc -l)"
mkdir -p "$WORK/pub"; hf audit key >"$WORK/pub/key.pub"
expect_exit 0 "the placement receipt verifies offline with only the key" \
  hf audit verify-offline "$WORK/pub" --receipt "$WORK/receipt.json"
hf hold show CASE-1 --json | "$PY3" -c '
import json, sys
h = json.load(sys.stdin)
assert h["active"] is False and h["released_by"] == "J. Counsel" and h["release_reason"] == "settled"
assert h["scopes"] == ["bucket:docs/case/"], h["scopes"]
' && pass "hold show: who placed, who released, why, the scope" || fail "hold show CASE-1"

echo "-- S3: a hold on a user"
start_server
"$PY3" - <<'EOF' >"$WORK/s3.out" 2>&1
import os, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=os.environ["HF_ENDPOINT"], aws_access_key_id=os.environ["HF_AK"],
                  aws_secret_access_key=os.environ["HF_SK"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="plain")          # never versioned: overwrites replace
s3.create_bucket(Bucket="empty")
s3.put_object(Bucket="plain", Key="f", Body=b"original")
print("ready")
EOF
grep -q '^ready' "$WORK/s3.out" || fail "S3 setup: $(cat "$WORK/s3.out")"
hf hold place --case U-1 --by "J. Counsel" --reference "account of alice" --user alice >/dev/null
hf user add carol >/dev/null
hf hold place --case U-2 --by "J. Counsel" --reference "carol" --user carol >/dev/null
"$PY3" - <<'EOF' >"$WORK/s3b.out" 2>&1
import os, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=os.environ["HF_ENDPOINT"], aws_access_key_id=os.environ["HF_AK"],
                  aws_secret_access_key=os.environ["HF_SK"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
def code(f):
    try:
        f(); return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]
print("overwrite", code(lambda: s3.put_object(Bucket="plain", Key="f", Body=b"replaced")))
print("delete", code(lambda: s3.delete_object(Bucket="plain", Key="f")))
print("delete-null", code(lambda: s3.delete_object(Bucket="plain", Key="f", VersionId="null")))
print("delete-bucket", code(lambda: s3.delete_bucket(Bucket="empty")))
print("content", s3.get_object(Bucket="plain", Key="f")["Body"].read().decode())
print("new-put", code(lambda: s3.put_object(Bucket="plain", Key="g", Body=b"new")))
EOF
for want in "overwrite AccessDenied" "delete AccessDenied" "delete-null AccessDenied" \
            "delete-bucket AccessDenied" "content original" "new-put ok"; do
  grep -qx "$want" "$WORK/s3b.out" && pass "S3 under a user hold: $want" \
    || fail "S3 under a user hold: wanted '$want': $(tr '\n' '|' <"$WORK/s3b.out" | head -c 600)"
done
echo "-- the admin API: holds over HTTP"
hf user role bob auditor >/dev/null
hf user add dana --role admin --access-key HFDANA0000000000001 --secret dana-secret-000000000000000000001 >/dev/null
"$PY3" - "$WORK/http-receipt.json" <<'EOF2' >"$WORK/api.out" 2>&1
import json, os, sys, urllib.request, botocore.auth, botocore.awsrequest
from botocore.credentials import Credentials
ep = os.environ["HF_ENDPOINT"]
def call(method, path, ak, sk, body=b""):
    req = botocore.awsrequest.AWSRequest(method=method, url=ep + path, data=body,
                                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    botocore.auth.S3SigV4Auth(Credentials(ak, sk), "s3", "us-east-1").add_auth(req)
    p = req.prepare()
    r = urllib.request.Request(p.url, data=body or None, headers=dict(p.headers), method=method)
    try:
        with urllib.request.urlopen(r) as f:
            return f.status, f.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
A = (os.environ["HF_AK"], os.environ["HF_SK"])          # alice: a user
B = (os.environ["HF_AK2"], os.environ["HF_SK2"])        # bob: an auditor
D = ("HFDANA0000000000001", "dana-secret-000000000000000000001")   # dana: an admin
hold = json.dumps({"case": "API-1", "by": "Dana Admin", "reference": "ticket 42",
                   "document_sha256": "ab" * 32, "scopes": [{"bucket": "plain", "prefix": "x/"}]}).encode()
print("list-user", call("GET", "/_holdfast/holds", *A)[0])
st, body = call("GET", "/_holdfast/holds", *B)
print("list-auditor", st, sorted(h["case"] for h in json.loads(body)))
print("place-auditor", call("POST", "/_holdfast/holds", *B, body=hold)[0])
st, body = call("POST", "/_holdfast/holds", *D, body=hold)
print("place-admin", st)
open(sys.argv[1], "w").write(body)
print("place-again", *call("POST", "/_holdfast/holds", *D, body=hold)[0:1], "HoldAlreadyExists" in call("POST", "/_holdfast/holds", *D, body=hold)[1])
print("bad-json", call("POST", "/_holdfast/holds", *D, body=b"{not json")[0])
print("no-scope", call("POST", "/_holdfast/holds", *D, body=json.dumps({"case": "API-2", "by": "x", "reference": "y"}).encode())[0])
st, body = call("GET", "/_holdfast/holds?case=API-1", *B)
h = json.loads(body)
print("show", st, h["case"], h["active"], h["document"], h["scopes"])
print("release-auditor", call("POST", "/_holdfast/holds/release?case=API-1", *B, body=b'{"by":"b","reason":"r"}')[0])
print("release-admin", call("POST", "/_holdfast/holds/release?case=API-1", *D, body=b'{"by":"Dana Admin","reason":"ticket closed"}')[0])
print("release-again", call("POST", "/_holdfast/holds/release?case=API-1", *D, body=b'{"by":"Dana Admin","reason":"again"}')[0])
EOF2
for want in "list-user 403" "place-auditor 403" "place-admin 200" "place-again 409 True" "bad-json 400" \
            "no-scope 400" "show 200 API-1 True sha256:$(printf 'ab%.0s' $(seq 32)) ['bucket:plain/x/']" \
            "release-auditor 403" "release-admin 200" "release-again 404"; do
  grep -qxF "$want" "$WORK/api.out" && pass "admin API: $want" \
    || fail "admin API: wanted '$want': $(tr '\n' '|' <"$WORK/api.out" | head -c 700)"
done
grep -q "^list-auditor 200 \['U-1', 'U-2'\]" "$WORK/api.out" && pass "admin API: an auditor lists the holds" \
  || fail "admin API list: $(grep list-auditor "$WORK/api.out")"
mkdir -p "$WORK/pub2"; hf audit key >"$WORK/pub2/key.pub"
expect_exit 0 "the hold placed over HTTP comes with a receipt that verifies offline" \
  hf audit verify-offline "$WORK/pub2" --receipt "$WORK/http-receipt.json"
expect_exit 8 "user rm of a held user is refused" hf user rm carol
expect_exit 3 "user rm of a user that does not exist (exit 3, no crash)" hf user rm nobody
hf user ls | grep -qw carol && pass "carol is still there" || fail "carol removed under a hold"
stop_server
expect_exit 0 "the log verifies" hf audit verify
