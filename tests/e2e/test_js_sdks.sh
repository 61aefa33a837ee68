#!/bin/bash
# test_js_sdks.sh — the S3 server driven by the JavaScript clients people
# use, from the npm registry at the versions pinned in
# tests/e2e/js/package-lock.json: the AWS SDK v3 (@aws-sdk/client-s3,
# lib-storage, s3-request-presigner; default CRC32 checksums, so streams go
# up aws-chunked with a trailer) and the MinIO client (minio).  The checks
# are node:test files under tests/e2e/js/, run with `node --test`; each of
# their tests is one line here.  Invariant 1: what a client was told is
# stored reads back byte-identical; a bad checksum stores nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

JS=$(cd "$(dirname "$0")/js" && pwd)
NODE=${NODE:-node}                 # overridable to see the skip path
NPM=${NPM:-npm}
FILES=(aws_sdk.test.mjs minio.test.mjs)
command -v "$NODE" >/dev/null || { skip "JS SDKs end to end (node missing: apt-get install nodejs)"; exit 0; }
major=$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null)
if [ "${major:-0}" -lt 20 ]; then
  skip "JS SDKs end to end (node ${major:-?}: the pinned AWS SDK needs node >= 20)"; exit 0
fi
command -v "$PY3" >/dev/null || { skip "JS SDKs end to end ($PY3 missing)"; exit 0; }

# npm ci installs exactly the lockfile; again whenever the lockfile changed.
if [ ! -f "$JS/node_modules/.package-lock.json" ] || [ "$JS/package-lock.json" -nt "$JS/node_modules/.package-lock.json" ]; then
  command -v "$NPM" >/dev/null || { skip "JS SDKs end to end (npm missing: apt-get install npm)"; exit 0; }
  echo "  npm ci in $JS"
  if ! (cd "$JS" && timeout 600 "$NPM" ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.out" 2>&1; then
    skip "JS SDKs end to end (npm ci failed, the npm registry unreachable?): $(grep -v nodedir "$WORK/npm.out" | tail -n 2)"
    exit 0
  fi
fi
for m in @aws-sdk/client-s3 @aws-sdk/lib-storage @aws-sdk/s3-request-presigner minio; do
  [ -f "$JS/node_modules/$m/package.json" ] || { fail "npm ci did not install $m"; exit 0; }
done
start_server
t_start=$SECONDS

# TAP: top-level tests are "ok N - name" / "not ok N - name" at column 0
# (a "# SKIP" directive marks a skipped one); the details follow indented.
(cd "$JS" && timeout 900 "$NODE" --test --test-reporter=tap --test-concurrency=1 "${FILES[@]}") \
  >"$WORK/node.tap" 2>&1
rc=$?
n=0
while IFS= read -r line; do
  case "$line" in
    "ok "*" # SKIP"*) skip "js: ${line#ok * - }"; n=$((n + 1)) ;;
    "ok "*) pass "js: ${line#ok * - }"; n=$((n + 1)) ;;
    "not ok "*) fail "js: ${line#not ok * - }"; n=$((n + 1))
      # its YAML block: the error, expected/actual, and where in the test file
      awk -v l="$line" '$0 == l {f=1; next} f && /^(not )?ok |^# Subtest/ {exit}
        f && /^  (error|location):/ {p=1} f && /^  (code|stack):/ {p=0} f && p' \
        "$WORK/node.tap" | head -n 20 ;;
  esac
done <"$WORK/node.tap"
ntests=$(sed -n 's/^# tests \([0-9]*\)$/\1/p' "$WORK/node.tap")
if [ "$n" = 0 ] || [ "$n" != "${ntests:-x}" ]; then
  fail "node --test (exit $rc) reported $n results of '${ntests:-?}' tests: $(tail -n 15 "$WORK/node.tap")"
elif [ $rc != 0 ] && ! grep -q '^not ok ' "$WORK/node.tap"; then
  fail "node --test exited $rc with no failing test: $(tail -n 5 "$WORK/node.tap")"
fi

echo "  test_js_sdks: $((SECONDS - t_start)) s after server start"
n5=$(awk '$6 ~ /^in=/ && $5 ~ /^5/' "$WORK/server.log" | wc -l)
nreq=$(awk '$6 ~ /^in=/' "$WORK/server.log" | wc -l)
[ "$nreq" -gt 50 ] && [ "$n5" = 0 ] && pass "no request of $nreq got a 5xx" \
  || fail "$n5 of $nreq requests got a 5xx: $(awk '$6 ~ /^in=/ && $5 ~ /^5/' "$WORK/server.log" | head -n 3)"
stop_server
grep -q "stopped" "$WORK/server.log" && pass "SIGTERM stops the server cleanly" || fail "no clean stop: $(tail -n 3 "$WORK/server.log")"
grep -qE 'runtime error|Sanitizer' "$WORK/server.log" \
  && fail "sanitizer report in the server log: $(grep -m1 -E 'runtime error|Sanitizer' "$WORK/server.log")" \
  || pass "no sanitizer report in the server log"
exit 0
