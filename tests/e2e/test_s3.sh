#!/bin/bash
# test_s3.sh — the S3 server end to end with real clients on loopback:
# Debian's aws cli and boto3 (pytest, tests/e2e/s3/test_boto3.py,
# test_object_lock.py and test_checksums.py) and curl.
# Invariants 1 and 8: what a client was told is stored reads back
# byte-identical; bad requests get S3's error codes and harm nothing; one
# user never reaches another's buckets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

for tool in "$AWS" "$PY3" curl; do
  command -v "$tool" >/dev/null || { skip "S3 end to end ($tool missing)"; exit 0; }
done
"$PY3" -c 'import boto3, pytest' 2>/dev/null || { skip "S3 end to end (python3-boto3/pytest missing)"; exit 0; }
start_server

# --- aws cli
check "aws s3 mb" aws_s3 s3 mb s3://awscli
rnd "$WORK/small" 1234567
mkdir -p "$WORK/tree/a/b"; for i in 1 2 3; do rnd "$WORK/tree/a/b/f$i" $((i * 1000)); done
check "aws s3 cp (upload)" aws_s3 s3 cp "$WORK/small" s3://awscli/dir/small
check "aws s3 cp (download) byte-identical" bash -c "'$AWS' --endpoint-url $EP s3 cp s3://awscli/dir/small '$WORK/small.out' && cmp '$WORK/small' '$WORK/small.out'"
check "aws s3 sync up" aws_s3 s3 sync "$WORK/tree" s3://awscli/tree
check "aws s3 sync down byte-identical" bash -c "'$AWS' --endpoint-url $EP s3 sync s3://awscli/tree '$WORK/tree.out' && diff -r '$WORK/tree' '$WORK/tree.out'"
n=$(aws_s3 s3 ls s3://awscli --recursive | wc -l)
[ "$n" = 4 ] && pass "aws s3 ls --recursive lists 4 objects" || fail "aws s3 ls --recursive: $n objects"
check "aws s3 rm" aws_s3 s3 rm s3://awscli/dir/small
expect_exit 1 "aws s3 cp of the removed object fails" aws_s3 s3 cp s3://awscli/dir/small "$WORK/gone"
check "aws s3api head-bucket" aws_s3 s3api head-bucket --bucket awscli

# --- aws cli multipart: 200 MiB (8 MiB parts), byte-identical both ways
head -c $((200 << 20)) /dev/urandom >"$WORK/big"
check "aws s3 cp 200 MiB (multipart upload)" aws_s3 s3 cp --only-show-errors "$WORK/big" s3://awscli/big
check "aws s3 cp 200 MiB back, byte-identical" bash -c "'$AWS' --endpoint-url $EP s3 cp --only-show-errors s3://awscli/big '$WORK/big.out' && cmp '$WORK/big' '$WORK/big.out'"
etag=$(aws_s3 s3api head-object --bucket awscli --key big --query ETag --output text)
case "$etag" in *-25\"|*-25) pass "200 MiB object has a 25-part multipart ETag ($etag)" ;;
  *) fail "multipart ETag: $etag" ;; esac
rm -f "$WORK/big" "$WORK/big.out"

# --- curl: presigned GET (SigV4) through boto3's presigner
url=$("$PY3" -c "
import boto3; from botocore.config import Config
s3=boto3.client('s3',endpoint_url='$EP',aws_access_key_id='$AK',aws_secret_access_key='$SK',region_name='us-east-1',config=Config(signature_version='s3v4'))
print(s3.generate_presigned_url('get_object',Params={'Bucket':'awscli','Key':'tree/a/b/f3'},ExpiresIn=60))")
curl -sf "$url" -o "$WORK/pre" && cmp -s "$WORK/pre" "$WORK/tree/a/b/f3" \
  && pass "curl presigned GET byte-identical" || fail "curl presigned GET"
last=${url: -1}; [ "$last" = 0 ] && flip=1 || flip=0
code=$(curl -s -o "$WORK/tampered" -w '%{http_code}' "${url%?}$flip")
grep -q '<Code>SignatureDoesNotMatch</Code>' "$WORK/tampered" || code="$code $(head -c 200 "$WORK/tampered")"
[ "$code" = 403 ] && pass "curl presigned GET with a tampered signature: 403" || fail "tampered presigned: $code"
code=$(curl -s -o "$WORK/anon" -w '%{http_code}' "$EP/awscli/tree/a/b/f3")
[ "$code" = 403 ] && grep -q '<Code>AccessDenied</Code>' "$WORK/anon" \
  && pass "anonymous GET: 403 AccessDenied" || fail "anonymous GET: $code"

hdrs=(); for i in $(seq 1 300); do hdrs+=(-H "X-Junk-$i: $i"); done
code=$(curl -s -o "$WORK/many" -w '%{http_code}' "${hdrs[@]}" "$url")
[ "$code" = 400 ] && grep -q '<Code>InvalidRequest</Code>' "$WORK/many" \
  && pass "300 request headers: 400 InvalidRequest (none escapes signing)" || fail "300 headers: $code"

# --- boto3 suite
if "$PY3" -m pytest -q -p no:cacheprovider "$(dirname "$0")/s3/test_boto3.py" \
     "$(dirname "$0")/s3/test_object_lock.py" "$(dirname "$0")/s3/test_checksums.py" \
     >"$WORK/pytest.out" 2>&1; then :; fi
tail -n 15 "$WORK/pytest.out"
p=$(grep -Eo '[0-9]+ passed' "$WORK/pytest.out" | tail -n1 | cut -d' ' -f1)
f=$(grep -Eo '[0-9]+ (failed|error)' "$WORK/pytest.out" | awk '{s+=$1} END {print s+0}')
for i in $(seq 1 "${p:-0}"); do echo "PASS boto3 test $i" >>"$_RES"; done
for i in $(seq 1 "${f:-0}"); do echo "FAIL boto3 test $i" >>"$_RES"; done
[ -n "$p" ] || fail "boto3 suite did not run: $(tail -n 5 "$WORK/pytest.out")"

# --- the request log: one line per request
lines=$(grep -cE '^[0-9a-f]{16} (GET|PUT|HEAD|DELETE|POST) ' "$WORK/server.log")
[ "$lines" -gt 50 ] && pass "request log has one line per request ($lines lines)" || fail "request log: $lines lines"

# --- graceful stop
stop_server
grep -q "stopped" "$WORK/server.log" && pass "SIGTERM stops the server cleanly" || fail "no clean stop: $(tail -n 3 "$WORK/server.log")"
exit 0
