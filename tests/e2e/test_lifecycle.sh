#!/bin/bash
# test_lifecycle.sh — expiry only after notice (issue 4), end to end, with a
# real local webhook receiver (python3 http.server) and a real local SMTP
# receiver (python3-aiosmtpd), and the clock moved with HOLDFAST_NOW.
#
# Invariants proven: 3 (nothing under a hold expires, even a year after the
# account was closed and the bucket went idle), 4 (expiry only marks
# versions deleted; the reclaimer removes the bytes after object.reclaimed),
# 6 (every notice, attempt, answer and expiry is in the audit log), and the
# issue's rule: no expiry without a DELIVERED notice and the grace period;
# an undelivered notice blocks expiry; a keep answer cancels it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"
RECV=$(cd "$(dirname "$0")" && pwd)/notice_receivers.py
export HOLDFAST_LIFECYCLE_INTERVAL_S=0     # passes are driven by the test, at chosen times

if ! "$PY3" -c 'import aiosmtpd' 2>/dev/null; then
  skip "lifecycle: python3-aiosmtpd missing (scripts/deps.sh test installs it)"
  exit 0
fi

R=$(date -u +%s)
ts() { date -u -d "@$((R + $1 * 86400 + ${2:-0} * 3600))" +%Y-%m-%dT%H:%M:%SZ; }
# at DAYS [HOURS] -- holdfast ARGS...: run holdfast with the clock at R + DAYS days
at() { local d=$1 h=0; shift; if [ "$1" != -- ]; then h=$1; shift; fi; shift
       HOLDFAST_NOW=$(ts "$d" "$h") "$HF" "$@"; }
jget() { "$PY3" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

start_receiver() {   # start_receiver KIND DIR -> sets RPORT
  mkdir -p "$2"
  "$PY3" "$RECV" "$1" "$2" 2>"$2/log" &
  local pid=$!
  on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  for _ in $(seq 1 100); do [ -s "$2/port" ] && break; sleep 0.1; done
  RPORT=$(cat "$2/port" 2>/dev/null)
  [ -n "$RPORT" ] || { fail "$1 receiver did not start: $(cat "$2/log")"; exit 1; }
}
count() { ls "$1" 2>/dev/null | grep -c "$2"; }
S3RAW=$(cd "$(dirname "$0")" && pwd)/s3raw.py
s3put() {  # s3put AK SK URL FILE -> prints the HTTP status, the answer in $WORK/s3.out
  "$PY3" "$S3RAW" PUT "$3" "$1" "$2" "$4" 2>"$WORK/s3.out"
}
s3get() {  # s3get AK SK URL -> status, answer in $WORK/s3.out
  "$PY3" "$S3RAW" GET "$3" "$1" "$2" 2>"$WORK/s3.out"
}

start_receiver webhook "$WORK/hook"; HP=$RPORT
start_receiver smtp "$WORK/mail"; SP=$RPORT

echo "-- the story: a held, closed, idle account; a year passes; nothing is lost"
start_server
STORE_A=$HOLDFAST_DATA
for f in a b c; do rnd "$WORK/$f.bin" $((1000 + RANDOM)); done
check "alice creates a bucket over S3" aws_s3 s3 mb s3://albums
for f in a b c; do check "alice uploads $f.bin" aws_s3 s3 cp "$WORK/$f.bin" "s3://albums/$f.bin"; done
check "contacts: webhook and e-mail" hf user set alice --webhook "http://127.0.0.1:$HP/hook" \
  --email alice@example.test
check "smtp-url" hf lifecycle config smtp-url "smtp://127.0.0.1:$SP"
check "smtp-from" hf lifecycle config smtp-from holdfast@example.test
check "public-url" hf lifecycle config public-url "$EP"
check "a preservation hold on alice's account" hf hold place --case C-2031 --by "J. Counsel" \
  --reference "letter of 3 March: preserve all data of alice" --user alice
check "the account is closed" hf user close alice
check "an inactivity rule of 90 days" hf lifecycle set albums --inactive-days 90
echo x >"$WORK/new.txt"
if aws_s3 s3 cp "$WORK/new.txt" s3://albums/new.txt 2>/dev/null; then
  fail "a closed account's user could write"
else pass "a closed account's data is read-only for its user (S3 PUT refused)"; fi
check "...and still readable by them" aws_s3 s3 cp s3://albums/a.bin "$WORK/a.s3"
stop_server

out=$(at 400 -- lifecycle run --json)
[ "$(echo "$out" | jget 'd["notices_created"]')" = 0 ] && pass "a year later, under the hold: no notice" \
  || fail "notices under a hold: $out"
check "no notice listed" test "$(hf notice ls --json)" = "[]"
at 400 -- reclaim >/dev/null
ok=1; for f in a b c; do at 400 -- get "albums/$f.bin" "$WORK/$f.out" && cmp -s "$WORK/$f.bin" "$WORK/$f.out" || ok=0; done
[ $ok = 1 ] && pass "a year later nothing is lost (3 of 3 objects read back)" || fail "data lost under a hold"
check "nothing went to the receivers" test "$(count "$WORK/hook" hook)$(count "$WORK/mail" mail)" = 00

echo "-- the hold is released: notices, reminders, grace, only then expiry"
check "hold released" at 401 -- hold release C-2031 --by "J. Counsel" --reason "case settled"
out=$(at 401 -- lifecycle run --json)
[ "$(echo "$out" | jget 'd["notices_created"]')" = 1 ] && pass "one notice: closure (the reads on day 400 restarted the inactivity rule's clock)" \
  || fail "notices after release: $out"
[ "$(echo "$out" | jget 'd["delivered"]')" = 2 ] && pass "2 deliveries (webhook, e-mail)" \
  || fail "deliveries: $out"
check "the webhook receiver got the POST" test "$(count "$WORK/hook" hook)" = 1
check "the SMTP receiver got the mail" test "$(count "$WORK/mail" mail)" = 1
check "webhook body: JSON notice with a keep link" "$PY3" -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["type"]=="holdfast.notice" and d["kind"]=="notice" and d["user"]=="alice"
assert d["versions"]==3 and "/_holdfast/notice/keep?id=" in d["keep_url"] and d["grace_days"]==30
' "$WORK/hook/hook.1.json"
check "mail: to alice, subject and keep link" grep -q "notice/keep?id=" "$WORK/mail/mail.1.eml"
check "mail recipient" grep -q "X-Rcpt: alice@example.test" "$WORK/mail/mail.1.eml"
out=$(at 410 -- lifecycle run --json)
check "day 9 of 30: no reminder, nothing expired" test "$(echo "$out" | jget 'd["reminders"]+d["expired"]')" = 0
out=$(at 425 -- lifecycle run --json)
check "7 days before: a reminder" test "$(echo "$out" | jget 'd["reminders"]')" = 1
out=$(at 430 -- lifecycle run --json)
check "1 day before: a reminder" test "$(echo "$out" | jget 'd["reminders"]')" = 1
check "no expiry before the grace period ends" test "$(echo "$out" | jget 'd["expired"]')" = 0
check "reminders reached the webhook and the mailbox" test "$(count "$WORK/hook" hook)$(count "$WORK/mail" mail)" = 33
grep -l '"kind":"reminder-7"' "$WORK"/hook/hook.*.json >/dev/null && pass "a reminder-7 body" || fail "no reminder-7"
ok=1; for f in a b c; do at 430 -- get "albums/$f.bin" "$WORK/$f.out" && cmp -s "$WORK/$f.bin" "$WORK/$f.out" || ok=0; done
[ $ok = 1 ] && pass "a day before expiry: still all readable" || fail "data gone before the grace period ended"
out=$(at 432 -- lifecycle run --json)
check "grace passed: 3 versions expired" test "$(echo "$out" | jget 'd["expired"]')" = 3
expect_exit 3 "expired: a.bin is gone from the namespace" at 432 -- get albums/a.bin "$WORK/x"
n=$(hf audit ls --kind object.expired --json | grep -c '"notice"')
check "3 object.expired entries naming the notice" test "$n" = 3
check "object.expired names the rule" sh -c "hf() { \"$HF\" \"\$@\"; }; \"$HF\" audit ls --kind object.expired --json | grep -q '\"rule\":\"closure\"\|\"rule\":\"inactivity:90\"'"
out=$(at 432 -- reclaim --json)
check "the reclaimer removes the 3 versions' bytes" test "$(echo "$out" | jget 'd["versions"]')" = 3
check "object.reclaimed logged" test "$(hf audit ls --kind object.reclaimed --json | wc -l)" = 3
js=$(hf notice ls --json)
check "notice ls: expired, 3 versions" test "$(echo "$js" | jget '[(n["state"],n["expired_versions"]) for n in d]')" = "[('expired', 3)]"
check "notice ls: 6 deliveries (notice, reminder-7, reminder-1; webhook and e-mail)" \
  test "$(echo "$js" | jget '[x["kind"]+"/"+x["channel"] for x in d[0]["deliveries"]]')" = "['notice/webhook', 'notice/email', 'reminder-7/webhook', 'reminder-7/email', 'reminder-1/webhook', 'reminder-1/email']"
check "notice ls: every delivery delivered" test "$(echo "$js" | jget 'all(x["result"]=="delivered" for n in d for x in n["deliveries"])')" = True
check "notice ls (text) shows the history" sh -c "\"$HF\" notice ls | grep -q 'reminder-1'"
for k in notice.created notice.sent notice.delivered notice.expired clock.override; do
  check "audit has $k" sh -c "\"$HF\" audit ls --kind $k --json | grep -q ."
done
check "the audit log verifies" hf audit verify
check "clock: a time before the high-water mark does not go back" sh -c "
  HOLDFAST_NOW=$(ts 10) \"$HF\" lifecycle config grace-days 30 >/dev/null &&
  \"$HF\" audit ls --kind lifecycle.config --json | tail -n1 | grep -q '\"time\":\"$(ts 432 | cut -c1-7)'"

echo "-- variant: the webhook is down; nothing expires"
start_server
DEAD=$(free_port)
check "alice creates a bucket" aws_s3 s3 mb s3://docs
check "alice uploads" aws_s3 s3 cp "$WORK/a.bin" s3://docs/a.bin
check "bob creates a bucket" env AWS_ACCESS_KEY_ID=$AK2 AWS_SECRET_ACCESS_KEY=$SK2 "$AWS" --endpoint-url "$EP" s3 mb s3://bobs
check "bob uploads old/x" env AWS_ACCESS_KEY_ID=$AK2 AWS_SECRET_ACCESS_KEY=$SK2 "$AWS" --endpoint-url "$EP" s3 cp "$WORK/b.bin" s3://bobs/old/x
check "bob uploads new/y" env AWS_ACCESS_KEY_ID=$AK2 AWS_SECRET_ACCESS_KEY=$SK2 "$AWS" --endpoint-url "$EP" s3 cp "$WORK/c.bin" s3://bobs/new/y

echo "-- S3 lifecycle configuration"
cat >"$WORK/lc.xml" <<X
<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>old-stuff</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>
X
check "GET before any: 404" test "$(s3get "$AK2" "$SK2" "$EP/bobs?lifecycle")" = 404
check "...NoSuchLifecycleConfiguration" grep -q NoSuchLifecycleConfiguration "$WORK/s3.out"
check "PutBucketLifecycleConfiguration" test "$(s3put "$AK2" "$SK2" "$EP/bobs?lifecycle" "$WORK/lc.xml")" = 200
s3get "$AK2" "$SK2" "$EP/bobs?lifecycle" >/dev/null
check "GetBucketLifecycleConfiguration round trip" grep -q '<ID>old-stuff</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days>' "$WORK/s3.out"
check "another user may not set it" test "$(s3put "$AK" "$SK" "$EP/bobs?lifecycle" "$WORK/lc.xml")" = 403
check "aws s3api get-bucket-lifecycle-configuration" sh -c "AWS_ACCESS_KEY_ID=$AK2 AWS_SECRET_ACCESS_KEY=$SK2 $AWS --endpoint-url $EP s3api get-bucket-lifecycle-configuration --bucket bobs | grep -q old-stuff"
bad() {  # bad NAME STATUS CODE XML
  printf '%s' "$4" >"$WORK/bad.xml"
  local st; st=$(s3put "$AK2" "$SK2" "$EP/bobs?lifecycle" "$WORK/bad.xml")
  if [ "$st" = "$2" ] && grep -q "<Code>$3</Code>" "$WORK/s3.out"; then pass "bad lifecycle XML: $1 -> $2 $3"
  else fail "bad lifecycle XML: $1 -> $st $(head -c 300 "$WORK/s3.out")"; fi
}
L='<LifecycleConfiguration>' E='</LifecycleConfiguration>'
bad "not XML" 400 MalformedXML 'Days=30'
bad "wrong root" 400 MalformedXML '<Lifecycle><Rule/></Lifecycle>'
bad "no rule" 400 MalformedXML "$L$E"
bad "no Status" 400 MalformedXML "$L<Rule><ID>a</ID><Expiration><Days>3</Days></Expiration></Rule>$E"
bad "lower-case status" 400 MalformedXML "$L<Rule><Status>enabled</Status><Expiration><Days>3</Days></Expiration></Rule>$E"
bad "no action" 400 MalformedXML "$L<Rule><Status>Enabled</Status></Rule>$E"
bad "Days 0" 400 InvalidArgument "$L<Rule><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>$E"
bad "Days -1" 400 InvalidArgument "$L<Rule><Status>Enabled</Status><Expiration><Days>-1</Days></Expiration></Rule>$E"
bad "Days and Date" 400 MalformedXML "$L<Rule><Status>Enabled</Status><Expiration><Days>3</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>$E"
bad "Date not at midnight" 400 InvalidArgument "$L<Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>$E"
bad "Transition" 400 InvalidArgument "$L<Rule><Status>Enabled</Status><Transition><Days>3</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>$E"
bad "duplicate ID" 400 InvalidArgument "$L<Rule><ID>x</ID><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule><Rule><ID>x</ID><Status>Enabled</Status><Expiration><Days>4</Days></Expiration></Rule>$E"
bad "ID too long" 400 MalformedXML "$L<Rule><ID>$(head -c 300 /dev/zero | tr '\0' a)</ID><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>$E"
bad "DOCTYPE" 400 MalformedXML '<!DOCTYPE x [<!ENTITY a "b">]><LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>'
bad "tag filter" 400 InvalidArgument "$L<Rule><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><Days>3</Days></Expiration></Rule>$E"
s3get "$AK2" "$SK2" "$EP/bobs?lifecycle" >/dev/null
check "after bad input the rule is unchanged" grep -q old-stuff "$WORK/s3.out"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$WORK/big.xml"
st=$(s3put "$AK2" "$SK2" "$EP/bobs?lifecycle" "$WORK/big.xml")
[ "$st" = 400 ] && pass "a 2 MiB lifecycle body is refused (400)" || fail "big lifecycle body: $st"

check "alice's webhook points at a closed port" hf user set alice --webhook "http://127.0.0.1:$DEAD/hook" --email ""
check "alice's account is closed" hf user close alice
stop_server
out=$(at 1 -- lifecycle run --json)
check "a closure notice and bob's S3 rule notice are created" test "$(echo "$out" | jget 'd["notices_created"]')" = 1
check "the webhook delivery failed" test "$(echo "$out" | jget 'd["failed"]')" = 1
out=$(at 40 -- lifecycle run --json)
check "bob's rule: a notice (old/ only), undeliverable: no contact" test "$(echo "$out" | jget 'd["notices_created"]')" = 1
at 60 -- lifecycle run >/dev/null
out=$(at 400 -- lifecycle run --json)
check "a year on, undelivered notices block: nothing expired" test "$(echo "$out" | jget 'd["expired"]')" = 0
check "...and both are reported undelivered" test "$(echo "$out" | jget 'd["undelivered"]')" = 2
at 400 -- reclaim >/dev/null
check "alice's data is intact" sh -c "HOLDFAST_NOW=$(ts 400) \"$HF\" get docs/a.bin '$WORK/a2' && cmp -s '$WORK/a.bin' '$WORK/a2'"
check "bob's old/x is intact" sh -c "HOLDFAST_NOW=$(ts 400) \"$HF\" get bobs/old/x '$WORK/b2' && cmp -s '$WORK/b.bin' '$WORK/b2'"
js=$(hf notice ls --json)
check "notice ls: both pending" test "$(echo "$js" | jget '[n["state"] for n in d]')" = "['pending', 'pending']"
check "notice ls: bob's notice covers 1 version under bucket:bobs/old/" test "$(echo "$js" | jget '[(n["scope"],n["rule"],n["versions"]) for n in d if n["user"]=="bob"]')" = "[('bucket:bobs/old/', 'lifecycle:old-stuff:expiration', 1)]"
check "notice ls: every attempt recorded (4 failed for alice)" test "$(echo "$js" | jget '[len(n["deliveries"]) for n in d if n["user"]=="alice"][0]')" = 4
check "notice ls (text): NOT DELIVERED" sh -c "\"$HF\" notice ls | grep -q 'NOT DELIVERED'"
check "notice.failed in the audit log" sh -c "\"$HF\" audit ls --kind notice.failed --json | grep -q 'Connection refused\|connect'"
check "status reports the undelivered notices" sh -c "\"$HF\" status | grep -q '^notices: *2 pending (2 could not be delivered'"
check "status --json counts them" test "$(hf status --json | jget 'd["notices"]["undelivered"]')" = 2
check "alice answers keep (CLI)" at 400 -- notice keep 1
expect_exit 6 "keep twice" at 400 -- notice keep 1
out=$(at 800 -- lifecycle run --json)
check "after keep: no new closure notice" test "$(echo "$out" | jget 'd["notices_created"]+d["expired"]')" = 0
check "notice.answered logged" sh -c "\"$HF\" audit ls --kind notice.answered --json | grep -q '\"via\":\"cli\"'"

echo "-- variant: keep through the signed link"
start_server
check "alice creates a bucket" aws_s3 s3 mb s3://keepme
check "alice uploads" aws_s3 s3 cp "$WORK/a.bin" s3://keepme/a.bin
rm -f "$WORK"/hook/hook.*.json
check "contacts" hf user set alice --webhook "http://127.0.0.1:$HP/hook"
check "public-url" hf lifecycle config public-url "$EP"
check "inactivity 30 days" hf lifecycle set keepme --inactive-days 30
stop_server
out=$(at 45 -- lifecycle run --json)
check "idle 45 days: a notice, delivered" test "$(echo "$out" | jget '(d["notices_created"],d["delivered"])')" = "(1, 1)"
link=$("$PY3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["keep_url"])' "$(ls -t "$WORK"/hook/hook.*.json | head -n1)")
case "$link" in "$EP/_holdfast/notice/keep?id=1&sig="*) pass "the notice carries the signed link" ;;
  *) fail "keep link: $link" ;; esac
HOLDFAST_NOW=$(ts 46) "$HF" serve --listen "127.0.0.1:$PORT" 2>"$WORK/server2.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q serving "$WORK/server2.log" && break; sleep 0.1; done
st=$(curl -s -o "$WORK/k.out" -w '%{http_code}' "${link%sig=*}sig=$(printf '0%.0s' $(seq 64))")
check "a forged keep link is refused (403)" test "$st" = 403
st=$(curl -s -o "$WORK/k.out" -w '%{http_code}' "$EP/_holdfast/notice/keep?id=1")
check "a keep link without its signature is refused (403)" test "$st" = 403
st=$(curl -s -o "$WORK/k.out" -w '%{http_code}' "${link/id=1/id=2}")
check "another notice's id with this signature is refused" test "$st" = 403
check "the notice is still delivered, not kept" test "$(hf notice ls --json | jget 'd[0]["state"]')" = delivered
st=$(curl -s -o "$WORK/k.out" -w '%{http_code}' "$link")
check "the owner follows the link: 200" test "$st" = 200
check "the notice is kept, via the link" test "$(hf notice ls --json | jget '(d[0]["state"],d[0]["answered_via"])')" = "('kept', 'link')"
stop_server
out=$(at 80 -- lifecycle run --json)
check "after keep: nothing expires past the grace period" test "$(echo "$out" | jget 'd["expired"]')" = 0
check "the data is there" sh -c "HOLDFAST_NOW=$(ts 80) \"$HF\" get keepme/a.bin '$WORK/a3' && cmp -s '$WORK/a.bin' '$WORK/a3'"

echo "-- bad input (CLI)"
expect_exit 2 "lifecycle set without --inactive-days" hf lifecycle set keepme
expect_exit 2 "--inactive-days abc" hf lifecycle set keepme --inactive-days abc
expect_exit 2 "--inactive-days -1" hf lifecycle set keepme --inactive-days -1
expect_exit 2 "--inactive-days 99999" hf lifecycle set keepme --inactive-days 99999
expect_exit 3 "lifecycle set on a missing bucket" hf lifecycle set nosuch --inactive-days 5
expect_exit 7 "grace-days 3 (never below 7)" hf lifecycle config grace-days 3
expect_exit 7 "grace-days abc" hf lifecycle config grace-days abc
expect_exit 7 "an unknown setting" hf lifecycle config colour blue
expect_exit 7 "smtp-url http://" hf lifecycle config smtp-url http://x
expect_exit 7 "webhook ftp://" hf user set bob --webhook ftp://x/y
expect_exit 7 "webhook with a space" hf user set bob --webhook "http://x/a b"
expect_exit 7 "e-mail without @" hf user set bob --email bob.example.test
expect_exit 7 "e-mail with a newline" hf user set bob --email "$(printf 'a@b\nBcc: x@y')"
expect_exit 3 "contacts of a missing user" hf user set nobody --email a@b.test
expect_exit 2 "user set without contacts" hf user set bob
expect_exit 2 "notice keep abc" hf notice keep abc
expect_exit 3 "notice keep 999" hf notice keep 999
expect_exit 3 "close a missing user" hf user close nobody
expect_exit 6 "suspend twice" sh -c "\"$HF\" user suspend bob >/dev/null; \"$HF\" user suspend bob"
check "activate again" hf user activate bob
before=$(hf audit ls --json | wc -l)
expect_exit 1 "HOLDFAST_NOW not RFC 3339: the store does not open" env HOLDFAST_NOW=yesterday "$HF" status
expect_exit 1 "HOLDFAST_NOW on 30 February" env HOLDFAST_NOW=2031-02-30T00:00:00Z "$HF" status
after=$(hf audit ls --json | wc -l)
check "a refused clock changes nothing" test "$before" = "$after"
