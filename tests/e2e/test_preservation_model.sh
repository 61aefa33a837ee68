#!/bin/bash
# test_preservation_model.sh — the model-based property test of the policy
# gate (issue 4): seeded random sequences of puts, overwrites, delete
# markers, deletes with and without version ids, preservation holds placed
# and released, reclaimer runs and kill -9 restarts of the server, checked
# after every step against a reference model (tests/e2e/s3/model_preservation.py),
# with S3 Object Lock (GOVERNANCE and COMPLIANCE retention set, extended,
# shortened with and without bypass; legal holds) and clock jumps of up to
# two years (HOLDFAST_NOW):
# no version covered by a hold ever becomes unreadable, and every answer is
# the one the model predicts.  Prints sequences, steps, violations (goal 0).
#
# MODEL_SEQUENCES x MODEL_STEPS steps (default 20 x 500 = 10,000); MODEL_SEED.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/s3lib.sh"

"$PY3" -c 'import boto3' 2>/dev/null || { skip "model test (python3-boto3 missing)"; exit 0; }
start_server
echo "$SERVER_PID" >"$WORK/server.pid"
# Restart: kill -9 the server and start it again on the same port.
cat >"$WORK/restart.sh" <<RESTART
#!/bin/bash
kill -9 \$(cat "$WORK/server.pid") 2>/dev/null
sleep 0.2
: >"$WORK/server2.log"
"$HF" serve --listen "127.0.0.1:$PORT" </dev/null >/dev/null 2>>"$WORK/server2.log" &
echo \$! >"$WORK/server.pid"
for _ in \$(seq 1 100); do grep -q serving "$WORK/server2.log" && break; sleep 0.1; done
grep -q serving "$WORK/server2.log" && echo "$EP"
RESTART
chmod +x "$WORK/restart.sh"
SERVER_PID=      # the restart script owns the server from here
on_exit 'kill -TERM $(cat "$WORK/server.pid") 2>/dev/null; sleep 0.5; kill -9 $(cat "$WORK/server.pid") 2>/dev/null'

out=$(HF_RESTART_CMD="$WORK/restart.sh" "$PY3" "$(dirname "$0")/s3/model_preservation.py" \
        "${MODEL_SEQUENCES:-20}" "${MODEL_STEPS:-500}" "${MODEL_SEED:-1}" 2>&1)
rc=$?
echo "$out" | tail -25
line=$(echo "$out" | grep '^model:')
steps=$(echo "$line" | sed -n 's/.* \([0-9]*\) steps.*/\1/p')
if [ $rc = 0 ] && echo "$line" | grep -q ' 0 violations'; then
  pass "$line"
else
  fail "model test: ${line:-no summary (rc $rc)}"
fi
[ "${steps:-0}" -ge $(( ${MODEL_SEQUENCES:-20} * ${MODEL_STEPS:-500} * 9 / 10 )) ] \
  && pass "at least 90% of the planned steps ran ($steps)" || fail "only ${steps:-0} steps ran"
read -r nn nexp <<<"$(hf notice ls --json | "$PY3" -c '
import json, sys
d = json.load(sys.stdin)
print(len(d), sum(n["expired_versions"] for n in d))')"
[ "${nn:-0}" -gt 0 ] && [ "${nexp:-1}" = 0 ] \
  && pass "lifecycle runs raised $nn notices, none deliverable: nothing expired" \
  || fail "lifecycle: ${nn:-?} notices, ${nexp:-?} versions expired"
expect_exit 0 "the audit log verifies after the model run" hf audit verify
