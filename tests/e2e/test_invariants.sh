#!/bin/bash
# test_invariants.sh — only the reclaimer removes shard bytes.
#
# Proves DESIGN.md invariant 4 ("Only the reclaimer removes shard bytes"),
# the part that exists today (the policy gate is reclaim_allowed() in
# src/store/reclaim.c; holds and audit come later):
#
#   static   `grep -rn 'ops->remove\|unlinkat\|unlink(' src/` finds exactly
#            two call sites outside comments: unlinkat in dir_remove()
#            (src/backend/dir.c, the directory backend's remove op) and
#            ops->remove in remove_file() (src/store/reclaim.c).  dir_remove
#            is reachable only through the ops table; remove_file is the only
#            caller of ops->remove and, in reclaim_version, comes after the
#            gate.  No other call in src/ can destroy file bytes (remove,
#            rename, truncate, O_TRUNC, rmdir, fallocate), except the two
#            known ones on the store's own config file; and every file the
#            backend creates is O_EXCL, so no shard file is ever rewritten.
#
#   dynamic  the real binary under `strace -f -k` through a workload that
#            removes shard files every way it can (reclaim of a deleted
#            version, a failed put, scrub --repair replacing files, an orphan
#            scan, a put killed with -9 and cleaned at the next open, a
#            drained backend wiped with its proof of drain): every
#            unlink of a shard file has dir_remove called from a function
#            of src/store/reclaim.c on its stack; no shard file is renamed,
#            truncated or opened with O_TRUNC; and the commands that must not
#            remove anything (put, get, ls, stat, rm, scrub, status) remove
#            nothing (nor does backend drain: it only queues the old files).
#            Skipped when strace (with -k) is not available.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/util.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)/src
[ -d "$SRC" ] || { fail "no src/ at $SRC"; exit 1; }

# function enclosing FILE:LINE (the last C function header above it)
enclosing() {
  awk -v want="$2" 'NR > want { exit }
    /^[A-Za-z_][A-Za-z0-9_ \*]*[ \*]([A-Za-z_][A-Za-z0-9_]*)\(/ && !/;[[:space:]]*$/ {
      s = $0; sub(/\(.*/, "", s); n = split(s, w, /[ \*]+/); fn = w[n] }
    END { print fn }' "$1"
}
# code sites (not comments) matching REGEX under src/, as "file:function:text"
sites() {
  grep -rnE "$1" "$SRC" --include='*.c' --include='*.h' | while IFS=: read -r file line code; do
    case "$(echo "$code" | sed 's/^[[:space:]]*//')" in '*'*|'/*'*|'//'*) continue ;; esac
    echo "${file#"$SRC"/}:$(enclosing "$file" "$line"):$(echo "$code" | sed 's/^[[:space:]]*//')"
  done
}

echo "-- static"
found=$(sites 'ops->remove|unlinkat|unlink\(')
echo "$found" | sed 's/^/    /'
got=$(echo "$found" | cut -d: -f1,2 | sort | tr '\n' ' ')
if [ "$got" = "backend/dir.c:dir_remove store/reclaim.c:remove_file " ]; then
  pass "the only shard-removing call sites: unlinkat in dir_remove (backend/dir.c), ops->remove in remove_file (store/reclaim.c)"
else fail "shard-removing call sites: $got"; fi

refs=$(sites '\bdir_remove\b' | cut -d: -f1,2,3- | grep -v ':dir_remove:' | grep -v 'static enum hf_err dir_remove')
if [ "$(echo "$refs" | grep -c .)" = 1 ] && echo "$refs" | grep -q '\.remove = dir_remove'; then
  pass "dir_remove is reached only through the ops table (.remove = dir_remove)"
else fail "dir_remove referenced from: $refs"; fi
refs=$(sites '(->|\.)remove\b' | grep -v '\.remove = dir_remove')
if [ "$(echo "$refs" | cut -d: -f1,2)" = "store/reclaim.c:remove_file" ]; then pass "no other code calls a backend's remove op"
else fail "backend remove op called from: $refs"; fi
refs=$(sites '\bremove_file\(' | cut -d: -f1 | sort -u)
[ "$refs" = "store/reclaim.c" ] && pass "remove_file is used only inside store/reclaim.c" || fail "remove_file used in: $refs"
gate=$(awk '/^static enum hf_err reclaim_version\(/ { on = 1 } on && /reclaim_allowed\(/ && !g { g = NR }
            on && /remove_file\(/ && !r { r = NR } on && /^}/ { exit } END { print (g && r && g < r) ? "ok" : "bad" }' "$SRC/store/reclaim.c")
[ "$gate" = ok ] && pass "reclaim_version asks the gate (reclaim_allowed) before remove_file" || fail "reclaim_version: no gate before remove_file"

# Everything else in src/ that could destroy file bytes, with the known exceptions.
found=$(sites '\b(remove|rename|renameat2?|truncate|ftruncate|rmdir|fallocate|unlink)[[:space:]]*\(|O_TRUNC|FALLOC_FL_PUNCH_HOLE' |
        grep -v -e '^store/reclaim.c:remove_file:' -e '^backend/dir.c:dir_remove:')
allowed="store/store.c:hf_store_init store/store.c:write_file "
got=$(echo "$found" | grep . | cut -d: -f1,2 | sort | tr '\n' ' ')
if [ "$got" = "$allowed" ]; then
  pass "no other destructive file call in src/ (only O_TRUNC in write_file and rename in hf_store_init, both on holdfast.conf)"
else fail "destructive file calls in src/: $(echo "$found" | tr '\n' '|')"; fi
if grep -q 'write_file(tmp, conf' "$SRC/store/store.c" && grep -q 'rename(tmp, p)' "$SRC/store/store.c" &&
   [ "$(grep -c 'write_file(' "$SRC/store/store.c")" = 3 ]; then
  pass "those two touch only the store's config and key files"
else fail "store.c write_file/rename now used for something else"; fi
bad=$(grep -nE 'O_CREAT' "$SRC"/backend/*.c | grep -v O_EXCL)
[ -z "$bad" ] && pass "every file a backend creates is O_CREAT|O_EXCL (a shard file is never rewritten)" || fail "backend O_CREAT without O_EXCL: $bad"

# ------------------------------------------------------------------ dynamic
echo "-- dynamic (strace -f -k)"
if ! command -v strace >/dev/null; then skip "dynamic check (strace not installed)"; exit 0; fi
new_store
STORE=$HOLDFAST_DATA
LOG=$WORK/strace
# LeakSanitizer cannot run under ptrace: in a sanitized build, leaks are
# checked by every other test; here only ASan/UBSan proper stay on.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
mkdir -p "$LOG"
if ! strace -f -k -e trace=unlinkat -o "$LOG/probe" "$HF" status >/dev/null 2>&1; then
  skip "dynamic check (strace cannot trace here)"; exit 0
fi
n=0
# traced LABEL CMD... : run CMD under strace, one log per step
traced() {
  local label=$1; shift
  n=$((n + 1))
  strace -f -k -qq -o "$LOG/$(printf %02d $n).$label" \
    -e trace=unlink,unlinkat,rename,renameat,renameat2,truncate,open,openat,creat "$@"
}
hf bucket create bkt >/dev/null
rnd "$WORK/f1" 3000; rnd "$WORK/f2" $((9 << 20)); rnd "$WORK/f3" $((5 << 20))
traced put "$HF" put bkt/a "$WORK/f1" >/dev/null
traced put "$HF" put bkt/b "$WORK/f2" >/dev/null
traced put "$HF" put bkt/a "$WORK/f3" >"$WORK/v1"; V1=$(cat "$WORK/v1")
traced put "$HF" put bkt/c "$WORK/f1" >/dev/null
traced get "$HF" get bkt/b >/dev/null
traced ls "$HF" ls bkt --versions >/dev/null
traced stat "$HF" stat bkt/b >/dev/null
traced status "$HF" status >/dev/null
traced rm "$HF" rm bkt/c >/dev/null
traced rm "$HF" rm bkt/a --version "$V1" >/dev/null
traced scrub "$HF" scrub >/dev/null
files_before_reclaim=$(shard_files "$STORE/backends" | wc -l)
traced reclaim "$HF" reclaim >/dev/null
[ "$(shard_files "$STORE/backends" | wc -l)" = $((files_before_reclaim - 6)) ] && pass "reclaim removed the deleted version's 6 files" \
  || fail "reclaim: $files_before_reclaim -> $(shard_files "$STORE/backends" | wc -l) shard files"
head -c 1000 "$WORK/f2" | traced putfail "$HF" put bkt/t - --size 5000 2>/dev/null
p=$(shard_paths bkt/b | sed -n 2p)
printf 'X' | dd of="$p" bs=1 seek=300 conv=notrunc status=none
traced scrub "$HF" scrub >/dev/null
traced repair "$HF" scrub --repair >/dev/null
[ ! -e "$p" ] && pass "scrub --repair replaced the corrupt shard file (through the reclaimer)" || fail "corrupt shard file $p still there"
orphan=$STORE/backends/d0/ab/abababababababababababababababab.0.0
mkdir -p "$(dirname "$orphan")"; echo junk >"$orphan"
traced orphans "$HF" reclaim --orphans >/dev/null
[ ! -e "$orphan" ] && pass "reclaim --orphans removed a planted orphan" || fail "planted orphan still there"
# a put killed with -9 leaves its files; the next open cleans them up
mkfifo "$WORK/fifo"
"$HF" put bkt/killed - <"$WORK/fifo" & pid=$!
exec 3>"$WORK/fifo"
head -c $((9 << 20)) /dev/urandom >&3
sleep 1
before=$(shard_files "$STORE/backends" | wc -l)
kill -9 $pid; wait $pid 2>/dev/null; exec 3>&-
traced open "$HF" ls bkt >/dev/null
after=$(shard_files "$STORE/backends" | wc -l)
[ "$before" -gt "$after" ] && pass "the killed put's files ($((before - after))) were removed at the next open" \
  || fail "killed put: $before shard files before the next open, $after after"
expect_exit 3 "the killed put left nothing visible" hf get bkt/killed
# decommissioning: drain a backend onto a new one, prove it, wipe it (issue 5)
hf backend add d6 "$WORK/d6" --domain d6 >/dev/null || fail "backend add d6"
traced drain "$HF" backend drain d5 >/dev/null
proof=$("$HF" backend check d5 | sed -n 's/^proof: *\([0-9a-f]\{64\}\).*/\1/p')
files_d5=$(shard_files "$STORE/backends/d5" | wc -l)
traced wipe "$HF" backend wipe d5 --proof "$proof" >/dev/null
if [ "$files_d5" -gt 0 ] && [ "$(shard_files "$STORE/backends/d5" | wc -l)" = 0 ]; then
  pass "backend wipe removed the $files_d5 shard files of drained d5 (through the reclaimer)"
else fail "wipe of d5: $files_d5 files before, $(shard_files "$STORE/backends/d5" | wc -l) after"; fi

"$PY" - "$LOG" "$SRC/store/reclaim.c" >"$WORK/verdict" <<'EOF'
import os, re, sys
logdir, reclaim_c = sys.argv[1], sys.argv[2]
# functions defined in reclaim.c: the reclaimer
src = open(reclaim_c).read()
reclaimer = set(re.findall(r'^[A-Za-z_][\w \*]*?\b(\w+)\(', src, re.M))
shard = re.compile(r'[0-9a-f]{32}\.\d+\.\d+"')
allowed_to_remove = {"reclaim", "putfail", "repair", "orphans", "open", "wipe"}
bad, removals, per = [], 0, {}
for name in sorted(os.listdir(logdir)):
    if name == "probe":
        continue
    label = name.split(".", 1)[1]
    lines = open(os.path.join(logdir, name)).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        frames = []
        j = i + 1
        while j < len(lines) and lines[j].startswith(" > "):
            frames.append(lines[j])
            j += 1
        i = j
        m = re.match(r'\d+\s+(\w+)\((.*)', line)
        if not m or not shard.search(line):
            continue
        call, args = m.group(1), m.group(2)
        if call in ("open", "openat", "creat"):
            if "O_TRUNC" in args:
                bad.append("%s: %s" % (name, line))
            continue
        if call.startswith("rename") or call == "truncate":
            bad.append("%s: %s" % (name, line))
            continue
        # unlink / unlinkat of a shard file
        if line.rstrip().endswith("ENOENT (No such file or directory)"):
            pass
        removals += 1
        per[label] = per.get(label, 0) + 1
        fn = [re.search(r'\((\w+)\+0x', f).group(1) if re.search(r'\((\w+)\+0x', f) else "?" for f in frames]
        k = fn.index("dir_remove") if "dir_remove" in fn else -1
        if k < 0 or k + 1 >= len(fn) or fn[k + 1] not in reclaimer:
            bad.append("%s: %s from %s" % (name, line, " < ".join(fn[:6])))
        if label not in allowed_to_remove:
            bad.append("%s: a %s command removed %s" % (name, label, line))
print("removals %d" % removals)
print("per " + " ".join("%s=%d" % kv for kv in sorted(per.items())))
for b in bad:
    print("BAD " + b)
EOF
cat "$WORK/verdict" | sed 's/^/    /' | head -30
nrem=$(sed -n 's/^removals //p' "$WORK/verdict")
if grep -q '^BAD' "$WORK/verdict"; then fail "a shard file was removed, renamed or truncated outside the reclaimer (see above)"
elif [ "${nrem:-0}" -lt 10 ]; then fail "only ${nrem:-0} shard removals traced: the workload or strace -k did not work"
else pass "all $nrem shard-file removals went dir_remove <- reclaimer (reclaim.c); none renamed, truncated or O_TRUNC"; fi
for label in reclaim putfail repair orphans open wipe; do
  grep -q "^per.* $label=[1-9]\|^per $label=[1-9]" "$WORK/verdict" && pass "$label removed shard files (through the reclaimer)" \
    || fail "$label removed no shard file: the trace missed it"
done
exit 0
