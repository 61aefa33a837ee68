#!/usr/bin/env python3
"""
gen_botocore.py — regenerate tests/vectors/sigv4/botocore/ with botocore.

Each case is what botocore's own S3 client puts on the wire, captured just
before it would be sent (no network is used), plus the canonical request
botocore signed.  test_sigv4 verifies each request with holdfast's SigV4
code and checks that holdfast rebuilds botocore's canonical request byte
for byte; for aws-chunked bodies it decodes them and checks the payload.

    python3 tests/vectors/sigv4/gen_botocore.py     # botocore >= 1.36

The clock is frozen at NOW below; credentials are AWS's documentation
example keys.  Files per case:
    signed-request.txt     request line, headers ("Name: value"), blank line, body
    canonical-request.txt  botocore's canonical request
    string-to-sign.txt     built from it
    signature.txt          the signature botocore sent
    payload-sha256.txt     SHA-256 of the decoded payload (bodies only)
"""
import base64
import datetime
import hashlib
import io
import os
import shutil
import sys
from urllib.parse import urlsplit

import botocore
import botocore.auth
import botocore.session
from botocore.config import Config

NOW = datetime.datetime(2024, 5, 24, 12, 34, 56)
AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore")

botocore.auth.get_current_datetime = lambda remove_tzinfo=True: NOW

last = {}
_orig_cr = botocore.auth.SigV4Auth.canonical_request
_orig_sts = botocore.auth.SigV4Auth.string_to_sign


def _cr(self, request):
    last["canonical"] = _orig_cr(self, request)
    return last["canonical"]


def _sts(self, request, canonical):
    last["sts"] = _orig_sts(self, request, canonical)
    return last["sts"]


botocore.auth.SigV4Auth.canonical_request = _cr
botocore.auth.SigV4Auth.string_to_sign = _sts


class Captured(Exception):
    pass


def body_bytes(body):
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    data = body.read()
    return data if isinstance(data, bytes) else data.encode()


def client(endpoint, token=None, **cfg):
    s = botocore.session.get_session()
    c = s.create_client(
        "s3", region_name="us-east-1", endpoint_url=endpoint,
        aws_access_key_id=AKID, aws_secret_access_key=SECRET,
        aws_session_token=token,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}, **cfg))

    def before_send(request, **kw):
        last["request"] = request
        raise Captured()

    c.meta.events.register("before-send.s3", before_send)
    return c


def write_case(name, method, url, headers, body, payload=None):
    d = os.path.join(OUT, name)
    os.makedirs(d)
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1"]
    names = {k.lower() for k in headers}
    if "host" not in names:
        lines.append(f"Host: {parts.netloc}")
    for k, v in headers.items():
        v = v.decode() if isinstance(v, bytes) else v
        lines.append(f"{k}: {v}")
    with open(os.path.join(d, "signed-request.txt"), "wb") as f:
        f.write(("\n".join(lines) + "\n\n").encode())
        f.write(body)
    with open(os.path.join(d, "canonical-request.txt"), "wb") as f:
        f.write(last["canonical"].encode())
    with open(os.path.join(d, "string-to-sign.txt"), "wb") as f:
        f.write(last["sts"].encode())
    if "X-Amz-Signature=" in url:
        sig = url.split("X-Amz-Signature=")[1].split("&")[0]
    else:
        auth = headers["Authorization"]
        auth = auth.decode() if isinstance(auth, bytes) else auth
        sig = auth.split("Signature=")[1]
    with open(os.path.join(d, "signature.txt"), "w") as f:
        f.write(sig)
    if payload is not None:
        with open(os.path.join(d, "payload-sha256.txt"), "w") as f:
            f.write(hashlib.sha256(payload).hexdigest())


def capture(name, c, op, payload=None, **params):
    last.clear()
    try:
        getattr(c, op)(**params)
    except Captured:
        pass
    r = last["request"]
    write_case(name, r.method, r.url, dict(r.headers.items()), body_bytes(r.body), payload)


def presign(name, c, op, method, params, expires=3600, headers=None):
    last.clear()
    url = c.generate_presigned_url(op, Params=params, ExpiresIn=expires, HttpMethod=method)
    write_case(name, method, url, headers or {}, b"")


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    http = client("http://s3.holdfast.test:9000")
    https = client("https://s3.holdfast.test")
    tok = client("http://s3.holdfast.test:9000", token="FQoGZXIvYXdzEBYaDEXAMPLETOKEN+/=")
    odd = "photos/2026/cat & dog+1 (copy)~\u00fc$=;,.jpg"

    capture("put-object-odd-key", http, "put_object", Bucket="bucket", Key=odd,
            Body=b"hello, holdfast\n", ContentType="image/jpeg",
            Metadata={"note": "two  spaces", "who": "=?UTF-8?B?w6l0w6k=?="})
    capture("get-object-range-version", http, "get_object", Bucket="bucket", Key="a b/c",
            Range="bytes=0-9", VersionId="3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")
    capture("list-objects-v2", http, "list_objects_v2", Bucket="bucket",
            Prefix="a b/\u00fc", Delimiter="/", ContinuationToken="x+y=/z", MaxKeys=5)
    capture("create-multipart-upload", http, "create_multipart_upload", Bucket="bucket",
            Key="big.tar", StorageClass="STANDARD")
    capture("delete-objects", http, "delete_objects", Bucket="bucket",
            Delete={"Objects": [{"Key": "a"}, {"Key": "b & c"}]}, payload=None)
    capture("session-token-head", tok, "head_object", Bucket="bucket", Key="k")
    data = bytes(range(256)) * 40  # 10240 bytes: one botocore chunk (1 MiB) either way
    for algo in ("CRC32", "SHA1", "SHA256"):
        capture("put-streaming-unsigned-trailer-" + algo.lower(), https, "put_object",
                payload=data, Bucket="bucket", Key="stream.bin", Body=io.BytesIO(data),
                ChecksumAlgorithm=algo)
    capture("put-https-unsigned-payload", https, "put_object", Bucket="bucket", Key="x",
            Body=io.BytesIO(b"unsigned body"), ContentMD5=base64.b64encode(hashlib.md5(b"unsigned body").digest()).decode(),
            payload=b"unsigned body")
    presign("presign-get-odd-key", http, "get_object", "GET",
            {"Bucket": "bucket", "Key": odd,
             "ResponseContentDisposition": 'attachment; filename="a b.txt"'})
    presign("presign-put", http, "put_object", "PUT", {"Bucket": "bucket", "Key": "up/load.bin"},
            expires=604800)
    presign("presign-session-token", tok, "get_object", "GET", {"Bucket": "bucket", "Key": "k"})
    print("botocore", botocore.__version__, "->", OUT)


if __name__ == "__main__":
    sys.exit(main())
