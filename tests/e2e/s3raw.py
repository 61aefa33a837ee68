#!/usr/bin/python3
"""s3raw.py METHOD URL ACCESS_KEY SECRET [BODY_FILE] — one SigV4-signed request
(botocore's signer, body sent as given: no client-side validation), for tests
of bad request bodies.  Prints the HTTP status; the answer's body to stderr."""
import sys
import urllib.error
import urllib.request

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

method, url, ak, sk = sys.argv[1:5]
body = open(sys.argv[5], "rb").read() if len(sys.argv) > 5 else b""
req = AWSRequest(method=method, url=url, data=body)
S3SigV4Auth(Credentials(ak, sk), "s3", "us-east-1").add_auth(req)
r = urllib.request.Request(url, data=body if method in ("PUT", "POST") else None,
                           method=method, headers=dict(req.headers.items()))
try:
    with urllib.request.urlopen(r, timeout=30) as resp:
        status, data = resp.status, resp.read()
except urllib.error.HTTPError as e:
    status, data = e.code, e.read()
print(status)
sys.stderr.buffer.write(data)
