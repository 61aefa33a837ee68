# common.sh — helpers shared by bench/run.sh and bench/http.sh (sourced).
#
#   now                        seconds since the epoch, with nanoseconds
#   rate BYTES T0 T1           MB/s (10^6 bytes per second), rounded
#   ratio A B                  A/B to two decimals, "-" when B is 0
#   verdict VALUE GOAL [le]    PASS / BELOW (ABOVE for an upper bound)
#   best A B                   the larger
#   drop_caches                sync, then drop the page cache; sets DROP=no
#                              when that is not allowed (not root)
#   check_real_disk DIR        fail when DIR is on tmpfs/ramfs
#   free_mb DIR                MiB free on DIR's file system
# The caller defines fail MSG (print and exit).
now() { date +%s.%N; }
rate() { awk -v b="$1" -v a="$2" -v c="$3" 'BEGIN { printf "%.0f", b / 1e6 / (c - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() {
  awk -v v="$1" -v g="$2" -v le="${3:-}" 'BEGIN {
    if (le != "") print (v <= g ? "PASS" : "ABOVE"); else print (v >= g ? "PASS" : "BELOW") }'
}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

DROP=yes
drop_caches() {
  sync
  if ! { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
    DROP=no
  fi
}

fs_type() { findmnt -n -o FSTYPE -T "$1" 2>/dev/null || stat -f -c %T "$1"; }
check_real_disk() {
  case "$(fs_type "$1")" in
    tmpfs|ramfs) fail "$1 is on $(fs_type "$1"); set BENCH_DIR to a directory on a disk" ;;
  esac
}
free_mb() { df -Pm "$1" | awk 'NR == 2 { print $4 }'; }
