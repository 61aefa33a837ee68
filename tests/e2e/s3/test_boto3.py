"""
S3 API end to end with boto3 (Debian's python3-boto3) against the real
server on loopback.  Invariant 8: bad input gets the right S3 error and
harms nothing; users never see each other's buckets.  Run by
tests/e2e/test_s3.sh, which starts the server and sets HF_* variables.
"""
import hashlib
import os
import time
import urllib.request

import boto3
import botocore
import pytest
from botocore.config import Config

EP = os.environ["HF_ENDPOINT"]


def client(ak=None, sk=None, **cfg):
    return boto3.client(
        "s3",
        endpoint_url=EP,
        aws_access_key_id=ak or os.environ["HF_AK"],
        aws_secret_access_key=sk or os.environ["HF_SK"],
        region_name="us-east-1",
        config=Config(signature_version="s3v4", retries={"max_attempts": 1}, **cfg),
    )


@pytest.fixture(scope="module")
def s3():
    return client()


@pytest.fixture
def bucket(s3, request):
    name = "t-" + request.node.name.replace("_", "-")[:40].lower() + "-" + os.urandom(3).hex()
    s3.create_bucket(Bucket=name)
    return name


def code(exc):
    return exc.value.response["Error"]["Code"]


def test_round_trip_sizes(s3, bucket):
    for size in (0, 1, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, 7_000_000):
        data = os.urandom(size)
        r = s3.put_object(Bucket=bucket, Key=f"k{size}", Body=data)
        assert r["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        got = s3.get_object(Bucket=bucket, Key=f"k{size}")
        assert got["Body"].read() == data
        assert got["ContentLength"] == size
        h = s3.head_object(Bucket=bucket, Key=f"k{size}")
        assert h["ContentLength"] == size and h["ETag"] == r["ETag"]


def test_metadata_and_content_type(s3, bucket):
    s3.put_object(Bucket=bucket, Key="m", Body=b"x", ContentType="image/png",
                  Metadata={"owner": "alice", "case": "MiXeD"}, CacheControl="no-cache",
                  ContentDisposition='attachment; filename="a.png"')
    h = s3.head_object(Bucket=bucket, Key="m")
    assert h["ContentType"] == "image/png"
    assert h["Metadata"] == {"owner": "alice", "case": "MiXeD"}
    assert h["CacheControl"] == "no-cache"
    assert h["ContentDisposition"] == 'attachment; filename="a.png"'
    g = s3.get_object(Bucket=bucket, Key="m", ResponseContentType="text/plain")
    assert g["ContentType"] == "text/plain"


def test_ranges(s3, bucket):
    data = os.urandom(9_000_000)
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    for rng, want in (("bytes=0-0", data[:1]), ("bytes=4194300-4194310", data[4194300:4194311]),
                      ("bytes=8999990-", data[8999990:]), ("bytes=-5", data[-5:]),
                      ("bytes=100-99999999", data[100:])):
        g = s3.get_object(Bucket=bucket, Key="r", Range=rng)
        assert g["Body"].read() == want, rng
        assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=9000000-")
    assert code(e) == "InvalidRange"


def test_conditionals(s3, bucket):
    r = s3.put_object(Bucket=bucket, Key="c", Body=b"abc")
    etag = r["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"abc"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert code(e) == "PreconditionFailed"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_list_v2_delimiter_pagination(s3, bucket):
    keys = [f"d{i % 3}/sub{i % 2}/k{i:03d}" for i in range(60)] + ["top1", "top2"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    got = []
    for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": 7}):
        got += [o["Key"] for o in page.get("Contents", [])]
    assert got == sorted(keys)
    l = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in l["CommonPrefixes"]] == ["d0/", "d1/", "d2/"]
    assert [o["Key"] for o in l["Contents"]] == ["top1", "top2"]
    l = s3.list_objects_v2(Bucket=bucket, Prefix="d1/", Delimiter="/")
    assert [p["Prefix"] for p in l["CommonPrefixes"]] == ["d1/sub0/", "d1/sub1/"]
    # delimiter pages: common prefixes count against max-keys
    prefixes = []
    for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}):
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        prefixes += [o["Key"] for o in page.get("Contents", [])]
    assert prefixes == ["d0/", "d1/", "d2/", "top1", "top2"]
    assert "Owner" not in s3.list_objects_v2(Bucket=bucket, MaxKeys=1)["Contents"][0]
    assert s3.list_objects_v2(Bucket=bucket, MaxKeys=1, FetchOwner=True)["Contents"][0]["Owner"]
    l = s3.list_objects_v2(Bucket=bucket, StartAfter="d2/sub1/k059")
    assert [o["Key"] for o in l["Contents"]] == ["top1", "top2"]
    v1 = s3.list_objects(Bucket=bucket, Prefix="d0/", MaxKeys=3)
    assert v1["IsTruncated"] and len(v1["Contents"]) == 3
    enc = s3.list_objects_v2(Bucket=bucket, Prefix="top", EncodingType="url")
    assert [o["Key"] for o in enc["Contents"]] == ["top1", "top2"]


def test_versioning_and_delete_markers(s3, bucket):
    # unversioned: overwrite replaces, delete removes
    s3.put_object(Bucket=bucket, Key="u", Body=b"1")
    s3.put_object(Bucket=bucket, Key="u", Body=b"2")
    vs = s3.list_object_versions(Bucket=bucket, Prefix="u")
    assert [v["VersionId"] for v in vs["Versions"]] == ["null"]
    assert s3.get_bucket_versioning(Bucket=bucket).get("Status") is None
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    a = s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    b = s3.put_object(Bucket=bucket, Key="v", Body=b"two")["VersionId"]
    assert a != b and a != "null"
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=a)["Body"].read() == b"one"
    d = s3.delete_object(Bucket=bucket, Key="v")
    assert d["DeleteMarker"] is True
    marker = d["VersionId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="v")
    assert code(e) == "NoSuchKey"
    hdrs = e.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs["x-amz-delete-marker"] == "true" and hdrs["x-amz-version-id"] == marker
    vs = s3.list_object_versions(Bucket=bucket, Prefix="v")
    assert [v["VersionId"] for v in vs["Versions"]] == [b, a]
    assert [(m["VersionId"], m["IsLatest"]) for m in vs["DeleteMarkers"]] == [(marker, True)]
    # removing the marker brings the object back
    r = s3.delete_object(Bucket=bucket, Key="v", VersionId=marker)
    assert r["DeleteMarker"] is True
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"two"
    s3.delete_object(Bucket=bucket, Key="v", VersionId=b)
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"one"
    # suspended: null versions again
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=bucket, Key="v", Body=b"three")
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket, Prefix="v")["Versions"]]
    assert ids[0] == "null" and a in ids


def test_delete_objects(s3, bucket):
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"x{i}", Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"x{i}"} for i in range(3)]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["x0", "x1", "x2"]
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert left == ["x3", "x4"]


def test_bucket_lifecycle(s3):
    name = "t-life-" + os.urandom(3).hex()
    s3.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=name)
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] in (None, "")
    # us-east-1: creating a bucket you own again is a no-op 200, as in S3
    assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    bob = client(os.environ["HF_AK2"], os.environ["HF_SK2"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.create_bucket(Bucket=name)
    assert code(e) == "BucketAlreadyExists"
    s3.put_object(Bucket=name, Key="k", Body=b"1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_presigned_get_put_with_urllib(s3, bucket):
    data = os.urandom(100_000)
    put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "p"},
                                    ExpiresIn=60)
    req = urllib.request.Request(put, data=data, method="PUT")
    assert urllib.request.urlopen(req).status == 200
    get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p"},
                                    ExpiresIn=60)
    assert urllib.request.urlopen(get).read() == data
    expired = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p"},
                                        ExpiresIn=1)
    time.sleep(2)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(expired)
    assert e.value.code == 403 and b"<Code>AccessDenied</Code>" in e.value.read()


def test_wrong_secret_and_unknown_key(bucket):
    bad = client(sk="x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bad.list_objects_v2(Bucket=bucket)
    assert code(e) == "SignatureDoesNotMatch"
    unknown = client(ak="AKIANOSUCHKEY0000000", sk="x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unknown.list_buckets()
    assert code(e) == "InvalidAccessKeyId"


def test_users_are_isolated(s3, bucket):
    bob = client(os.environ["HF_AK2"], os.environ["HF_SK2"])
    s3.put_object(Bucket=bucket, Key="secret", Body=b"alice's")
    assert bucket not in [b["Name"] for b in bob.list_buckets()["Buckets"]]
    for call in (lambda: bob.get_object(Bucket=bucket, Key="secret"),
                 lambda: bob.put_object(Bucket=bucket, Key="secret", Body=b"bob's"),
                 lambda: bob.delete_object(Bucket=bucket, Key="secret"),
                 lambda: bob.list_objects_v2(Bucket=bucket)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code(e) == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"alice's"


def test_content_md5_mismatch(s3, bucket):
    import base64
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"hello",
                      ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode())
    assert code(e) == "BadDigest"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="md5")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_hostile_keys(s3, bucket):
    for k in ("../x", "../../etc/passwd", "/abs/path", "a//b", "%2e%2e/x", "sp ace+plus",
              "ünïcödé/文件", "x" * 1024):
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode(), k
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.put_object(Bucket=bucket, Key="y" * 1025, Body=b"")
    assert code(e) == "KeyTooLongError"


def test_no_such_things(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="missing")
    assert code(e) == "NoSuchKey"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_objects_v2(Bucket="no-such-bucket-" + os.urandom(3).hex())
    assert code(e) == "NoSuchBucket"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.create_bucket(Bucket="Bad_Name")
    assert code(e) == "InvalidBucketName"


def test_multipart_upload_file(s3, bucket, tmp_path):
    from boto3.s3.transfer import TransferConfig
    data = os.urandom(17 * 1024 * 1024 + 5)
    path = tmp_path / "big"
    path.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_file(str(path), bucket, "mp", Config=cfg)
    h = s3.head_object(Bucket=bucket, Key="mp")
    assert h["ContentLength"] == len(data) and h["ETag"].endswith('-4"')
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == data
    r = s3.get_object(Bucket=bucket, Key="mp", Range="bytes=5242870-5242890")
    assert r["Body"].read() == data[5242870:5242891]
    out = tmp_path / "out"
    s3.download_file(bucket, "mp", str(out), Config=cfg)
    assert out.read_bytes() == data


def test_multipart_api(s3, bucket):
    five = os.urandom(5 * 1024 * 1024)
    up = s3.create_multipart_upload(Bucket=bucket, Key="m2", ContentType="text/x-log",
                                    Metadata={"k": "v"})["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="m2", UploadId=up, PartNumber=1, Body=five)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="m2", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="m2", UploadId=up)["Parts"]] == [1, 2]
    assert up in [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="m2", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": '"' + "0" * 32 + '"'}]})
    assert code(e) == "InvalidPart"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="m2", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert code(e) == "InvalidPartOrder"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="m2")
    assert code(e) == "NoSuchKey"   # nothing visible before completion
    r = s3.complete_multipart_upload(Bucket=bucket, Key="m2", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    want = hashlib.md5(bytes.fromhex(e1.strip('"')) + bytes.fromhex(e2.strip('"'))).hexdigest()
    assert r["ETag"] == '"%s-2"' % want
    # a client retrying the completion (lost response) gets the same answer
    again = s3.complete_multipart_upload(Bucket=bucket, Key="m2", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert again["ETag"] == r["ETag"]
    g = s3.get_object(Bucket=bucket, Key="m2")
    assert g["Body"].read() == five + b"tail"
    assert g["ContentType"] == "text/x-log" and g["Metadata"] == {"k": "v"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="m2", UploadId=up)
    assert code(e) == "NoSuchUpload"
    # too small parts, then abort
    up2 = s3.create_multipart_upload(Bucket=bucket, Key="m3")["UploadId"]
    a = s3.upload_part(Bucket=bucket, Key="m3", UploadId=up2, PartNumber=1, Body=b"x")["ETag"]
    b = s3.upload_part(Bucket=bucket, Key="m3", UploadId=up2, PartNumber=2, Body=b"y")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="m3", UploadId=up2, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": a}, {"PartNumber": 2, "ETag": b}]})
    assert code(e) == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="m3", UploadId=up2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.upload_part(Bucket=bucket, Key="m3", UploadId=up2, PartNumber=3, Body=b"z")
    assert code(e) == "NoSuchUpload"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="m3")
    assert code(e) == "NoSuchKey"


def test_copy_object(s3, bucket):
    d = os.urandom(6_000_000)
    s3.put_object(Bucket=bucket, Key="src", Body=d, ContentType="a/b", Metadata={"m": "1"})
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(d).hexdigest()
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert g["Body"].read() == d and g["ContentType"] == "a/b" and g["Metadata"] == {"m": "1"}
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src",
                   MetadataDirective="REPLACE", ContentType="c/d", Metadata={"n": "2"})
    g = s3.head_object(Bucket=bucket, Key="dst2")
    assert g["ContentType"] == "c/d" and g["Metadata"] == {"n": "2"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert code(e) == "InvalidRequest"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/missing")
    assert code(e) == "NoSuchKey"
    up = s3.create_multipart_upload(Bucket=bucket, Key="pc")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="pc", UploadId=up, PartNumber=1,
                             CopySource=f"{bucket}/src",
                             CopySourceRange="bytes=0-5242879")["CopyPartResult"]["ETag"]
    p2 = s3.upload_part_copy(Bucket=bucket, Key="pc", UploadId=up, PartNumber=2,
                             CopySource=f"{bucket}/src",
                             CopySourceRange="bytes=5242880-5999999")["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="pc", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]})
    assert s3.get_object(Bucket=bucket, Key="pc")["Body"].read() == d
    bob = client(os.environ["HF_AK2"], os.environ["HF_SK2"])
    bob_bucket = "t-bob-" + os.urandom(3).hex()
    bob.create_bucket(Bucket=bob_bucket)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.copy_object(Bucket=bob_bucket, Key="stolen", CopySource=f"{bucket}/src")
    assert code(e) == "AccessDenied"


def test_conditional_put(s3, bucket):
    def header(name, value):
        def add(request, **kwargs):
            request.headers[name] = value
        return add

    s3.put_object(Bucket=bucket, Key="lock", Body=b"owner=A")
    excl = client()
    excl.meta.events.register("before-sign.s3.PutObject", header("If-None-Match", "*"))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        excl.put_object(Bucket=bucket, Key="lock", Body=b"owner=B")
    assert code(e) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="lock")["Body"].read() == b"owner=A"
    excl.put_object(Bucket=bucket, Key="fresh", Body=b"first")
    etag = s3.head_object(Bucket=bucket, Key="lock")["ETag"]
    match = client()
    match.meta.events.register("before-sign.s3.PutObject", header("If-Match", '"' + "0" * 32 + '"'))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        match.put_object(Bucket=bucket, Key="lock", Body=b"owner=C")
    assert code(e) == "PreconditionFailed"
    ok = client()
    ok.meta.events.register("before-sign.s3.PutObject", header("If-Match", etag))
    ok.put_object(Bucket=bucket, Key="lock", Body=b"owner=D")
    assert s3.get_object(Bucket=bucket, Key="lock")["Body"].read() == b"owner=D"


def test_bucket_delete_aborts_uploads_in_progress(s3):
    # As S3: a bucket with no objects is deleted even with uploads in
    # progress; they are aborted with it.  Nothing of them is reachable from
    # a bucket of the same name made later by another user.
    name = "t-upl-" + os.urandom(3).hex()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="obj", Body=b"x")
    up = s3.create_multipart_upload(Bucket=name, Key="secret")["UploadId"]
    s3.upload_part(Bucket=name, Key="secret", UploadId=up, PartNumber=1, Body=b"TOP SECRET")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket=name)       # an object still in it
    assert code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="obj")
    s3.delete_bucket(Bucket=name)
    bob = client(os.environ["HF_AK2"], os.environ["HF_SK2"])
    bob.create_bucket(Bucket=name)
    assert bob.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
    for op in (lambda: bob.list_parts(Bucket=name, Key="secret", UploadId=up),
               lambda: bob.complete_multipart_upload(
                   Bucket=name, Key="secret", UploadId=up,
                   MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            op()
        assert code(e) == "NoSuchUpload"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.head_object(Bucket=name, Key="secret")
    bob.delete_bucket(Bucket=name)


def test_acl_is_the_owner_only(s3, bucket):
    # holdfast's one access rule, as S3 with ACLs disabled: the owner has
    # FULL_CONTROL; restating it is accepted; granting more is refused, never ignored.
    owner = {"ID": "alice", "DisplayName": "alice"}
    full = [{"Grantee": dict(owner, Type="CanonicalUser"), "Permission": "FULL_CONTROL"}]
    a = s3.get_bucket_acl(Bucket=bucket)
    assert a["Owner"] == owner and a["Grants"] == full
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    a = s3.get_object_acl(Bucket=bucket, Key="k")
    assert a["Owner"] == owner and a["Grants"] == full
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy={"Owner": owner, "Grants": full})
    for call in (lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read"),
                 lambda: s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read-write"),
                 lambda: s3.put_object_acl(Bucket=bucket, Key="k", GrantRead="id=bob"),
                 lambda: s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy={
                     "Owner": owner, "Grants": full + [{"Grantee": {
                         "Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                         "Permission": "READ"}]}),
                 lambda: s3.put_object(Bucket=bucket, Key="pub", Body=b"x", ACL="public-read")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code(e) == "AccessControlListNotSupported"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.head_object(Bucket=bucket, Key="pub")        # the refused put stored nothing
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_acl(Bucket=bucket, Key="missing")
    assert code(e) == "NoSuchKey"
    bob = client(os.environ["HF_AK2"], os.environ["HF_SK2"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        bob.get_bucket_acl(Bucket=bucket)
    assert code(e) == "AccessDenied"


def test_get_and_head_by_part_number(s3, bucket):
    # GET/HEAD ?partNumber=N: that part's bytes (206), the object's ETag, the parts count.
    sizes = [5 << 20, 5 << 20, 1234]
    data = [os.urandom(n) for n in sizes]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    parts = [{"PartNumber": 2 * i + 1, "ETag": s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=up, PartNumber=2 * i + 1, Body=d)["ETag"]}
        for i, d in enumerate(data)]
    etag = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                        MultipartUpload={"Parts": parts})["ETag"]
    for n, d in enumerate(data, 1):         # parts are numbered by position: 1, 2, 3
        g = s3.get_object(Bucket=bucket, Key="mp", PartNumber=n)
        assert g["Body"].read() == d
        assert g["PartsCount"] == 3 and g["ETag"] == etag and g["ContentLength"] == len(d)
        assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
        h = s3.head_object(Bucket=bucket, Key="mp", PartNumber=n)
        assert h["PartsCount"] == 3 and h["ContentLength"] == len(d)
    for n in (4, 10000):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            s3.get_object(Bucket=bucket, Key="mp", PartNumber=n)
        assert code(e) == "InvalidPart"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=1, Range="bytes=0-1")
    assert code(e) == "InvalidRequest"
    s3.put_object(Bucket=bucket, Key="plain", Body=b"body")
    g = s3.get_object(Bucket=bucket, Key="plain", PartNumber=1)
    assert g["Body"].read() == b"body" and "PartsCount" not in g
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object(Bucket=bucket, Key="plain", PartNumber=2)
    assert code(e) == "InvalidPart"


def test_get_object_attributes(s3, bucket):
    attrs = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    sizes = [5 << 20, 5 << 20, 5 << 20, 10]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=up, PartNumber=n, Body=os.urandom(size))["ETag"]}
        for n, size in enumerate(sizes, 1)]
    etag = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                        MultipartUpload={"Parts": parts})["ETag"]
    a = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=attrs)
    assert a["ETag"] == etag.strip('"') and a["ObjectSize"] == sum(sizes)
    assert a["StorageClass"] == "STANDARD"
    op = a["ObjectParts"]
    assert op["TotalPartsCount"] == 4 and op["IsTruncated"] is False
    assert [(p["PartNumber"], p["Size"]) for p in op["Parts"]] == list(enumerate(sizes, 1))
    a = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"],
                                 MaxParts=2, PartNumberMarker=1)
    op = a["ObjectParts"]
    assert [p["PartNumber"] for p in op["Parts"]] == [2, 3]
    assert op["IsTruncated"] is True and op["NextPartNumberMarker"] == 3
    assert "ETag" not in a and "ObjectSize" not in a
    r = s3.put_object(Bucket=bucket, Key="plain", Body=b"foo")
    a = s3.get_object_attributes(Bucket=bucket, Key="plain", ObjectAttributes=attrs)
    assert a["ETag"] == r["ETag"].strip('"') and a["ObjectSize"] == 3
    assert "ObjectParts" not in a and "VersionId" not in a
    with pytest.raises(botocore.exceptions.ClientError) as e:
        s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=attrs)
    assert code(e) == "NoSuchKey"


def test_list_multipart_uploads_pages(s3, bucket):
    ups = []
    for key in ("a", "b", "b", "c"):
        ups.append((key, s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]))
    seen, kw = [], {}
    while True:
        r = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1, **kw)
        assert r["MaxUploads"] == 1 and len(r.get("Uploads", [])) <= 1
        seen += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
        if not r["IsTruncated"]:
            break
        kw = {"KeyMarker": r["NextKeyMarker"], "UploadIdMarker": r["NextUploadIdMarker"]}
    assert sorted(seen) == sorted(ups) and len(seen) == 4
    r = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="b")   # key-marker alone: after b
    assert [u["Key"] for u in r["Uploads"]] == ["c"] and r["IsTruncated"] is False
    r = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=0)
    assert r.get("Uploads", []) == [] and r["IsTruncated"] is True
    for key, up in ups:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up)
