"""
S3 additional checksums end to end (issue 6): x-amz-checksum-* kept with
what they describe and returned as S3 returns them, multipart COMPOSITE
checksums, CRC-64/NVME.  Invariant 8: a checksum that does not match
stores nothing and completes nothing.  Run by tests/e2e/test_s3.sh.

Debian's botocore 1.29 computes and sends CRC32, CRC32C, SHA1 and SHA256
(header on http) and parses ChecksumAlgorithm, Checksum* and ChecksumMode;
it knows no CRC64NVME and no ChecksumType, so those are sent as raw
requests signed by botocore.auth.SigV4Auth.  Expected values come from
zlib, hashlib and crcmod (python3-crcmod), not from the server.
"""
import base64
import hashlib
import os
import re
import urllib.error
import urllib.request
import zlib

import boto3
import crcmod
import crcmod.predefined
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

EP = os.environ["HF_ENDPOINT"]
AK, SK = os.environ["HF_AK"], os.environ["HF_SK"]
MIB = 1024 * 1024

_crc32c = crcmod.predefined.mkCrcFun("crc-32c")
# CRC-64/NVME: poly 0xad93d23594c93659, reflected, init and xorout all ones
_crc64nvme = crcmod.mkCrcFun(0x1AD93D23594C93659, initCrc=0, rev=True,
                             xorOut=0xFFFFFFFFFFFFFFFF)
ALGOS = ("CRC32", "CRC32C", "SHA1", "SHA256")


def raw_sum(algo, data):
    if algo == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algo == "CRC32C":
        return _crc32c(data).to_bytes(4, "big")
    if algo == "CRC64NVME":
        return _crc64nvme(data).to_bytes(8, "big")
    return hashlib.new(algo.lower(), data).digest()


def cksum(algo, data):
    return base64.b64encode(raw_sum(algo, data)).decode()


def composite(algo, part_sums):
    joined = b"".join(base64.b64decode(s) for s in part_sums)
    return "%s-%d" % (cksum(algo, joined), len(part_sums))


def test_oracles():
    assert _crc64nvme(b"123456789") == 0xAE8B14860A799888   # the catalogue's check value
    assert _crc32c(b"123456789") == 0xE3069283


def client():
    return boto3.client("s3", endpoint_url=EP, aws_access_key_id=AK, aws_secret_access_key=SK,
                        region_name="us-east-1",
                        config=Config(signature_version="s3v4", retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def s3():
    return client()


@pytest.fixture
def bucket(s3, request):
    name = "c-" + request.node.name.replace("_", "-")[:40].lower().strip("-[]") + "-" + \
        os.urandom(3).hex()
    name = re.sub(r"[^a-z0-9-]", "-", name)
    s3.create_bucket(Bucket=name)
    return name


def code(exc):
    return exc.value.response["Error"]["Code"]


def raw(method, path, body=b"", headers=None, payload=None):
    """One request signed by botocore's SigV4 signer, sent as given."""
    url = EP + path
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    req.headers["X-Amz-Content-SHA256"] = payload or hashlib.sha256(body).hexdigest()
    SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    r = urllib.request.Request(url, data=body if method in ("PUT", "POST") else None,
                               method=method, headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(r, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def xml_code(data):
    m = re.search(rb"<Code>([^<]*)</Code>", data)
    return m.group(1).decode() if m else None


def xml_all(tag, data):
    return [v.decode() for v in re.findall(rb"<%s>([^<]*)</%s>" % (tag.encode(), tag.encode()),
                                           data)]


# ---------------------------------------------------------------- single PUTs

@pytest.mark.parametrize("algo", ALGOS)
def test_put_checksum_kept_and_returned(s3, bucket, algo):
    data = os.urandom(300_000)
    want = cksum(algo, data)
    r = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algo)
    assert r["Checksum" + algo] == want                      # echoed by PutObject
    h = s3.head_object(Bucket=bucket, Key="k")
    assert "Checksum" + algo not in h                        # only when asked
    h = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert h["Checksum" + algo] == want
    assert h["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-type"] == "FULL_OBJECT"
    g = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert g["Checksum" + algo] == want
    assert g["Body"].read() == data                          # botocore validated it too
    g = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED", Range="bytes=0-9")
    assert "Checksum" + algo not in g                        # no checksum of a range
    assert g["Body"].read() == data[:10]
    # a plain PUT over it: the old checksum does not linger
    s3.put_object(Bucket=bucket, Key="k", Body=b"plain")
    h = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert not [k for k in h if k.startswith("Checksum")]


def test_crc64nvme_header(s3, bucket):
    data = os.urandom(100_001)
    want = cksum("CRC64NVME", data)
    st, hd, body = raw("PUT", f"/{bucket}/n", data, {"x-amz-checksum-crc64nvme": want})
    assert st == 200, body
    assert hd["x-amz-checksum-crc64nvme"] == want
    st, hd, body = raw("GET", f"/{bucket}/n", headers={"x-amz-checksum-mode": "ENABLED"})
    assert st == 200 and body == data
    assert hd["x-amz-checksum-crc64nvme"] == want
    assert hd["x-amz-checksum-type"] == "FULL_OBJECT"
    st, hd, _ = raw("HEAD", f"/{bucket}/n")
    assert st == 200 and "x-amz-checksum-crc64nvme" not in hd
    # a wrong value: BadDigest, nothing replaced or created
    bad = cksum("CRC64NVME", data + b"x")
    st, _, body = raw("PUT", f"/{bucket}/n", b"other", {"x-amz-checksum-crc64nvme": bad})
    assert st == 400 and xml_code(body) == "BadDigest"
    st, _, body = raw("PUT", f"/{bucket}/n2", data[:-1], {"x-amz-checksum-crc64nvme": want})
    assert st == 400 and xml_code(body) == "BadDigest"
    assert s3.get_object(Bucket=bucket, Key="n")["Body"].read() == data
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="n2")
    # not 8 bytes of base64: refused before anything is read
    st, _, body = raw("PUT", f"/{bucket}/n3", data, {"x-amz-checksum-crc64nvme": "AAAA"})
    assert st == 400
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="n3")


def chunked(data, trailer_name, value, chunk=65536):
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n%s:%s\r\n\r\n" % (trailer_name.encode(), value.encode())


def test_crc64nvme_trailer(s3, bucket):
    """STREAMING-UNSIGNED-PAYLOAD-TRAILER with x-amz-checksum-crc64nvme, as current SDKs send."""
    data = os.urandom(200_000)
    want = cksum("CRC64NVME", data)
    hdrs = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
            "x-amz-trailer": "x-amz-checksum-crc64nvme"}
    body = chunked(data, "x-amz-checksum-crc64nvme", want)
    st, hd, out = raw("PUT", f"/{bucket}/t", body, hdrs,
                      payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    assert st == 200, out
    assert hd["x-amz-checksum-crc64nvme"] == want
    h = s3.head_object(Bucket=bucket, Key="t", ChecksumMode="ENABLED")
    assert h["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-crc64nvme"] == want
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == data
    # the trailer does not match the bytes: BadDigest, the object unchanged
    body = chunked(data[::-1], "x-amz-checksum-crc64nvme", want)
    st, _, out = raw("PUT", f"/{bucket}/t", body, hdrs,
                     payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    assert st == 400 and xml_code(out) == "BadDigest"
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == data


# ---------------------------------------------------------------- multipart

@pytest.mark.parametrize("algo", ALGOS)
def test_multipart_composite(s3, bucket, algo):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(123_457)]
    sums = [cksum(algo, p) for p in parts]
    want = composite(algo, sums)
    c = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm=algo)
    assert c["ChecksumAlgorithm"] == algo                        # echoed
    uid = c["UploadId"]
    done = []
    for i, p in enumerate(parts, 1):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=i, Body=p,
                           ChecksumAlgorithm=algo)
        assert r["Checksum" + algo] == sums[i - 1]                # validated, echoed
        done.append({"PartNumber": i, "ETag": r["ETag"], "Checksum" + algo: r["Checksum" + algo]})
    lp = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert lp["ChecksumAlgorithm"] == algo
    assert [p["Checksum" + algo] for p in lp["Parts"]] == sums
    r = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                     MultipartUpload={"Parts": done})
    assert r["Checksum" + algo] == want
    assert r["ETag"].strip('"').endswith("-3")
    h = s3.head_object(Bucket=bucket, Key="mp")
    assert "Checksum" + algo not in h
    h = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert h["Checksum" + algo] == want
    assert h["ResponseMetadata"]["HTTPHeaders"]["x-amz-checksum-type"] == "COMPOSITE"
    g = s3.get_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert g["Checksum" + algo] == want
    assert g["Body"].read() == b"".join(parts)       # botocore skips composite values
    g = s3.get_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED", PartNumber=2)
    assert g["Checksum" + algo] == sums[1]           # a part: its own checksum, validated
    assert g["Body"].read() == parts[1]
    a = s3.get_object_attributes(Bucket=bucket, Key="mp",
                                 ObjectAttributes=["Checksum", "ObjectParts"])
    assert a["Checksum"]["Checksum" + algo] == want
    assert [p["Checksum" + algo] for p in a["ObjectParts"]["Parts"]] == sums
    # completing again answers with the same object and checksum
    r2 = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid,
                                      MultipartUpload={"Parts": done})
    assert r2["ETag"] == r["ETag"] and r2["Checksum" + algo] == want


def test_multipart_checksum_errors(s3, bucket):
    p1, p2 = os.urandom(5 * MIB), os.urandom(1000)
    uid = s3.create_multipart_upload(Bucket=bucket, Key="e", ChecksumAlgorithm="SHA256")["UploadId"]
    # a part with another algorithm than the upload's
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=p1,
                       ChecksumAlgorithm="CRC32")
    assert code(e) == "InvalidRequest"
    # a part whose checksum does not match its bytes
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=p1,
                       ChecksumSHA256=cksum("SHA256", p2))
    assert code(e) == "BadDigest"
    assert s3.list_parts(Bucket=bucket, Key="e", UploadId=uid).get("Parts", []) == []
    # a part sent without one: the server computes the upload's algorithm
    r1 = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=1, Body=p1)
    assert r1["ChecksumSHA256"] == cksum("SHA256", p1)
    r2 = s3.upload_part(Bucket=bucket, Key="e", UploadId=uid, PartNumber=2, Body=p2,
                        ChecksumAlgorithm="SHA256")
    good = [{"PartNumber": 1, "ETag": r1["ETag"], "ChecksumSHA256": r1["ChecksumSHA256"]},
            {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumSHA256": r2["ChecksumSHA256"]}]
    # a listed part checksum that is not the part's: InvalidPart, nothing completed
    bad = [dict(good[0]), dict(good[1])]
    bad[1]["ChecksumSHA256"] = cksum("SHA256", p1)
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid,
                                     MultipartUpload={"Parts": bad})
    assert code(e) == "InvalidPart"
    # a listed checksum of another algorithm
    bad = [good[0], {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumCRC32": cksum("CRC32", p2)}]
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid,
                                     MultipartUpload={"Parts": bad})
    assert code(e) == "InvalidPart"
    # the object's checksum named in the request, wrong: BadDigest
    want = composite("SHA256", [r1["ChecksumSHA256"], r2["ChecksumSHA256"]])
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid,
                                     ChecksumSHA256=cksum("SHA256", b"x") + "-2",
                                     MultipartUpload={"Parts": good})
    assert code(e) == "BadDigest"
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="e")                   # nothing completed
    assert len(s3.list_parts(Bucket=bucket, Key="e", UploadId=uid)["Parts"]) == 2
    # right: completes (parts listed without their checksums are accepted: the
    # composite comes from the kept ones)
    r = s3.complete_multipart_upload(Bucket=bucket, Key="e", UploadId=uid, ChecksumSHA256=want,
                                     MultipartUpload={"Parts": [
                                         {"PartNumber": 1, "ETag": r1["ETag"]}, good[1]]})
    assert r["ChecksumSHA256"] == want
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == p1 + p2


def test_multipart_without_algorithm(s3, bucket):
    """No algorithm at creation: parts keep what they were sent with, the object gets none."""
    p1 = os.urandom(5 * MIB)
    c = s3.create_multipart_upload(Bucket=bucket, Key="n")
    assert "ChecksumAlgorithm" not in c
    r1 = s3.upload_part(Bucket=bucket, Key="n", UploadId=c["UploadId"], PartNumber=1, Body=p1,
                        ChecksumAlgorithm="CRC32C")
    assert r1["ChecksumCRC32C"] == cksum("CRC32C", p1)
    lp = s3.list_parts(Bucket=bucket, Key="n", UploadId=c["UploadId"])
    assert "ChecksumAlgorithm" not in lp and lp["Parts"][0]["ChecksumCRC32C"] == r1["ChecksumCRC32C"]
    r = s3.complete_multipart_upload(Bucket=bucket, Key="n", UploadId=c["UploadId"],
                                     MultipartUpload={"Parts": [
                                         {"PartNumber": 1, "ETag": r1["ETag"],
                                          "ChecksumCRC32C": r1["ChecksumCRC32C"]}]})
    assert not [k for k in r if k.startswith("Checksum")]
    h = s3.head_object(Bucket=bucket, Key="n", ChecksumMode="ENABLED")
    assert not [k for k in h if k.startswith("Checksum")]


def test_multipart_crc64nvme_raw(s3, bucket):
    """CRC64NVME multipart, which botocore 1.29 cannot send: raw signed requests."""
    parts = [os.urandom(5 * MIB), os.urandom(77_777)]
    sums = [cksum("CRC64NVME", p) for p in parts]
    st, hd, out = raw("POST", f"/{bucket}/c?uploads", headers={
        "x-amz-checksum-algorithm": "CRC64NVME"})
    assert st == 200, out
    assert hd["x-amz-checksum-algorithm"] == "CRC64NVME"
    assert hd["x-amz-checksum-type"] == "COMPOSITE"
    uid = xml_all("UploadId", out)[0]
    etags = []
    for i, p in enumerate(parts, 1):
        st, hd, out = raw("PUT", f"/{bucket}/c?partNumber={i}&uploadId={uid}", p,
                          {"x-amz-checksum-crc64nvme": sums[i - 1]})
        assert st == 200, out
        assert hd["x-amz-checksum-crc64nvme"] == sums[i - 1]
        etags.append(hd["ETag"])
    st, _, out = raw("GET", f"/{bucket}/c?uploadId={uid}")
    assert st == 200
    assert xml_all("ChecksumAlgorithm", out) == ["CRC64NVME"]
    assert xml_all("ChecksumCRC64NVME", out) == sums
    doc = "<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{i}</PartNumber><ETag>{e}</ETag>"
        f"<ChecksumCRC64NVME>{s}</ChecksumCRC64NVME></Part>"
        for i, (e, s) in enumerate(zip(etags, sums), 1)) + "</CompleteMultipartUpload>"
    want = composite("CRC64NVME", sums)
    st, _, out = raw("POST", f"/{bucket}/c?uploadId={uid}", doc.encode(),
                     {"x-amz-checksum-crc64nvme": want})
    assert st == 200, out
    assert xml_all("ChecksumCRC64NVME", out) == [want]
    assert xml_all("ChecksumType", out) == ["COMPOSITE"]
    st, hd, _ = raw("HEAD", f"/{bucket}/c", headers={"x-amz-checksum-mode": "ENABLED"})
    assert st == 200 and hd["x-amz-checksum-crc64nvme"] == want
    assert s3.get_object(Bucket=bucket, Key="c")["Body"].read() == b"".join(parts)


def test_create_upload_bad_algorithm(s3, bucket):
    st, _, out = raw("POST", f"/{bucket}/x?uploads", headers={"x-amz-checksum-algorithm": "MD5"})
    assert st == 400 and xml_code(out) == "InvalidRequest"
    st, _, out = raw("POST", f"/{bucket}/x?uploads", headers={
        "x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"})
    assert st == 501 and xml_code(out) == "NotImplemented"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


# ---------------------------------------------------------------- ListParts paging

def test_list_parts_max_parts_zero(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="z")["UploadId"]
    for i in (1, 2, 3):
        s3.upload_part(Bucket=bucket, Key="z", UploadId=uid, PartNumber=i, Body=b"p%d" % i)
    # max-parts=0: no parts; truncated, since parts follow; go on from the marker
    r = s3.list_parts(Bucket=bucket, Key="z", UploadId=uid, MaxParts=0)
    assert r.get("Parts", []) == [] and r["MaxParts"] == 0
    assert r["IsTruncated"] is True and r["NextPartNumberMarker"] == 0
    r = s3.list_parts(Bucket=bucket, Key="z", UploadId=uid, MaxParts=0, PartNumberMarker=2)
    assert r.get("Parts", []) == [] and r["IsTruncated"] is True
    assert r["NextPartNumberMarker"] == 2
    r = s3.list_parts(Bucket=bucket, Key="z", UploadId=uid, MaxParts=0, PartNumberMarker=3)
    assert r.get("Parts", []) == [] and r["IsTruncated"] is False
    # paging one by one from there reaches every part
    seen, marker = [], 0
    while True:
        r = s3.list_parts(Bucket=bucket, Key="z", UploadId=uid, MaxParts=1,
                          PartNumberMarker=marker)
        seen += [p["PartNumber"] for p in r.get("Parts", [])]
        if not r["IsTruncated"]:
            break
        marker = r["NextPartNumberMarker"]
    assert seen == [1, 2, 3]
    for bad in ("-1", "x", "1.5"):
        st, _, out = raw("GET", f"/{bucket}/z?max-parts={bad}&uploadId={uid}")
        assert st == 400 and xml_code(out) == "InvalidArgument", bad
    st, _, out = raw("GET", f"/{bucket}/z?part-number-marker=-2&uploadId={uid}")
    assert st == 400 and xml_code(out) == "InvalidArgument"
