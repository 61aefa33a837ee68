#!/bin/bash
# s3-tests.sh — run a checkout of ceph/s3-tests against a fresh holdfast server.
#
#   tests/conformance/s3-tests.sh PATH-TO-CHECKOUT [PYTEST-ARGS...]
#
# With PYTEST-ARGS: one fresh server, `python3 -m pytest -p no:cacheprovider
# PYTEST-ARGS` from the checkout; exits with pytest's status.
# Without: the default subsets below one after another, each against its own
# fresh server, then a table of pass/fail counts; exits 0 when every subset
# ran to its end (failing tests are expected: see tests/conformance/README.md),
# 1 when a subset could not run (server did not start, timeout, pytest error).
#
# The suite is never copied into holdfast; nothing is written into the
# checkout (no cache, no bytecode).
#
# Environment:
#   HOLDFAST_BIN      the server binary (default build/holdfast of this repo)
#   S3TESTS_TIMEOUT   seconds per pytest run (default 900)
#   S3TESTS_OUT       a directory to keep each run's pytest output and server
#                     log in (default: they are removed with the temp dir)
#   S3TESTS_KEEP=1    keep the temp dir (store, config, logs) and print it
#   S3TESTS_AWSCRT=1  let botocore sign with awscrt when installed (default: hidden)
#
# Python dependencies come from Debian packages only (installed with apt-get
# when missing). The suite's requirements map as follows:
#   PyYAML python3-yaml, boto3 python3-boto3, botocore python3-botocore,
#   munch python3-munch, gevent python3-gevent, isodate python3-isodate,
#   requests python3-requests, pytz python3-tz, httplib2 python3-httplib2,
#   lxml python3-lxml, pytest python3-pytest, (dateutil python3-dateutil,
#   urllib3 python3-urllib3: pulled in by botocore).
#   tox is not needed: pytest is run directly. boto (v2) is imported only by
#   s3tests/common.py, which no functional test imports, so it is not needed.
set -u

DEBS="python3 python3-yaml python3-boto3 python3-botocore python3-munch python3-gevent
      python3-isodate python3-requests python3-tz python3-httplib2 python3-lxml
      python3-pytest python3-dateutil python3-urllib3"
PY3=/usr/bin/python3      # Debian's python3, which sees the Debian packages

die() { echo "s3-tests.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 PATH-TO-CHECKOUT [PYTEST-ARGS...]"
CHECKOUT=$(cd "$1" 2>/dev/null && pwd) || die "no such directory: $1"
shift
[ -f "$CHECKOUT/s3tests.conf.SAMPLE" ] || die "$CHECKOUT is not an s3-tests checkout (no s3tests.conf.SAMPLE)"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
HF=${HOLDFAST_BIN:-$REPO/build/holdfast}
[ -x "$HF" ] || die "no holdfast binary at $HF (run make, or set HOLDFAST_BIN)"
HF=$(cd "$(dirname "$HF")" && pwd)/$(basename "$HF")
TIMEOUT=${S3TESTS_TIMEOUT:-900}

# ---------------------------------------------------------------- packages
install_debs() {
  local missing="" p
  for p in $DEBS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "s3-tests.sh: installing Debian packages:$missing" >&2
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n1)" ]; then
    $sudo apt-get update -qq
  fi
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing >&2 || die "apt-get install failed:$missing"
}
install_debs

# ---------------------------------------------------------------- users
# Each config section gets its own holdfast user. holdfast reports a user's
# name as both Owner ID and DisplayName, so the config says the same. No
# api_name (an RGW zonegroup): test_bucket_get_location is skipped.
#         section        name        access key            secret
USERS=(  "s3 main"       s3main      HFS3TMAIN00000000001  s3tests-main-secret-0000000000000000001
         "s3 alt"        s3alt       HFS3TALT000000000002  s3tests-alt-secret-00000000000000000002
         "s3 tenant"     s3tenant    HFS3TTENANT000000003  s3tests-tenant-secret-000000000000000003
         "iam"           s3iam       HFS3TIAM000000000004  s3tests-iam-secret-00000000000000000004
         "iam root"      s3iamroot   HFS3TIAMROOT00000005  s3tests-iamroot-secret-00000000000000005
         "iam alt root"  s3iamalt    HFS3TIAMALT000000006  s3tests-iamalt-secret-000000000000000006 )

WORK=$(mktemp -d /tmp/holdfast-s3tests.XXXXXX) || die "mktemp failed"
SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null
  local i
  for i in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "s3-tests.sh: server $SERVER_PID did not stop on SIGTERM within 10 s; killing it" >&2
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  stop_server
  if [ "${S3TESTS_KEEP:-0}" = 1 ]; then
    echo "s3-tests.sh: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What `python3 -m pytest` does, but with awscrt made unimportable first, so
# botocore signs with its own pure-Python SigV4 signer as in the suite's
# environment (requirements.txt has no awscrt; Debian's awscli pulls it in, and
# botocore then signs with the CRT, which rejects an int header value such as
# test_headers' Expect: 200 and the IAM client's empty region before anything
# is sent). S3TESTS_AWSCRT=1 keeps it.
PYTEST_MAIN='import sys
if __import__("os").environ.get("S3TESTS_AWSCRT") != "1":
    sys.modules["awscrt"] = None
import pytest
sys.argv[0] = "pytest"
sys.exit(pytest.main())'

free_port() {
  "$PY3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME: fresh store $WORK/NAME/store, users, server; sets PORT.
start_server() {
  local dir=$WORK/$1 i
  mkdir -p "$dir"
  DATA=$dir/store
  "$HF" --data "$DATA" init >"$dir/init.log" 2>&1 || { echo "s3-tests.sh: holdfast init failed:" >&2; cat "$dir/init.log" >&2; return 1; }
  for ((i = 0; i < ${#USERS[@]}; i += 4)); do
    "$HF" --data "$DATA" user add "${USERS[i+1]}" --access-key "${USERS[i+2]}" --secret "${USERS[i+3]}" \
      >/dev/null 2>>"$dir/init.log" || { echo "user add ${USERS[i+1]} failed:" >&2; cat "$dir/init.log" >&2; return 1; }
  done
  PORT=$(free_port)
  SERVER_LOG=$dir/server.log
  "$HF" --data "$DATA" serve --listen "127.0.0.1:$PORT" 2>"$SERVER_LOG" &
  SERVER_PID=$!
  for i in $(seq 1 100); do
    grep -q "serving" "$SERVER_LOG" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "serving" "$SERVER_LOG" || { echo "s3-tests.sh: server did not start:" >&2; cat "$SERVER_LOG" >&2; return 1; }
  write_conf "$dir/s3tests.conf"
  CONF=$dir/s3tests.conf
}

write_conf() {
  local i
  {
    echo "[DEFAULT]"
    echo "host = 127.0.0.1"
    echo "port = $PORT"
    echo "is_secure = False"
    echo "ssl_verify = False"
    echo
    echo "[fixtures]"
    echo "bucket prefix = hfs3t-{random}-"
    echo "iam name prefix = s3-tests-"
    echo "iam path prefix = /s3-tests/"
    for ((i = 0; i < ${#USERS[@]}; i += 4)); do
      echo
      echo "[${USERS[i]}]"
      echo "display_name = ${USERS[i+1]}"
      echo "user_id = ${USERS[i+1]}"
      echo "email = ${USERS[i+1]}@example.com"
      echo "access_key = ${USERS[i+2]}"
      echo "secret_key = ${USERS[i+3]}"
      [ "${USERS[i]}" = "s3 tenant" ] && echo "tenant = testx"
    done
  } >"$1"
}

# run_pytest NAME ARGS...: a fresh server, pytest from the checkout; sets RC, OUT.
run_pytest() {
  local name=$1; shift
  start_server "$name" || { RC=3; OUT=; return; }
  OUT=$WORK/$name/pytest.out
  (
    cd "$CHECKOUT" || exit 2
    # The suite talks only to this server: no user AWS config, no proxies.
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL
    export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1
    export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    export S3TEST_CONF=$CONF PYTHONDONTWRITEBYTECODE=1
    # python3 -m pytest, with awscrt hidden unless S3TESTS_AWSCRT=1 (see the top).
    exec timeout -k 30 "$TIMEOUT" "$PY3" -c "$PYTEST_MAIN" -p no:cacheprovider "$@"
  ) 2>&1 | tee "$OUT" | { if [ "$QUIET" = 1 ]; then cat >/dev/null; else cat; fi; }
  RC=${PIPESTATUS[0]}
  stop_server
  if [ -n "${S3TESTS_OUT:-}" ]; then
    mkdir -p "$S3TESTS_OUT" && cp "$OUT" "$S3TESTS_OUT/$name.pytest.out" && cp "$SERVER_LOG" "$S3TESTS_OUT/$name.server.log"
  fi
}

# count WORD: the number before WORD in pytest's final line ("3 failed, 49 passed, ... in 1.2s").
count() {
  local line n
  line=$(grep -E '^(=+ )?([0-9]+ [a-z]+(, )?)+ in [0-9.]+s' "$OUT" 2>/dev/null | tail -n1)
  n=$(echo "$line" | grep -oE "[0-9]+ $1" | head -n1 | cut -d' ' -f1)
  echo "${n:-0}"
}

# ---------------------------------------------------------------- one run with the caller's arguments
if [ $# -gt 0 ]; then
  QUIET=0
  run_pytest custom "$@"
  case $RC in
    124|137) echo "s3-tests.sh: pytest timed out after ${TIMEOUT}s" >&2 ;;
    3) echo "s3-tests.sh: the server did not start" >&2 ;;
  esac
  exit "$RC"
fi

# ---------------------------------------------------------------- the default subsets
HEADERS=
for d in s3tests s3tests_boto3; do
  [ -f "$CHECKOUT/$d/functional/test_headers.py" ] && { HEADERS=$d/functional/test_headers.py; break; }
done
[ -n "$HEADERS" ] || die "no test_headers.py in $CHECKOUT"

NAMES=(list_objects_v2 multipart versioning headers object_lock)
# subset_args NAME: the pytest selection of a default subset, in ARGS.
subset_args() {
  case $1 in
    list_objects_v2) ARGS=(-m list_objects_v2) ;;
    multipart) ARGS=(-k 'multipart and not sse and not encryption and not lifecycle and not bucket_logging and not kms and not object_lock') ;;
    versioning) ARGS=(-k '(versioning or versioned or delete_marker) and not bucket_logging and not lifecycle and not object_lock') ;;
    headers) ARGS=("$HEADERS" -m 'not auth_aws2') ;;
    object_lock) ARGS=(-k test_object_lock) ;;
  esac
}

QUIET=1
export COLUMNS=${COLUMNS:-200}   # wider "FAILED test - reason" lines in pytest's short summary
status=0
declare -A P F E S T R
for n in "${NAMES[@]}"; do
  subset_args "$n"
  echo "==== $n: pytest ${ARGS[*]}"
  run_pytest "$n" -q -rfE "${ARGS[@]}"
  if [ -n "$OUT" ]; then
    # pytest's short summary: one FAILED/ERROR line per test, then the counts.
    sed -n '/short test summary info/,$p' "$OUT"
    grep -q 'short test summary info' "$OUT" || tail -n 3 "$OUT"
  fi
  P[$n]=$(count passed); F[$n]=$(count failed); E[$n]=$(count error)
  S[$n]=$(count skipped)
  T[$n]=$(( P[$n] + F[$n] + E[$n] + S[$n] + $(count xfailed) + $(count xpassed) ))
  case $RC in
    0|1) R[$n]=ok ;;
    124|137) R[$n]="timeout ${TIMEOUT}s"; status=1 ;;
    3) R[$n]="server did not start"; status=1 ;;
    *) R[$n]="pytest exit $RC"; status=1 ;;
  esac
  echo
done

printf '%-16s %6s %6s %6s %6s %6s  %s\n' subset tests passed failed errors skipped run
for n in "${NAMES[@]}"; do
  printf '%-16s %6s %6s %6s %6s %6s  %s\n' "$n" "${T[$n]}" "${P[$n]}" "${F[$n]}" "${E[$n]}" "${S[$n]}" "${R[$n]}"
done
exit $status
