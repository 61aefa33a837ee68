#!/bin/sh
# deps.sh — install the Debian packages holdfast needs, if any are missing.
# Run by the Makefile before every build; does nothing when all are present.
# Usage: scripts/deps.sh [build|test|bench]
set -e
BUILD="gcc make pkg-config libssl-dev libsqlite3-dev libisal-dev libxxhash-dev libxml2-dev libjansson-dev zlib1g-dev libmicrohttpd-dev libcurl4-openssl-dev"
TEST="libcmocka-dev clang libclang-rt-14-dev python3 python3-cryptography xxd coreutils util-linux curl awscli python3-boto3 python3-pytest s3cmd rclone restic nodejs npm python3-aiosmtpd python3-crcmod"
BENCH="time wrk nginx"

want="$BUILD"
case "$1" in
  test) want="$BUILD $TEST" ;;
  bench) want="$BUILD $TEST $BENCH" ;;
esac

missing=""
for p in $want; do
  # NodeSource's nodejs package carries npm itself (and conflicts with Debian's npm)
  [ "$p" = npm ] && command -v npm >/dev/null 2>&1 && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n1)" ]; then
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
