# s3lib.sh — start a real holdfast S3 server on loopback for a test.
#   start_server        fresh store, users alice and bob; sets EP, AK, SK, AK2, SK2
# The server is stopped (SIGTERM, then checked) when the test exits.
AWS=/usr/bin/aws            # Debian's awscli, not whatever else is on PATH
PY3=/usr/bin/python3        # Debian's python3, which has python3-boto3

free_port() {
  "$PY3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_server() {
  new_store
  AK=HFALICE0000000000001 SK=alice-secret-0000000000000000000000000001
  AK2=HFBOB00000000000002 SK2=bob-secret-00000000000000000000000000002
  hf user add alice --access-key "$AK" --secret "$SK" >/dev/null || { fail "user add alice"; exit 1; }
  hf user add bob --access-key "$AK2" --secret "$SK2" >/dev/null || { fail "user add bob"; exit 1; }
  PORT=$(free_port)
  EP=http://127.0.0.1:$PORT
  "$HF" serve --listen "127.0.0.1:$PORT" 2>"$WORK/server.log" &
  SERVER_PID=$!
  on_exit 'stop_server'
  for _ in $(seq 1 100); do
    grep -q "serving" "$WORK/server.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "serving" "$WORK/server.log" || { fail "server did not start: $(cat "$WORK/server.log")"; exit 1; }
  export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  export HF_ENDPOINT=$EP HF_AK=$AK HF_SK=$SK HF_AK2=$AK2 HF_SK2=$SK2
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -9 "$SERVER_PID"; echo "FAIL server did not stop on SIGTERM" >>"$_RES"
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}

aws_s3() { "$AWS" --endpoint-url "$EP" "$@"; }
