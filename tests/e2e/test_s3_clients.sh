#!/bin/bash
# test_s3_clients.sh — the S3 server driven by more real clients from
# Debian's packages: s3cmd (path style, SigV4, multipart above 15 MiB),
# rclone (provider Other, multipart at its 200 MiB cutoff) and a listing of
# 10,000 keys with boto3 and the aws cli.  Invariant 1: what a client was
# told is stored reads back byte-identical; listings are complete, ordered
# and duplicate-free however they are paged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

S3CMD=${S3CMD:-/usr/bin/s3cmd}     # overridable to see the skip path
RCLONE=${RCLONE:-/usr/bin/rclone}
for tool in "$PY3" curl; do
  command -v "$tool" >/dev/null || { skip "S3 clients end to end ($tool missing)"; exit 0; }
done
start_server
t_start=$SECONDS

# etag BUCKET KEY — the object's ETag through boto3 (alice's keys)
etag() {
  "$PY3" -c "
import boto3,sys; from botocore.config import Config
s3=boto3.client('s3',endpoint_url='$EP',aws_access_key_id='$AK',aws_secret_access_key='$SK',region_name='us-east-1',config=Config(signature_version='s3v4'))
print(s3.head_object(Bucket=sys.argv[1],Key=sys.argv[2])['ETag'].strip('\"'))" "$1" "$2" 2>/dev/null
}

# ---------------------------------------------------------------- s3cmd
if [ ! -x "$S3CMD" ]; then
  skip "s3cmd checks (s3cmd missing: apt-get install s3cmd)"
else
  cat >"$WORK/s3cfg" <<EOF
[default]
access_key = $AK
secret_key = $SK
host_base = 127.0.0.1:$PORT
host_bucket = 127.0.0.1:$PORT
use_https = False
signature_v2 = False
bucket_location = us-east-1
check_ssl_certificate = False
progress_meter = False
EOF
  s3c() { HOME=$WORK timeout 300 "$S3CMD" -c "$WORK/s3cfg" "$@"; }
  check "s3cmd mb" s3c mb s3://s3cmd
  rnd "$WORK/s3c.small" 54321
  check "s3cmd put (small)" s3c put "$WORK/s3c.small" s3://s3cmd/small
  check "s3cmd get (small) byte-identical" \
    bash -c "HOME=$WORK '$S3CMD' -c '$WORK/s3cfg' get s3://s3cmd/small '$WORK/s3c.small.out' && cmp '$WORK/s3c.small' '$WORK/s3c.small.out'"
  rnd "$WORK/s3c.big" $((60 << 20))
  if s3c put "$WORK/s3c.big" s3://s3cmd/big >"$WORK/s3c.put.out" 2>&1; then
    pass "s3cmd put 60 MiB (multipart)"
  else fail "s3cmd put 60 MiB: $(tail -n 3 "$WORK/s3c.put.out")"; fi
  e=$(etag s3cmd big)
  case "$e" in *-4) pass "60 MiB object went up as 4 parts of 15 MiB (ETag $e)" ;;
    *) fail "s3cmd 60 MiB: not a 4-part multipart ETag: '$e'" ;; esac
  if s3c get s3://s3cmd/big "$WORK/s3c.big.out" >"$WORK/s3c.get.out" 2>&1 \
    && cmp -s "$WORK/s3c.big" "$WORK/s3c.big.out"; then
    pass "s3cmd get 60 MiB byte-identical"
  else fail "s3cmd get 60 MiB: $(tail -n 3 "$WORK/s3c.get.out")"; fi
  # s3cmd checks the download against the MD5 it stored in x-amz-meta-s3cmd-attrs
  if grep -qi 'md5' "$WORK/s3c.get.out"; then
    fail "s3cmd get 60 MiB warned about MD5: $(grep -i md5 "$WORK/s3c.get.out" | head -n 2)"
  else pass "s3cmd get 60 MiB: no MD5 warning (user metadata came back)"; fi
  rm -f "$WORK/s3c.big" "$WORK/s3c.big.out"

  out=$(s3c ls s3://s3cmd/ 2>&1)
  n=$(printf '%s\n' "$out" | grep -c 's3://s3cmd/')
  if [ "$n" = 2 ] && printf '%s\n' "$out" | grep -q '62914560 *s3://s3cmd/big$' \
    && printf '%s\n' "$out" | grep -q '54321 *s3://s3cmd/small$'; then
    pass "s3cmd ls: both objects with their sizes"
  else fail "s3cmd ls: $out"; fi
  n=$(s3c ls 2>/dev/null | grep -c 's3://s3cmd$')
  [ "$n" = 1 ] && pass "s3cmd ls (buckets) lists s3://s3cmd" || fail "s3cmd ls (buckets): $n"

  mkdir -p "$WORK/s3c.tree/a/b" "$WORK/s3c.tree/c"
  rnd "$WORK/s3c.tree/top" 100; rnd "$WORK/s3c.tree/a/one" 2000
  rnd "$WORK/s3c.tree/a/b/two" 30000; : >"$WORK/s3c.tree/c/empty"
  rnd "$WORK/s3c.tree/c/sp ace+plus" 777
  check "s3cmd sync up" s3c sync "$WORK/s3c.tree/" s3://s3cmd/tree/
  check "s3cmd sync down byte-identical" \
    bash -c "HOME=$WORK '$S3CMD' -c '$WORK/s3cfg' sync s3://s3cmd/tree/ '$WORK/s3c.tree.out/' && diff -r '$WORK/s3c.tree' '$WORK/s3c.tree.out'"
  rnd "$WORK/s3c.tree/a/one" 2001; rm "$WORK/s3c.tree/top"
  check "s3cmd sync --delete-removed (one changed, one removed)" \
    s3c sync --delete-removed "$WORK/s3c.tree/" s3://s3cmd/tree/
  rm -rf "$WORK/s3c.tree.out"
  check "s3cmd sync down again matches the changed tree" \
    bash -c "HOME=$WORK '$S3CMD' -c '$WORK/s3cfg' sync s3://s3cmd/tree/ '$WORK/s3c.tree.out/' && diff -r '$WORK/s3c.tree' '$WORK/s3c.tree.out'"

  check "s3cmd del" s3c del s3://s3cmd/small
  out=$(s3c ls s3://s3cmd/ 2>&1)
  if printf '%s\n' "$out" | grep -q 's3://s3cmd/big$' && ! printf '%s\n' "$out" | grep -q 's3://s3cmd/small$'; then
    pass "s3cmd ls after del: small is gone, big is still there"
  else fail "s3cmd ls after del: $out"; fi
  # s3cmd HEADs the object first and exits 64 (EX_USAGE) on its 404
  n404=$(grep -cE ' HEAD s3cmd small 404 ' "$WORK/server.log")
  expect_exit 64 "s3cmd get of the deleted object fails" s3c get s3://s3cmd/small "$WORK/s3c.gone"
  [ "$(grep -cE ' HEAD s3cmd small 404 ' "$WORK/server.log")" -gt "$n404" ] && [ ! -e "$WORK/s3c.gone" ] \
    && pass "s3cmd get of the deleted object: the server said 404, no file written" \
    || fail "s3cmd get of the deleted object: no HEAD 404 in the server log: $(grep ' s3cmd small ' "$WORK/server.log" | tail -n 2)"
  check "s3cmd del --recursive --force" s3c del --recursive --force s3://s3cmd/
  check "s3cmd rb of the emptied bucket" s3c rb s3://s3cmd
fi

# ---------------------------------------------------------------- rclone
if [ ! -x "$RCLONE" ]; then
  skip "rclone checks (rclone missing: apt-get install rclone)"
else
  # AWS_CA_BUNDLE names a bundle rclone cannot use here; plain http anyway.
  rcl() {
    env -u AWS_CA_BUNDLE RCLONE_CONFIG=/dev/null \
      RCLONE_CONFIG_HF_TYPE=s3 RCLONE_CONFIG_HF_PROVIDER=Other \
      RCLONE_CONFIG_HF_ENDPOINT="$EP" RCLONE_CONFIG_HF_ACCESS_KEY_ID="$AK" \
      RCLONE_CONFIG_HF_SECRET_ACCESS_KEY="$SK" RCLONE_CONFIG_HF_REGION=us-east-1 \
      timeout 300 "$RCLONE" --low-level-retries 1 --retries 1 "$@"
  }
  check "rclone mkdir" rcl mkdir hf:rclone
  mkdir -p "$WORK/rc.tree/x/y"
  rnd "$WORK/rc.tree/x/y/big" $((200 << 20))
  rnd "$WORK/rc.tree/x/small" 4096; rnd "$WORK/rc.tree/top" 10
  if rcl copy "$WORK/rc.tree" hf:rclone/tree >"$WORK/rc.up.out" 2>&1; then
    pass "rclone copy up a tree with a 200 MiB file"
  else fail "rclone copy up: $(tail -n 3 "$WORK/rc.up.out")"; fi
  e=$(etag rclone tree/x/y/big)
  case "$e" in *-[0-9]*) pass "200 MiB file went up multipart (ETag $e)" ;;
    *) fail "rclone 200 MiB: not a multipart ETag: '$e'" ;; esac
  if rcl check "$WORK/rc.tree" hf:rclone/tree >"$WORK/rc.check.out" 2>&1; then
    pass "rclone check: local tree and bucket agree"
  else fail "rclone check: $(tail -n 3 "$WORK/rc.check.out")"; fi
  if rcl copy hf:rclone/tree "$WORK/rc.tree.out" >"$WORK/rc.down.out" 2>&1 \
    && diff -r "$WORK/rc.tree" "$WORK/rc.tree.out" >/dev/null \
    && cmp -s "$WORK/rc.tree/x/y/big" "$WORK/rc.tree.out/x/y/big"; then
    pass "rclone copy back: byte-identical (cmp)"
  else fail "rclone copy back: $(tail -n 3 "$WORK/rc.down.out")"; fi
  rm -rf "$WORK/rc.tree.out" "$WORK/rc.tree/x/y/big"
  # check must be able to fail: a changed byte is noticed
  printf 'Z' | dd of="$WORK/rc.tree/x/small" bs=1 seek=100 conv=notrunc 2>/dev/null
  rcl check --exclude 'x/y/**' "$WORK/rc.tree" hf:rclone/tree >"$WORK/rc.check2.out" 2>&1
  rc=$?
  if [ $rc != 0 ] && grep -q 'x/small: md5 differ' "$WORK/rc.check2.out" \
    && grep -q ' 1 differences found' "$WORK/rc.check2.out"; then
    pass "rclone check notices a changed byte (md5 differ)"
  else fail "rclone check with a changed byte (exit $rc): $(tail -n 3 "$WORK/rc.check2.out")"; fi

  out=$(rcl lsf -R hf:rclone 2>&1)
  want=$(printf '%s\n' tree/ tree/top tree/x/ tree/x/small tree/x/y/ tree/x/y/big)
  [ "$(printf '%s\n' "$out" | sort)" = "$(printf '%s\n' "$want" | sort)" ] \
    && pass "rclone lsf -R: the tree" || fail "rclone lsf -R: $out"
  check "rclone delete of one file" rcl delete hf:rclone/tree/x/small
  out=$(rcl lsf -R --files-only hf:rclone/tree 2>&1)
  [ "$(printf '%s\n' "$out" | sort)" = "$(printf '%s\n' top x/y/big)" ] \
    && pass "rclone lsf after delete: x/small is gone, the rest is there" \
    || fail "rclone lsf after delete: $out"

  : >"$WORK/rc.empty"
  check "rclone copy of a 0-byte file" rcl copyto "$WORK/rc.empty" hf:rclone/empty
  out=$(rcl lsl hf:rclone/empty 2>&1)
  case "$out" in *" 0 "*empty) pass "rclone lsl: the 0-byte object is 0 bytes" ;;
    *) fail "rclone lsl of the 0-byte object: $out" ;; esac
  printf 'junk' >"$WORK/rc.empty.out"
  if rcl copyto hf:rclone/empty "$WORK/rc.empty.out" >/dev/null 2>&1 && [ -f "$WORK/rc.empty.out" ] \
    && [ ! -s "$WORK/rc.empty.out" ]; then
    pass "rclone copy of the 0-byte object back: 0 bytes"
  else fail "rclone 0-byte object back: $(wc -c <"$WORK/rc.empty.out") bytes"; fi
  check "rclone purge" rcl purge hf:rclone
  expect_exit 3 "rclone lsf of the purged bucket: directory not found" rcl lsf hf:rclone
fi

# ---------------------------------------------------------------- 10,000 keys
if ! "$PY3" -c 'import boto3' 2>/dev/null; then
  skip "10,000-key listing (python3-boto3 missing)"
else
  "$PY3" "$(dirname "$0")/s3/listing_10k.py" list10k >"$WORK/list.out" 2>&1
  rc=$?
  nchecks=0
  while read -r tag rest; do
    case "$tag" in
      ok) pass "$rest"; nchecks=$((nchecks + 1)) ;;
      FAIL) fail "$rest"; nchecks=$((nchecks + 1)) ;;
      PUTS) set -- $rest; echo "  10,000 PUTs in $2 s: $(awk "BEGIN{printf \"%.0f\", $1/$2}") PUT/s" ;;
    esac
  done <"$WORK/list.out"
  [ "$nchecks" = 14 ] && [ $rc -le 1 ] && grep -q '^END$' "$WORK/list.out" \
    || fail "listing script ran $nchecks of 14 checks (exit $rc): $(tail -n 5 "$WORK/list.out")"
  if [ -x "$AWS" ]; then
    n=$(aws_s3 s3 ls s3://list10k/ --recursive | wc -l)
    [ "$n" = 10000 ] && pass "aws s3 ls --recursive: 10,000 lines" || fail "aws s3 ls --recursive: $n lines"
    out=$(aws_s3 s3 ls s3://list10k/)
    np=$(printf '%s\n' "$out" | grep -c ' PRE dir[0-9][0-9]/$')
    no=$(printf '%s\n' "$out" | grep -vc ' PRE ')
    [ "$np" = 50 ] && [ "$no" = 10 ] && pass "aws s3 ls: 50 PRE lines and 10 top-level objects" \
      || fail "aws s3 ls: $np prefixes, $no objects"
  else skip "aws s3 ls of 10,000 keys (aws cli missing)"; fi
fi

echo "  test_s3_clients: $((SECONDS - t_start)) s after server start"
# request log lines: ID METHOD BUCKET KEY STATUS in=N out=N DURATION (keys percent-encoded)
n5=$(awk '$6 ~ /^in=/ && $5 ~ /^5/' "$WORK/server.log" | wc -l)
nreq=$(awk '$6 ~ /^in=/' "$WORK/server.log" | wc -l)
[ "$nreq" -gt 50 ] && [ "$n5" = 0 ] && pass "no request of $nreq got a 5xx" \
  || fail "$n5 of $nreq requests got a 5xx: $(awk '$6 ~ /^in=/ && $5 ~ /^5/' "$WORK/server.log" | head -n 3)"
stop_server
grep -q "stopped" "$WORK/server.log" && pass "SIGTERM stops the server cleanly" || fail "no clean stop: $(tail -n 3 "$WORK/server.log")"
# after the stop, so LeakSanitizer's exit report is in (sanitized builds)
grep -qE 'runtime error|Sanitizer' "$WORK/server.log" \
  && fail "sanitizer report in the server log: $(grep -m1 -E 'runtime error|Sanitizer' "$WORK/server.log")" \
  || pass "no sanitizer report in the server log"
exit 0
