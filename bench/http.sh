#!/bin/bash
# http.sh — `make bench`, part 2: the S3 server over HTTP against this
# machine's own limits.
#
#   bench/http.sh        (HOLDFAST_BIN names the holdfast binary)
#
# The server is started by start_server of tests/e2e/s3lib.sh (a fresh store
# and user per phase, so each phase's peak RSS is its own), with the store on
# a real disk (build/ of this tree by default).  In one run:
#   (1) PUT and GET of a BENCH_HTTP_MB (1 GiB) random file over HTTP with
#       curl (SigV4 in the Authorization header, UNSIGNED-PAYLOAD), against
#       `holdfast put` / `holdfast get` of the same file on the same store,
#       alternately, BENCH_HTTP_REPS times; the best of each.  Puts read the
#       source from the page cache; gets run warm (store in the page cache:
#       the HTTP layer's own cost shows most) and cold (caches dropped
#       first, as bench/run.sh).  Goal: HTTP / direct >= 0.9.  For the
#       machine's own HTTP limit, nginx (below) serves the same source file
#       to the same curl, warm.
#   (2) 4 KiB requests per second, 16 connections (BENCH_CONNS), with wrk and
#       presigned URLs (bench/s3ctl.py signs, bench/wrk-s3.lua sends): PUT of
#       new keys (each acknowledged PUT is durable), then GET of 256 stored
#       keys; and nginx (started before (1) on a free loopback port, with
#       its own prefix and config, no systemd) serving a 1 KiB (the goal's
#       baseline) and a 4 KiB static file to the same wrk.  Goals: PUT >= 5,000/s;
#       GET >= 0.5 x nginx 1 KiB.
#   (3) peak RSS (VmHWM of /proc/PID/status) of a fresh server during a
#       BENCH_BIG_MB (10 GiB) multipart upload: the 1 GiB source sent as
#       parts by curl, one after the other on one connection (one S3 PUT
#       may not exceed 5 GiB, so 10 GiB is a multipart upload, as any client
#       sends it); compare with (1)'s peak for 1 GiB.
# A benchmark reports; it fails only when something does not work (a
# request refused, bytes that do not round-trip), never on speed.
#
# Environment:
#   BENCH_DIR          where the files go (default: build/ of this tree); a real disk
#   BENCH_HTTP_MB      object size for (1), and the part size for (3) (default 1024)
#   BENCH_HTTP_REPS    alternating repetitions in (1); the best of each (default 3)
#   BENCH_RPS_SECONDS  length of each wrk run (default 10)
#   BENCH_CONNS        concurrent connections for wrk (default 16)
#   BENCH_PUT_KEYS     distinct keys the PUT run cycles through (default 20000)
#   BENCH_BIG_MB       size of the upload in (3) (default 10240; 0 skips it),
#                      rounded down to whole parts of BENCH_HTTP_MB
#   BENCH_BIG_CONC     parts in flight at once in (3) (default 1: one stream)
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${HOLDFAST_BIN:?HOLDFAST_BIN must name the holdfast binary}
SIZE_MB=${BENCH_HTTP_MB:-1024}
REPS=${BENCH_HTTP_REPS:-3}
DUR=${BENCH_RPS_SECONDS:-10}
CONNS=${BENCH_CONNS:-16}
PUT_KEYS=${BENCH_PUT_KEYS:-20000}
BIG_MB=${BENCH_BIG_MB:-10240}
BIG_CONC=${BENCH_BIG_CONC:-1}
GET_KEYS=256
THREADS=$(nproc)
export HOLDFAST_NO_PROGRESS=1

BASE=${BENCH_DIR:-$ROOT/build}
mkdir -p "$BASE" || exit 1
BWORK=$(mktemp -d "$BASE/bench-http.XXXXXX") || exit 1

# A private copy of the binary: a rebuild in this tree during the run must
# not pull it from under the benchmark.
cp "$BIN" "$BWORK/holdfast" || { rm -rf "$BWORK"; exit 1; }
BIN=$BWORK/holdfast
# The server helpers of the end-to-end tests; their WORK (and so the store)
# is moved onto the disk, and their result file is ours.
export HOLDFAST_BIN=$BIN
RESULTS=$BWORK
. tests/e2e/lib.sh
. tests/e2e/s3lib.sh
rmdir "$WORK" 2>/dev/null
WORK=$BWORK
trap 'exit 130' INT TERM            # lib.sh's EXIT trap stops the servers and removes WORK

fail() { echo "bench: $*" >&2; exit 1; }
. bench/common.sh

for tool in curl wrk /usr/sbin/nginx "$PY3"; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh bench installs it)"
done
"$PY3" -c 'import boto3' 2>/dev/null || fail "$PY3 has no boto3 (package python3-boto3)"
fstype=$(fs_type "$WORK")
check_real_disk "$WORK"
BYTES=$((SIZE_MB << 20))
PART_MB=$((BIG_MB < SIZE_MB ? BIG_MB : SIZE_MB))
NPARTS=$((PART_MB > 0 ? BIG_MB / PART_MB : 0))
BIG_BYTES=$((NPARTS * PART_MB << 20))
# source + the larger of (1)'s store (2 objects per rep, 1.5x) and (3)'s, + slack
store1=$((REPS * 2 * SIZE_MB * 3 / 2)) store3=$((NPARTS * PART_MB * 3 / 2))
need_mb=$((SIZE_MB + (store1 > store3 ? store1 : store3) + 1024))
free=$(free_mb "$WORK")
[ "$free" -ge "$need_mb" ] || fail "$WORK has $free MiB free, needs $need_mb"
dev=$(df -P "$WORK" | awk 'NR == 2 { print $1 }')

drop_caches
[ $DROP = no ] && echo "bench: WARNING: cannot drop the page cache (not root?): cold gets skipped" >&2
echo "bench: HTTP, $SIZE_MB MiB objects in $WORK ($fstype on $dev, $free MiB free)"
echo "bench: load before start: $(cut -d' ' -f1-3 /proc/loadavg) on $THREADS cores"
t_start=$(now)

CURL_S3=(-sS -f --aws-sigv4 "aws:amz:us-east-1:s3" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
s3curl() { curl "${CURL_S3[@]}" --user "$AK:$SK" "$@"; }
s3ctl() { "$PY3" bench/s3ctl.py "$@"; }
hwm_mb() { awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
rss_mb() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
# fresh store and server (the previous one stopped, its store removed)
MY_STORE=
fresh_server() {
  stop_server
  [ -n "$MY_STORE" ] && rm -rf "$MY_STORE"
  start_server
  MY_STORE=$HOLDFAST_DATA           # new_store made it under WORK
  s3curl -X PUT "$EP/bench" -o /dev/null || fail "CreateBucket failed: $(tail -n 3 "$WORK/server.log")"
}
# timed CMD...: runs CMD, sets T to its wall seconds; fails the bench when CMD fails
timed() {
  local t0 t1
  t0=$(now)
  "$@" || fail "failed: $*"
  t1=$(now)
  T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
}
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / 1e6 / t }'; }

# start_nginx: nginx with its own prefix and config, no systemd, on a free
# loopback port, serving 1k, 4k and src (the 1 GiB source) from $NG/www.
NGINX_PID=
stop_nginx() {
  [ -n "$NGINX_PID" ] || return 0
  kill -TERM "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null
  NGINX_PID=
}
start_nginx() {
  NG=$WORK/nginx NGPORT=$(free_port) NGURL=
  mkdir -p "$NG/www" "$NG/tmp"
  head -c 1024 /dev/urandom > "$NG/www/1k"
  head -c 4096 /dev/urandom > "$NG/www/4k"
  ln "$WORK/src" "$NG/www/src" || fail "cannot link the source for nginx"
  chmod -R a+rX "$NG"
  cat > "$NG/nginx.conf" <<EOF
# written by bench/http.sh; Debian's nginx defaults, logging on (holdfast logs every request too)
worker_processes auto;
daemon off;
pid $NG/nginx.pid;
error_log $NG/error.log;
$([ "$(id -u)" = 0 ] && echo "user root root;   # the files are in a private directory")
events { worker_connections 1024; }
http {
  access_log $NG/access.log;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $NG/tmp/body;
  proxy_temp_path $NG/tmp/proxy;
  fastcgi_temp_path $NG/tmp/fastcgi;
  uwsgi_temp_path $NG/tmp/uwsgi;
  scgi_temp_path $NG/tmp/scgi;
  server { listen 127.0.0.1:$NGPORT; root $NG/www; }
}
EOF
  /usr/sbin/nginx -p "$NG" -c "$NG/nginx.conf" -e "$NG/error.log" &
  NGINX_PID=$!
  on_exit stop_nginx
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NGPORT/1k" -o /dev/null && break; sleep 0.1; done
  cmp -s <(curl -sf "http://127.0.0.1:$NGPORT/1k") "$NG/www/1k" ||
    fail "nginx did not serve: $(cat "$NG/error.log")"
  NGURL=http://127.0.0.1:$NGPORT
}

# ---- (1) 1 GiB over HTTP against the CLI, same store ----------------------
fresh_server
rss_idle=$(rss_mb)
dd if=/dev/urandom of="$WORK/src" bs=1M count="$SIZE_MB" iflag=fullblock status=none ||
  fail "cannot make the source file"
cat "$WORK/src" > /dev/null                     # in the page cache for every put
start_nginx
d_put=0 h_put=0
for rep in $(seq "$REPS"); do
  timed "$BIN" put "bench/direct-$rep" "$WORK/src" > /dev/null
  r=$(mbs $BYTES "$T"); d_put=$(best "$d_put" "$r")
  echo "bench: holdfast put                $r MB/s"
  timed s3curl -T "$WORK/src" "$EP/bench/http-$rep" -o /dev/null
  r=$(mbs $BYTES "$T"); h_put=$(best "$h_put" "$r")
  echo "bench: HTTP PUT (curl)             $r MB/s"
done
OBJ=bench/http-1
"$BIN" get "$OBJ" - > /dev/null || fail "holdfast get $OBJ failed"   # warm
d_get=0 h_get=0 n_get=0
for rep in $(seq "$REPS"); do
  timed "$BIN" get "$OBJ" - > /dev/null
  r=$(mbs $BYTES "$T"); d_get=$(best "$d_get" "$r")
  echo "bench: holdfast get (warm)         $r MB/s"
  timed s3curl "$EP/$OBJ" -o /dev/null
  r=$(mbs $BYTES "$T"); h_get=$(best "$h_get" "$r")
  echo "bench: HTTP GET (curl, warm)       $r MB/s"
  timed curl -sS -f "$NGURL/src" -o /dev/null
  r=$(mbs $BYTES "$T"); n_get=$(best "$n_get" "$r")
  echo "bench: nginx GET of the source     $r MB/s"
done
d_getc=0 h_getc=0
if [ $DROP = yes ]; then
  for rep in $(seq "$REPS"); do
    drop_caches
    timed "$BIN" get "$OBJ" - > /dev/null
    r=$(mbs $BYTES "$T"); d_getc=$(best "$d_getc" "$r")
    echo "bench: holdfast get (cold)         $r MB/s"
    drop_caches
    timed s3curl "$EP/$OBJ" -o /dev/null
    r=$(mbs $BYTES "$T"); h_getc=$(best "$h_getc" "$r")
    echo "bench: HTTP GET (curl, cold)       $r MB/s"
  done
fi
roundtrip=identical
s3curl "$EP/$OBJ" | cmp -s - "$WORK/src" || roundtrip=DIFFERENT
"$BIN" get bench/direct-1 - | cmp -s - "$WORK/src" || roundtrip=DIFFERENT
hwm1=$(hwm_mb)

# ---- (2) 4 KiB requests per second, CONNS connections ----------------------
fresh_server
head -c 4096 /dev/urandom > "$WORK/4k"
s3curl -T "$WORK/4k" "$EP/bench/g/[0-$((GET_KEYS - 1))]" > /dev/null ||
  fail "cannot store the $GET_KEYS keys to GET"
s3ctl presign-lua GET bench g/ $GET_KEYS > "$WORK/get.lua" || fail "presign failed"
s3ctl presign-lua PUT bench p/ "$PUT_KEYS" > "$WORK/put.lua" || fail "presign failed"
# wrk_run NAME URL [script env...]: runs wrk, sets RPS, P50, P99, BAD (non-2xx + socket errors)
wrk_run() {
  local name=$1 url=$2 out="$WORK/$1.wrk"
  shift 2
  if [ $# -gt 0 ]; then
    env "$@" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --timeout 60s --latency \
      -s bench/wrk-s3.lua "$url" -- "$THREADS" > "$out" 2>&1
  else
    wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --timeout 60s --latency "$url" > "$out" 2>&1
  fi || fail "wrk $name failed: $(tail -n 3 "$out")"
  RPS=$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' "$out")
  P50=$(awk '$1 == "50%" { print $2 }' "$out")
  P99=$(awk '$1 == "99%" { print $2 }' "$out")
  BAD=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
             END { print n + 0 }' "$out")
  echo "bench: $name: ${RPS:-?} req/s, p50 ${P50:-?}, p99 ${P99:-?}, errors $BAD"
  if [ "$BAD" != 0 ]; then
    echo "bench: WARNING: $name had $BAD failed requests:" >&2
    grep -E 'Non-2xx|Socket errors' "$out" >&2
    echo "bench: statuses other than 2xx in the server's log (count, method, status):" >&2
    awk '$5 ~ /^[0-9]+$/ && $5 !~ /^2/ { print $2, $5 }' "$WORK/server.log" | sort | uniq -c >&2
  fi
}
wrk_run put "$EP/" WRK_PATHS="$WORK/put.lua" WRK_METHOD=PUT WRK_BODY_BYTES=4096
put_rps=$RPS put_p50=$P50 put_p99=$P99 put_bad=$BAD
stored=$("$BIN" ls bench/p/ | wc -l)
wrk_run get "$EP/" WRK_PATHS="$WORK/get.lua" WRK_METHOD=GET
get_rps=$RPS get_p50=$P50 get_p99=$P99 get_bad=$BAD
hwm2=$(hwm_mb)

wrk_run nginx-1k "$NGURL/1k"
ng1_rps=$RPS ng1_p50=$P50 ng1_p99=$P99
wrk_run nginx-4k "$NGURL/4k"
ng4_rps=$RPS ng4_p50=$P50 ng4_p99=$P99
stop_nginx
rm -rf "$NG"

# ---- (3) peak RSS of the server during a BIG_MB upload ----------------------
big_rate=- hwm3=- big_ok=skipped rss_tenths=
if [ "$NPARTS" -gt 0 ]; then
  fresh_server
  part=$WORK/src
  [ "$PART_MB" -lt "$SIZE_MB" ] && { head -c $((PART_MB << 20)) "$WORK/src" > "$WORK/part"; part=$WORK/part; }
  upload=$(s3ctl mpu-create bench big) || fail "CreateMultipartUpload failed"
  args=()
  while read -r url; do args+=(-T "$part" "$url"); done < <(s3ctl presign-parts bench big "$upload" "$NPARTS")
  [ ${#args[@]} = $((NPARTS * 3)) ] || fail "presign-parts failed"
  echo "bench: uploading $((BIG_BYTES >> 20)) MiB as $NPARTS parts of $PART_MB MiB, $BIG_CONC at a time ..."
  # VmRSS every half second, to see whether it grows with the bytes sent
  ( while :; do
      awk '$1 == "VmRSS:" { printf "%.0f\n", $2 / 1024 }' "/proc/$SERVER_PID/status" || exit 0
      sleep 0.5
    done ) > "$WORK/rss.samples" 2>/dev/null &
  SAMPLER=$!
  on_exit 'kill $SAMPLER 2>/dev/null'
  timed curl -sS -f --no-progress-meter --parallel --parallel-max "$BIG_CONC" "${args[@]}" > /dev/null
  kill $SAMPLER 2>/dev/null; wait $SAMPLER 2>/dev/null
  big_rate=$(mbs $BIG_BYTES "$T")
  # the largest VmRSS sample in each tenth of the upload's time
  rss_tenths=$(awk '{ v[NR] = $1 } END {
      for (i = 0; i < 10; i++) { m = 0
        for (j = int(i * NR / 10) + 1; j <= int((i + 1) * NR / 10); j++) if (v[j] > m) m = v[j]
        printf "%s%s", (i ? " " : ""), m }
    }' "$WORK/rss.samples")
  hwm3=$(hwm_mb)
  size=$(s3ctl mpu-complete bench big "$upload") || fail "CompleteMultipartUpload failed"
  if [ "$size" = "$BIG_BYTES" ]; then big_ok="$size bytes stored"; else big_ok="WRONG SIZE $size"; fi
  echo "bench: multipart upload $big_rate MB/s, server peak RSS $hwm3 MiB ($big_ok)"
  stop_server
  rm -rf "$MY_STORE"
fi
t_end=$(now)

# ---- the table ---------------------------------------------------------------
echo
echo "holdfast HTTP bench — $(date -u +%Y-%m-%dT%H:%MZ), $THREADS cores, $fstype on $dev, curl $(curl --version | awk 'NR == 1 { print $2 }'), wrk -t$THREADS -c$CONNS -d${DUR}s"
row() { printf '%-40s %14s  %-24s %7s  %s\n' "$@"; }
row figure value goal ratio verdict
row ---------------------------------------- -------------- ------------------------ ------- -------
row "holdfast put, $SIZE_MB MiB, best of $REPS" "$d_put MB/s" "(direct, same store)" "" ""
row "HTTP PUT, curl SigV4" "$h_put MB/s" ">= 0.90 x holdfast put" "$(ratio "$h_put" "$d_put")" "$(verdict "$(ratio "$h_put" "$d_put")" 0.9)"
row "holdfast get, warm" "$d_get MB/s" "(direct, same store)" "" ""
row "HTTP GET, curl, warm" "$h_get MB/s" ">= 0.90 x holdfast get" "$(ratio "$h_get" "$d_get")" "$(verdict "$(ratio "$h_get" "$d_get")" 0.9)"
row "  nginx GET of the file, curl, warm" "$n_get MB/s" "(loopback HTTP limit)" "$(ratio "$h_get" "$n_get")" "x nginx"
if [ $DROP = yes ]; then
  row "holdfast get, cold" "$d_getc MB/s" "(direct, same store)" "" ""
  row "HTTP GET, curl, cold" "$h_getc MB/s" ">= 0.90 x holdfast get" "$(ratio "$h_getc" "$d_getc")" "$(verdict "$(ratio "$h_getc" "$d_getc")" 0.9)"
fi
row "PUT 4 KiB, durable, $CONNS conns" "$put_rps req/s" ">= 5000 req/s" "$(ratio "$put_rps" 5000)" "$(verdict "$put_rps" 5000)"
row "nginx GET 1 KiB static, $CONNS conns" "$ng1_rps req/s" "(the baseline)" "" ""
row "GET 4 KiB, $CONNS conns" "$get_rps req/s" ">= 0.50 x nginx 1 KiB" "$(ratio "$get_rps" "$ng1_rps")" "$(verdict "$(ratio "$get_rps" "$ng1_rps")" 0.5)"
row "nginx GET 4 KiB static (same size)" "$ng4_rps req/s" "(no goal)" "$(ratio "$get_rps" "$ng4_rps")" "x nginx"
row "server peak RSS, (1) $SIZE_MB MiB put/get" "$hwm1 MiB" "(no goal)" "" ""
row "server peak RSS, (2) $CONNS conns" "$hwm2 MiB" "(no goal)" "" ""
row "server peak RSS, (3) $((BIG_BYTES >> 20)) MiB upload" "$hwm3 MiB" "(no goal)" "" ""
row "  (3) upload rate, $BIG_CONC part(s) at once" "$big_rate MB/s" "(no goal)" "" ""
echo
echo "latency p50/p99: PUT $put_p50/$put_p99, GET $get_p50/$get_p99, nginx 1 KiB $ng1_p50/$ng1_p99, 4 KiB $ng4_p50/$ng4_p99"
echo "failed requests: PUT $put_bad, GET $get_bad; 4 KiB keys stored by the PUT run: $stored"
echo "server RSS when idle: $rss_idle MiB; (3) upload: $big_ok"
echo "(3) server VmRSS, largest sample in each tenth of the upload (MiB): ${rss_tenths:--}"
echo "round trip (HTTP GET | cmp source, holdfast get | cmp source): $roundtrip"
echo "page cache dropped before each cold get: $DROP"
echo "wrk, curl, nginx and the server share the machine's $THREADS cores"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg) on $THREADS cores (other work on the machine makes every figure noisy)"
echo "bench time: $(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.0f", b - a }') s"
grep -h '^FAIL' "$_RES" 2>/dev/null
[ "$roundtrip" = identical ] && [ "$put_bad$get_bad" = 00 ] && ! grep -q '^FAIL' "$_RES" &&
  case "$big_ok" in WRONG*) false ;; *) true ;; esac
