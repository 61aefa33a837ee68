#!/bin/bash
# run.sh — `make bench`: holdfast against this machine's own limits.
#
#   bench/run.sh PIPELINE_BIN        (HOLDFAST_BIN names the holdfast binary)
#
# On one disk, in one run:
#   (a) dd write: a random source file (made first from /dev/urandom) copied
#       with `dd bs=1M conv=fsync`, caches dropped first: the disk's write rate.
#   (b) `holdfast put` of the same file into a fresh store, caches dropped
#       first.  It writes (k+m)/k = 1.5x the bytes, so its bound is
#       dd_write * k/(k+m); goal put >= 0.8 x that.
#   (c) cold `dd if=F of=/dev/null bs=1M`, then cold `holdfast get` to
#       /dev/null, alternately, twice; goal best get >= 0.8 x best dd read.
#   (d) peak RSS of the put (and the get) by /usr/bin/time -v; goal put <= 64 MiB.
#   (e) the in-memory pipelines, one thread (bench/pipeline.c).
# then checks the round trip is byte-identical and prints one table.
#
# Environment:
#   BENCH_DIR      where the files go (default: build/ of this tree); must be on
#                  a real disk, not tmpfs
#   BENCH_SIZE_MB  file size (default 2048)
#   BENCH_PIPE_MB  plaintext per pipeline run (default 2048)
#   BENCH_READ_REPS cold dd read / holdfast get pairs; the best of each (default 2)
#   BENCH_VERIFY=0 skip the round-trip cmp
set -u
cd "$(dirname "$0")/.."
PIPELINE=${1:?usage: bench/run.sh PIPELINE_BIN}
BIN=${HOLDFAST_BIN:?HOLDFAST_BIN must name the holdfast binary}
SIZE_MB=${BENCH_SIZE_MB:-2048}
PIPE_MB=${BENCH_PIPE_MB:-2048}
READ_REPS=${BENCH_READ_REPS:-2}
K=4 M=2
export HOLDFAST_NO_PROGRESS=1

BASE=${BENCH_DIR:-$(pwd)/build}
mkdir -p "$BASE" || exit 1
WORK=$(mktemp -d "$BASE/bench-io.XXXXXX") || exit 1
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

fail() { echo "bench: $*" >&2; exit 1; }
. bench/common.sh

fstype=$(fs_type "$WORK")
check_real_disk "$WORK"
need_mb=$((SIZE_MB * 5 + 512))   # source + dd copy + 1.5x store + slack
free_mb=$(free_mb "$WORK")
[ "$free_mb" -ge "$need_mb" ] || fail "$WORK has $free_mb MiB free, needs $need_mb"
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (package time)"
dev=$(df -P "$WORK" | awk 'NR == 2 { print $1 }')
BYTES=$((SIZE_MB * 1024 * 1024))

drop_caches
if [ $DROP = no ]; then
  echo "bench: WARNING: cannot drop the page cache (not root?): reads may be warm" >&2
fi

echo "bench: $SIZE_MB MiB files in $WORK ($fstype on $dev, $free_mb MiB free)"
echo "bench: load before start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
t_start=$(now)

# The random source, made first (not timed).
dd if=/dev/urandom of="$WORK/src" bs=1M count="$SIZE_MB" iflag=fullblock status=none ||
  fail "cannot make the source file"
sync

# (a) dd write, source read cold.
drop_caches
t0=$(now)
dd if="$WORK/src" of="$WORK/dd.out" bs=1M conv=fsync status=none || fail "dd write failed"
t1=$(now)
dd_write=$(rate $BYTES "$t0" "$t1")
echo "bench: dd write            $dd_write MB/s"

# (b) holdfast put into a fresh store, source read cold.
STORE="$WORK/store"
"$BIN" --data "$STORE" init > /dev/null || fail "holdfast init failed"
"$BIN" --data "$STORE" bucket create bench > /dev/null || fail "holdfast bucket create failed"
drop_caches
t0=$(now)
/usr/bin/time -v -o "$WORK/put.time" "$BIN" --data "$STORE" put bench/obj "$WORK/src" \
  > "$WORK/put.out" || fail "holdfast put failed"
t1=$(now)
put=$(rate $BYTES "$t0" "$t1")
echo "bench: holdfast put        $put MB/s"

# (c) cold reads, alternating dd and get READ_REPS times; the best of each.
dd_read=0 get=0
for rep in $(seq "$READ_REPS"); do
  drop_caches
  t0=$(now)
  dd if="$WORK/dd.out" of=/dev/null bs=1M status=none || fail "dd read failed"
  t1=$(now)
  r=$(rate $BYTES "$t0" "$t1")
  dd_read=$(best "$dd_read" "$r")
  echo "bench: dd read (cold)      $r MB/s"
  drop_caches
  t0=$(now)
  /usr/bin/time -v -o "$WORK/get.time.$rep" "$BIN" --data "$STORE" get bench/obj - > /dev/null ||
    fail "holdfast get failed"
  t1=$(now)
  r=$(rate $BYTES "$t0" "$t1")
  if awk -v a="$r" -v b="$get" 'BEGIN { exit !(a > b) }'; then
    get=$r
    cp "$WORK/get.time.$rep" "$WORK/get.time"
  fi
  echo "bench: holdfast get (cold) $r MB/s"
done
rm -f "$WORK/dd.out"

# (d) memory and CPU use, from time -v.
tv() { awk -F': ' -v k="$2" '$1 ~ k { print $2 }' "$1"; }
put_rss=$(awk -v kb="$(tv "$WORK/put.time" 'Maximum resident')" 'BEGIN { printf "%.1f", kb / 1024 }')
get_rss=$(awk -v kb="$(tv "$WORK/get.time" 'Maximum resident')" 'BEGIN { printf "%.1f", kb / 1024 }')
put_cpu="$(tv "$WORK/put.time" 'Percent of CPU') CPU (user $(tv "$WORK/put.time" 'User time')s sys $(tv "$WORK/put.time" 'System time')s)"
get_cpu="$(tv "$WORK/get.time" 'Percent of CPU') CPU (user $(tv "$WORK/get.time" 'User time')s sys $(tv "$WORK/get.time" 'System time')s)"

# Round trip.
roundtrip=skipped
if [ "${BENCH_VERIFY:-1}" != 0 ]; then
  if "$BIN" --data "$STORE" get bench/obj - | cmp -s - "$WORK/src"; then
    roundtrip=identical
  else
    roundtrip=DIFFERENT
  fi
fi
rm -rf "$WORK/src" "$STORE"

# (e) pipelines.
echo "bench: pipelines, $PIPE_MB MiB per run ..."
"$PIPELINE" "$PIPE_MB" > "$WORK/pipeline.out" 2>&1
pipe_rc=$?
sed 's/^/  | /' "$WORK/pipeline.out"
pv() { awk -v a="$1" -v b="$2" '$1 == a && $2 == b { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit } }' "$WORK/pipeline.out"; }
p_put=$(pv put pipeline) p_get=$(pv get pipeline)
p_get1=$(awk '$1 == "get" && $2 == "1" && $5 == "MB/s" { print $4 }' "$WORK/pipeline.out")
p_get2=$(awk '$1 == "get" && $2 == "2" && $5 == "MB/s" { print $4 }' "$WORK/pipeline.out")
r_gcm=$(pv AES-256-GCM seal) r_gcmo=$(pv AES-256-GCM open) r_rs=$(pv rs_encode 4+2)
r_xxh=$(awk '$1 == "XXH3-128" { print $2 }' "$WORK/pipeline.out")
r_cpy=$(awk '$1 == "memcpy" { print $2 }' "$WORK/pipeline.out")
t_end=$(now)

bound=$(awk -v w="$dd_write" -v k=$K -v m=$M 'BEGIN { printf "%.0f", w * k / (k + m) }')
put_ratio=$(ratio "$put" "$bound")
get_ratio=$(ratio "$get" "$dd_read")

echo
echo "holdfast bench — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $fstype on $dev, ${SIZE_MB} MiB, k+m=$K+$M"
printf '%-34s %14s  %-24s %7s  %s\n' figure value goal ratio verdict
printf '%-34s %14s  %-24s %7s  %s\n' ---------------------------------- -------------- \
  ------------------------ ------- -------
row() { printf '%-34s %14s  %-24s %7s  %s\n' "$@"; }
row "dd write, bs=1M conv=fsync" "$dd_write MB/s" "(the disk)" "" ""
row "disk bound for put = dd x $K/$((K + M))" "$bound MB/s" "" "" ""
row "holdfast put" "$put MB/s" ">= 0.80 x disk bound" "$put_ratio" "$(verdict "$put_ratio" 0.8)"
row "dd read, cold, bs=1M, best of $READ_REPS" "$dd_read MB/s" "(the disk)" "" ""
row "holdfast get, cold, best of $READ_REPS" "$get MB/s" ">= 0.80 x dd read" "$get_ratio" "$(verdict "$get_ratio" 0.8)"
row "holdfast put peak RSS" "$put_rss MiB" "<= 64 MiB" "$(ratio "$put_rss" 64)" "$(verdict "$put_rss" 64 le)"
row "holdfast get peak RSS" "$get_rss MiB" "(no goal)" "" ""
row "pipeline put, 1 core" "${p_put:-?} MB/s" ">= 1600 MB/s" "$(ratio "${p_put:-0}" 1600)" "$(verdict "${p_put:-0}" 1600)"
row "pipeline get, 1 core" "${p_get:-?} MB/s" ">= 2000 MB/s" "$(ratio "${p_get:-0}" 2000)" "$(verdict "${p_get:-0}" 2000)"
row "pipeline get, 1 data shard lost" "${p_get1:-?} MB/s" "(no goal)" "$(ratio "${p_get1:-0}" "${p_get:-0}")" "x get"
row "pipeline get, 2 data shards lost" "${p_get2:-?} MB/s" "(no goal)" "$(ratio "${p_get2:-0}" "${p_get:-0}")" "x get"
row "  limit: AES-256-GCM seal/open" "${r_gcm:-?}/${r_gcmo:-?}" "(1 core, hot)" "" ""
row "  limit: rs_encode 4+2 (data in)" "${r_rs:-?} MB/s" "(1 core, hot)" "" ""
row "  limit: XXH3-128" "${r_xxh:-?} MB/s" "(1 core, hot)" "" ""
row "  limit: memcpy" "${r_cpy:-?} MB/s" "(1 core, hot)" "" ""
echo
echo "put: $put_cpu;  get: $get_cpu"
echo "round trip (get | cmp source): $roundtrip"
echo "page cache dropped before each timed read: $DROP"
if awk -v r="$put_ratio" 'BEGIN { exit !(r > 1) }'; then
  echo "note: put beats the dd bound: dd's copy stays in the page cache (below the dirty"
  echo "      thresholds) and is written only by its final fsync, after the read; put starts"
  echo "      writeback every 16 MiB while it reads, so dd x k/(k+m) is not a hard bound here"
fi
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine makes every figure noisy)"
echo "bench time: $(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.0f", b - a }') s"
[ "$roundtrip" != DIFFERENT ] && [ $pipe_rc -eq 0 ] || exit 1
exit 0
