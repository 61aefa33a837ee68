#!/bin/sh
# run.sh — `make run`: initialise the default store if missing and show how to use it.
# (The S3 server does not exist yet; when it does, this starts it.)
set -e
BIN=$1
DATA=$2
if [ ! -f "$DATA/holdfast.conf" ]; then
  "$BIN" --data "$DATA" init
fi
"$BIN" --data "$DATA" status
cat <<EOT

holdfast store ready in $DATA.  Try:

  export HOLDFAST_DATA=$DATA
  alias holdfast=$BIN
  holdfast bucket create photos
  holdfast put photos/cat.jpg ./cat.jpg        # prints the version id
  holdfast ls photos
  holdfast get photos/cat.jpg out.jpg
  holdfast stat photos/cat.jpg                 # where each shard lives
  holdfast scrub --repair                      # verify every shard, rebuild damage
  holdfast --help
EOT
