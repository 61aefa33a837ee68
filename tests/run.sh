#!/bin/bash
# run.sh — run every test and print the summary line "N passed, N failed".
#
#   tests/run.sh UNIT_BIN... -- FUZZ_REPLAY_BIN...   (make test)
#   tests/run.sh --e2e-only                          (make test-long, with LONG=1)
#
# Each unit binary is a cmocka suite: its "[  PASSED  ] N" / "[  FAILED  ] N"
# lines are counted.  Each fuzz replay binary replays fuzz/corpus/<target>/.
# Each tests/e2e/test_*.sh reports one line per check through lib.sh; the
# counts are summed here.  A component that cannot run is reported as
# skipped, never as passed.
set -u
cd "$(dirname "$0")/.."
: "${HOLDFAST_BIN:?HOLDFAST_BIN must name the holdfast binary}"
export HOLDFAST_BIN HOLDFAST_NO_PROGRESS=1
RESULTS=$(mktemp -d /tmp/holdfast-tests.XXXXXX)
export RESULTS
pass=0 fail=0 skip=0

unit=() fuzz=() e2e_only=0
mode=unit
for a in "$@"; do
  case "$a" in
    --e2e-only) e2e_only=1 ;;
    --) mode=fuzz ;;
    *) if [ $mode = unit ]; then unit+=("$a"); else fuzz+=("$a"); fi ;;
  esac
done

if [ $e2e_only = 0 ]; then
  for t in "${unit[@]}"; do
    echo "== unit: $t"
    out=$("$t" 2>&1); rc=$?
    echo "$out" | grep -E '^\[  (FAILED|ERROR)|^\[ +(PASSED|FAILED) +\]|^Error|runtime error|Sanitizer' || true
    p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
    f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
    p=${p:-0}; f=${f:-0}
    if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
      echo "$out" | tail -n 20
      f=1
    fi
    pass=$((pass + p)); fail=$((fail + f))
  done
  for t in "${fuzz[@]}"; do
    name=$(basename "$t" -replay)
    dir=fuzz/corpus/${name#fuzz_}
    echo "== fuzz replay: $name ($dir)"
    if [ ! -d "$dir" ]; then
      echo "SKIP: no corpus at $dir"; skip=$((skip + 1)); continue
    fi
    if "$t" "$dir"; then pass=$((pass + 1)); else echo "FAIL: $name replay"; fail=$((fail + 1)); fi
  done
fi

for t in tests/e2e/test_*.sh; do
  [ -e "$t" ] || continue
  echo "== e2e: $t"
  bash "$t"
  rc=$?
  n=$(basename "$t" .sh)
  if [ -f "$RESULTS/$n" ]; then
    p=$(grep -c '^PASS' "$RESULTS/$n"); f=$(grep -c '^FAIL' "$RESULTS/$n"); s=$(grep -c '^SKIP' "$RESULTS/$n")
  else
    p=0 f=0 s=0
  fi
  if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
    echo "FAIL: $t exited $rc"; f=1
  fi
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done

rm -rf "$RESULTS"
echo
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
