# lib.sh — helpers for end-to-end tests of the real holdfast binary.
#
# Source it from tests/e2e/test_NAME.sh.  Every check prints one line and is
# recorded in $RESULTS/test_NAME for tests/run.sh to count:
#   pass "what"            a check that held
#   fail "what"            a check that did not
#   skip "what (why)"      a check that could not run here
#   check "what" CMD...    pass if CMD exits 0, else fail
#   expect_exit N "what" CMD...   pass if CMD exits with N
# A fresh store per test: new_store [init args] sets $HOLDFAST_DATA.
set -u
HF=${HOLDFAST_BIN:?}
_T=$(basename "$0" .sh)
: "${RESULTS:=$(mktemp -d)}"
_RES=$RESULTS/$_T
: >"$_RES"
WORK=$(mktemp -d /tmp/holdfast-e2e.XXXXXX)
_cleanup_hooks=()
_cleanup() {
  for h in "${_cleanup_hooks[@]}"; do eval "$h" || true; done
  rm -rf "$WORK"
}
trap _cleanup EXIT
on_exit() { _cleanup_hooks+=("$1"); }

pass() { echo "PASS $*" >>"$_RES"; echo "  ok    $*"; }
fail() { echo "FAIL $*" >>"$_RES"; echo "  FAIL  $*"; }
skip() { echo "SKIP $*" >>"$_RES"; echo "  skip  $*"; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi; }
expect_exit() {
  local want=$1 what=$2; shift 2
  "$@" >"$WORK/.out" 2>"$WORK/.err"; local got=$?
  if [ "$got" = "$want" ]; then pass "$what (exit $got)"
  else fail "$what (exit $got, wanted $want): $(head -c 300 "$WORK/.err")"; fi
}

new_store() {
  export HOLDFAST_DATA=$WORK/store.$RANDOM$RANDOM
  "$HF" init "$@" >/dev/null || { fail "init $*"; exit 1; }
}
hf() { "$HF" "$@"; }
# random file of N bytes
rnd() { head -c "$2" /dev/urandom >"$1"; }
