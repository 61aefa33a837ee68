# shellcheck shell=bash
# util.sh — helpers shared by the end-to-end tests (sourced after lib.sh).
#
# Not a test itself (run.sh runs only test_*.sh).  Everything here reads
# the store through the real binary or the backend directories; nothing
# reaches into the library.
#
#   js EXPR < JSON         evaluate a Python expression over the parsed JSON `d`;
#                          lists print one item a line, booleans as true/false
#   shard_files DIR...     every shard file (name <32 hex>.<index>.<gen>) under DIRs
#   shard_paths B/K [V]    the shard file paths `stat --json` names, one a line
#   frames SIZE SEG K      one line per segment: "offset length payload_len" of its
#                          frame in a shard file (layout of src/store/shard.h)
#   shard_file_size SIZE SEG K     expected size of each shard file of an object
#   is_prefix OUT ORIG     true when file OUT is a prefix of ORIG (or empty)
#   one_line ERRFILE       true when ERRFILE holds exactly one non-empty line

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

js() {
  "$PY" -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
def f(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)
if isinstance(r, (list, tuple)):
    for x in r:
        print(f(x))
else:
    print(f(r))' "$1"
}

shard_files() {
  find "$@" -type f -regextype posix-extended \
       -regex '.*/[0-9a-f]{32}\.[0-9]+\.[0-9]+' 2>/dev/null | sort
}

shard_paths() {
  if [ $# -ge 2 ]; then
    "$HF" stat "$1" --version "$2" --json | js '[s["path"] for s in d["shards"]]'
  else
    "$HF" stat "$1" --json | js '[s["path"] for s in d["shards"]]'
  fi
}

frames() {
  "$PY" - "$1" "$2" "$3" <<'EOF'
import sys
size, seg, k = map(int, sys.argv[1:4])
def payload(plain):
    per = (plain + 16 + k - 1) // k
    return (per + 63) // 64 * 64
n = max(1, (size + seg - 1) // seg)
full = 128 + payload(seg)
for s in range(n):
    plain = min(seg, size - s * seg)
    print(s * full, 128 + payload(plain), payload(plain))
EOF
}

shard_file_size() {
  frames "$1" "$2" "$3" | awk '{ t += $2 } END { print t }'
}

is_prefix() {
  local n
  n=$(stat -c %s "$1")
  [ "$n" -le "$(stat -c %s "$2")" ] && cmp -s "$1" <(head -c "$n" "$2")
}

one_line() {
  [ "$(wc -l <"$1")" -eq 1 ] && [ -n "$(tr -d '[:space:]' <"$1")" ]
}

# get_same FILE GET-ARGS... : `holdfast get GET-ARGS` exits 0 and its stdout is
# byte-identical to FILE (the exit status matters: an empty object compares
# equal to a failed read's empty output).
get_same() {
  local want=$1; shift
  "$HF" get "$@" 2>"$WORK/.get_err" | cmp -s - "$want" && [ "${PIPESTATUS[0]}" = 0 ]
}
