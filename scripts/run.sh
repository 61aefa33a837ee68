#!/bin/sh
# run.sh — `make run`: initialise the default store and a first user if
# missing, start the S3 server, and print how to use it.
#
# The first user's credentials are kept in DATA/admin-credentials (mode
# 0600) so that later runs can print them again; delete that file (and use
# `holdfast user add`) for anything beyond a trial.
set -e
BIN=$1
DATA=$2
LISTEN=${LISTEN:-127.0.0.1:9000}
if [ ! -f "$DATA/holdfast.conf" ]; then
  "$BIN" --data "$DATA" init
fi
if [ ! -f "$DATA/admin-credentials" ] && ! "$BIN" --data "$DATA" user ls | grep -q .; then
  umask 077
  "$BIN" --data "$DATA" user add admin --role admin > "$DATA/admin-credentials"
fi
AK=$(sed -n 's/^access key id: *//p' "$DATA/admin-credentials" 2>/dev/null || true)
SK=$(sed -n 's/^secret access key: *//p' "$DATA/admin-credentials" 2>/dev/null || true)
"$BIN" --data "$DATA" status
cat <<EOT

holdfast S3 endpoint: http://$LISTEN   (region us-east-1, path-style or BUCKET.localhost)
access key id:        ${AK:-(see holdfast user ls; secrets are shown only when created)}
secret access key:    ${SK:-}

Try, in another terminal:

  export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url http://$LISTEN s3 mb s3://photos
  aws --endpoint-url http://$LISTEN s3 cp ./cat.jpg s3://photos/cat.jpg
  aws --endpoint-url http://$LISTEN s3 ls s3://photos

The CLI works on the same store:  $BIN --data $DATA --help
Starting the server (Ctrl-C stops it) ...
EOT
exec "$BIN" --data "$DATA" serve --listen "$LISTEN"
