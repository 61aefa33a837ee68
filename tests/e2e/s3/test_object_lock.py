"""
S3 Object Lock end to end with boto3 against the real server on loopback
(run by tests/e2e/test_s3.sh with the other boto3 tests).

Invariant 3: a version under unexpired retention or a legal hold cannot be
made unreadable by any S3 path: deletes by version id are refused (403
AccessDenied, per key in DeleteObjects), COMPLIANCE is never shortened or
removed (bypass header or not), GOVERNANCE only with the bypass header, and
`holdfast reclaim` keeps it.  Invariant 6: every lock change is in the
audit log.  Invariant 8: bad input (malformed XML, lower-case modes, Days
and Years together, a date in the past, lock calls on a bucket without
Object Lock) gets S3's error and changes nothing.
"""
import datetime
import hashlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

EP = os.environ["HF_ENDPOINT"]
AK, SK = os.environ["HF_AK"], os.environ["HF_SK"]
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def s3():
    return boto3.client("s3", endpoint_url=EP, aws_access_key_id=AK, aws_secret_access_key=SK,
                        region_name="us-east-1",
                        config=Config(signature_version="s3v4", retries={"max_attempts": 1}))


def name(request, tag=""):
    return ("ol-" + tag + request.node.name.replace("_", "-")[5:30].lower() + "-" +
            os.urandom(3).hex())


@pytest.fixture
def locked(s3, request):
    b = name(request)
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    return b


@pytest.fixture
def plain(s3, request):
    b = name(request, "p")
    s3.create_bucket(Bucket=b)
    return b


def err(exc):
    r = exc.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"].get("Message")


def future(days=0, seconds=0):
    t = datetime.datetime.now(UTC) + datetime.timedelta(days=days, seconds=seconds)
    return t.replace(microsecond=0)


def raw(method, path, body=b"", headers=None):
    """A signed request with exactly @body (what boto3 would refuse to send)."""
    url = EP + path
    h = dict(headers or {})
    h["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    req = AWSRequest(method=method, url=url, data=body, headers=h)
    SigV4Auth(Credentials(AK, SK), "s3", "us-east-1").add_auth(req)
    r = urllib.request.Request(url, data=body if body else None, method=method,
                               headers=dict(req.headers.items()))
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def audit(kind):
    out = subprocess.run([os.environ["HOLDFAST_BIN"], "audit", "ls", "--json", "--kind", kind],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def readable(s3, b, k, vid, body):
    return s3.get_object(Bucket=b, Key=k, VersionId=vid)["Body"].read() == body


# ---------------------------------------------------------------- buckets

def test_create_with_lock_enables_versioning_for_good(s3, locked):
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    conf = s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"]
    assert conf == {"ObjectLockEnabled": "Enabled"}
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket=locked, VersioningConfiguration={"Status": "Suspended"})
    assert err(e)[:2] == (409, "InvalidBucketState")
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    created = [e for e in audit("bucket.created") if e["subject"] == "bucket:" + locked]
    assert created and created[0]["details"]["object-lock"] == "Enabled"


def test_lock_configuration_round_trip_and_log(s3, locked):
    for rule in ({"Mode": "GOVERNANCE", "Days": 1}, {"Mode": "COMPLIANCE", "Years": 2}):
        conf = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": rule}}
        s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=conf)
        assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == conf
    ev = [e for e in audit("bucket.lock-config") if e["subject"] == "bucket:" + locked]
    assert ev[-1]["details"] == {"object-lock": "Enabled", "default-retention": "COMPLIANCE",
                                 "years": "2"}
    # A configuration without a rule removes the default.
    s3.put_object_lock_configuration(Bucket=locked,
                                     ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}


def test_bad_lock_configurations_change_nothing(s3, locked):
    good = {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 3}}}
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=good)
    n = len(audit("bucket.lock-config"))
    bad = [
        ({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, 400, "MalformedXML"),
        ({"Mode": "governance", "Days": 1}, 400, "MalformedXML"),
        ({"Mode": "Compliance", "Years": 1}, 400, "MalformedXML"),
        ({"Mode": "abc", "Days": 1}, 400, "MalformedXML"),
        ({"Mode": "GOVERNANCE", "Days": 0}, 400, "InvalidRetentionPeriod"),
        ({"Mode": "GOVERNANCE", "Years": -1}, 400, "InvalidRetentionPeriod"),
        ({"Mode": "GOVERNANCE", "Days": 36501}, 400, "InvalidRetentionPeriod"),
        ({"Mode": "GOVERNANCE"}, 400, "MalformedXML"),
        ({"Days": 1}, 400, "MalformedXML"),
    ]
    for rule, status, code in bad:
        conf = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": rule}}
        with pytest.raises(ClientError) as e:
            s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=conf)
        assert err(e)[:2] == (status, code), rule
    with pytest.raises(ClientError) as e:
        s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}})
    assert err(e)[2] == "Default retention period must be a positive integer value"
    with pytest.raises(ClientError) as e:
        s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
            "ObjectLockEnabled": "Disabled"})
    assert err(e)[:2] == (400, "MalformedXML")
    for body in (b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled",
                 b"not xml at all",
                 b"<Retention><Mode>GOVERNANCE</Mode></Retention>",
                 b'<!DOCTYPE x [<!ENTITY a "b">]><ObjectLockConfiguration/>'):
        status, text = raw("PUT", "/%s?object-lock" % locked, body)
        assert status == 400 and "<Code>MalformedXML</Code>" in text, (body, text)
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == good
    assert len(audit("bucket.lock-config")) == n


def test_lock_configuration_needs_versioning(s3, plain):
    conf = {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    with pytest.raises(ClientError) as e:
        s3.get_object_lock_configuration(Bucket=plain)
    assert err(e)[:2] == (404, "ObjectLockConfigurationNotFoundError")
    for status in (None, "Suspended"):
        if status:
            s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": status})
        with pytest.raises(ClientError) as e:
            s3.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration=conf)
        assert err(e)[:2] == (409, "InvalidBucketState")
        with pytest.raises(ClientError) as e:
            s3.get_object_lock_configuration(Bucket=plain)
        assert err(e)[:2] == (404, "ObjectLockConfigurationNotFoundError")
    # A versioning bucket may turn Object Lock on (as S3 allows since 2023): then for good.
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=plain, ObjectLockConfiguration=conf)
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Suspended"})
    assert err(e)[:2] == (409, "InvalidBucketState")


# ---------------------------------------------------------------- retention

def test_retention_rules(s3, locked):
    v = s3.put_object(Bucket=locked, Key="k", Body=b"data")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=locked, Key="k")
    assert err(e)[:2] == (404, "NoSuchObjectLockConfiguration")
    d1, d2, d3 = future(10), future(20), future(30)
    s3.put_object_retention(Bucket=locked, Key="k", Retention={"Mode": "GOVERNANCE",
                                                              "RetainUntilDate": d2})
    assert s3.get_object_retention(Bucket=locked, Key="k", VersionId=v)["Retention"] == {
        "Mode": "GOVERNANCE", "RetainUntilDate": d2}
    # extending: always
    s3.put_object_retention(Bucket=locked, Key="k", Retention={"Mode": "GOVERNANCE",
                                                              "RetainUntilDate": d3})
    # shortening or changing mode: not without the bypass header, and nothing changes
    for ret in ({"Mode": "GOVERNANCE", "RetainUntilDate": d1},
                {"Mode": "COMPLIANCE", "RetainUntilDate": d3}):
        with pytest.raises(ClientError) as e:
            s3.put_object_retention(Bucket=locked, Key="k", Retention=ret)
        assert err(e)[:2] == (403, "AccessDenied")
        assert s3.get_object_retention(Bucket=locked, Key="k")["Retention"] == {
            "Mode": "GOVERNANCE", "RetainUntilDate": d3}
    # with it: allowed from GOVERNANCE
    s3.put_object_retention(Bucket=locked, Key="k", BypassGovernanceRetention=True,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": d1})
    s3.put_object_retention(Bucket=locked, Key="k", BypassGovernanceRetention=True,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": d1})
    # COMPLIANCE: extended yes; shortened, changed or removed never, bypass or not
    s3.put_object_retention(Bucket=locked, Key="k", Retention={"Mode": "COMPLIANCE",
                                                              "RetainUntilDate": d2})
    for ret in ({"Mode": "COMPLIANCE", "RetainUntilDate": d1},
                {"Mode": "GOVERNANCE", "RetainUntilDate": d3}):
        for bypass in (False, True):
            with pytest.raises(ClientError) as e:
                s3.put_object_retention(Bucket=locked, Key="k", Retention=ret,
                                        BypassGovernanceRetention=bypass)
            assert err(e)[:2] == (403, "AccessDenied")
    status, text = raw("PUT", "/%s/k?retention" % locked, b"<Retention/>",
                       {"x-amz-bypass-governance-retention": "true"})
    assert status == 403 and "<Code>AccessDenied</Code>" in text
    assert s3.get_object_retention(Bucket=locked, Key="k")["Retention"] == {
        "Mode": "COMPLIANCE", "RetainUntilDate": d2}
    kinds = [(e["kind"], e["details"].get("mode"), e["details"].get("bypass-governance"))
             for e in audit("retention.set") + audit("retention.extended")
             if e["subject"] == "object:%s/k" % locked]
    assert sorted(kinds, key=str) == sorted([
        ("retention.set", "GOVERNANCE", None), ("retention.extended", "GOVERNANCE", None),
        ("retention.set", "GOVERNANCE", "true"), ("retention.set", "COMPLIANCE", "true"),
        ("retention.extended", "COMPLIANCE", None)], key=str)


def test_governance_removed_with_bypass(s3, locked):
    v = s3.put_object(Bucket=locked, Key="g", Body=b"x")["VersionId"]
    s3.put_object_retention(Bucket=locked, Key="g", Retention={"Mode": "GOVERNANCE",
                                                              "RetainUntilDate": future(5)})
    status, _ = raw("PUT", "/%s/g?retention&versionId=%s" % (locked, v), b"<Retention/>")
    assert status == 403
    status, text = raw("PUT", "/%s/g?retention&versionId=%s" % (locked, v), b"<Retention/>",
                       {"x-amz-bypass-governance-retention": "true"})
    assert status == 200, text
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=locked, Key="g")
    assert err(e)[:2] == (404, "NoSuchObjectLockConfiguration")
    s3.delete_object(Bucket=locked, Key="g", VersionId=v)


def test_bad_retentions_change_nothing(s3, locked, plain):
    s3.put_object(Bucket=locked, Key="b", Body=b"x")
    d = future(3)
    s3.put_object_retention(Bucket=locked, Key="b", Retention={"Mode": "GOVERNANCE",
                                                              "RetainUntilDate": d})
    n = len(audit("retention.set")) + len(audit("retention.extended"))
    past = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(ClientError) as e:
        s3.put_object_retention(Bucket=locked, Key="b", BypassGovernanceRetention=True,
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past})
    assert err(e)[:2] == (400, "InvalidArgument")
    for mode in ("governance", "Compliance", "abc", ""):
        with pytest.raises(ClientError) as e:
            s3.put_object_retention(Bucket=locked, Key="b",
                                    Retention={"Mode": mode, "RetainUntilDate": future(9)})
        assert err(e)[:2] == (400, "MalformedXML"), mode
    for body in (b"<Retention><Mode>GOVERNANCE</Mode></Retention>",
                 b"<Retention><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>",
                 b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>soon</RetainUntilDate>"
                 b"</Retention>",
                 b"<Retention><Mode>GOVERNANCE</Mode>"):
        status, text = raw("PUT", "/%s/b?retention" % locked, body)
        assert status == 400 and "<Code>MalformedXML</Code>" in text, (body, text)
    assert s3.get_object_retention(Bucket=locked, Key="b")["Retention"] == {
        "Mode": "GOVERNANCE", "RetainUntilDate": d}
    assert len(audit("retention.set")) + len(audit("retention.extended")) == n
    # a bucket without Object Lock
    s3.put_object(Bucket=plain, Key="b", Body=b"x")
    calls = [
        lambda: s3.put_object_retention(Bucket=plain, Key="b", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": future(9)}),
        lambda: s3.get_object_retention(Bucket=plain, Key="b"),
        lambda: s3.put_object_legal_hold(Bucket=plain, Key="b", LegalHold={"Status": "ON"}),
        lambda: s3.get_object_legal_hold(Bucket=plain, Key="b"),
        lambda: s3.put_object(Bucket=plain, Key="c", Body=b"x", ObjectLockMode="GOVERNANCE",
                              ObjectLockRetainUntilDate=future(9)),
        lambda: s3.put_object(Bucket=plain, Key="c", Body=b"x", ObjectLockLegalHoldStatus="ON"),
        lambda: s3.create_multipart_upload(Bucket=plain, Key="c", ObjectLockMode="COMPLIANCE",
                                           ObjectLockRetainUntilDate=future(9)),
        lambda: s3.copy_object(Bucket=plain, Key="c", CopySource={"Bucket": plain, "Key": "b"},
                               ObjectLockLegalHoldStatus="ON"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert err(e) == (400, "InvalidRequest", "Bucket is missing Object Lock Configuration")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=plain)["Contents"]] == ["b"]
    assert s3.list_multipart_uploads(Bucket=plain).get("Uploads", []) == []
    # no such key or version; a delete marker
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=locked, Key="nope")
    assert err(e)[:2] == (404, "NoSuchKey")
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=locked, Key="b", VersionId="0" * 32)
    assert err(e)[:2] == (404, "NoSuchVersion")
    dm = s3.delete_object(Bucket=locked, Key="b")["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object_retention(Bucket=locked, Key="b", VersionId=dm)
    assert err(e)[:2] == (405, "MethodNotAllowed")


# ---------------------------------------------------------------- legal holds

def test_legal_hold(s3, locked):
    v = s3.put_object(Bucket=locked, Key="h", Body=b"held")["VersionId"]
    assert s3.get_object_legal_hold(Bucket=locked, Key="h")["LegalHold"] == {"Status": "OFF"}
    s3.put_object_legal_hold(Bucket=locked, Key="h", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=locked, Key="h", VersionId=v)["LegalHold"] == {
        "Status": "ON"}
    assert s3.head_object(Bucket=locked, Key="h")["ObjectLockLegalHoldStatus"] == "ON"
    for bypass in (False, True):
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=locked, Key="h", VersionId=v, BypassGovernanceRetention=bypass)
        assert err(e)[:2] == (403, "AccessDenied")
    for status in ("on", "Off", "abc"):
        with pytest.raises(ClientError) as e:
            s3.put_object_legal_hold(Bucket=locked, Key="h", LegalHold={"Status": status})
        assert err(e)[:2] == (400, "MalformedXML")
    assert s3.get_object_legal_hold(Bucket=locked, Key="h")["LegalHold"] == {"Status": "ON"}
    s3.put_object_legal_hold(Bucket=locked, Key="h", LegalHold={"Status": "OFF"})
    on = [e for e in audit("legal-hold.on") if e["subject"] == "object:%s/h" % locked]
    off = [e for e in audit("legal-hold.off") if e["subject"] == "object:%s/h" % locked]
    assert len(on) == 1 and len(off) == 1 and on[0]["details"]["version-id"] == v
    s3.delete_object(Bucket=locked, Key="h", VersionId=v)


# ---------------------------------------------------------------- writes

def test_lock_headers_on_put_get_head(s3, locked):
    d = future(7)
    r = s3.put_object(Bucket=locked, Key="p", Body=b"abc", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=d, ObjectLockLegalHoldStatus="ON")
    for h in (s3.head_object(Bucket=locked, Key="p"),
              s3.get_object(Bucket=locked, Key="p", VersionId=r["VersionId"])):
        assert h["ObjectLockMode"] == "COMPLIANCE"
        assert h["ObjectLockRetainUntilDate"] == d
        assert h["ObjectLockLegalHoldStatus"] == "ON"
    ev = [e for e in audit("retention.set") if e["subject"] == "object:%s/p" % locked]
    assert ev and ev[-1]["details"]["source"] == "request"
    assert ev[-1]["details"]["version-id"] == r["VersionId"]
    s3.put_object_legal_hold(Bucket=locked, Key="p", LegalHold={"Status": "OFF"})
    # a plain object shows no lock headers
    s3.put_object(Bucket=locked, Key="q", Body=b"x")
    h = s3.head_object(Bucket=locked, Key="q")
    assert "ObjectLockMode" not in h and "ObjectLockLegalHoldStatus" not in h


def test_bad_lock_headers_store_nothing(s3, locked):
    before = s3.list_object_versions(Bucket=locked).get("Versions", [])
    cases = [
        ({"ObjectLockMode": "GOVERNANCE"}, "must both be supplied"),
        ({"ObjectLockRetainUntilDate": future(3)}, "must both be supplied"),
        ({"ObjectLockMode": "governance", "ObjectLockRetainUntilDate": future(3)}, "wormMode"),
        ({"ObjectLockMode": "GOVERNANCE",
          "ObjectLockRetainUntilDate": datetime.datetime(2001, 1, 1, tzinfo=UTC)}, "future"),
        ({"ObjectLockLegalHoldStatus": "on"}, "Legal Hold"),
    ]
    for kw, why in cases:
        with pytest.raises(ClientError) as e:
            s3.put_object(Bucket=locked, Key="bad", Body=b"x", **kw)
        status, code, msg = err(e)
        assert (status, code) == (400, "InvalidArgument") and why in msg, (kw, msg)
        with pytest.raises(ClientError) as e:
            s3.create_multipart_upload(Bucket=locked, Key="bad", **kw)
        assert err(e)[:2] == (400, "InvalidArgument")
    status, text = raw("PUT", "/%s/bad" % locked, b"x", {
        "x-amz-object-lock-mode": "GOVERNANCE",
        "x-amz-object-lock-retain-until-date": "next tuesday"})
    assert status == 400 and "ISO 8601" in text
    for date, why in (("9999-12-31T00:00:00Z", "before 2262"), ("0001-01-01T00:00:00Z", "future")):
        status, text = raw("PUT", "/%s/bad" % locked, b"x", {
            "x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": date})
        assert status == 400 and "InvalidArgument" in text and why in text, text
        status, text = raw("PUT", "/%s/bad?retention" % locked, (
            "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>%s</RetainUntilDate>"
            "</Retention>" % date).encode())
        assert status == 400 and "InvalidArgument" in text and why in text, text
    assert s3.list_object_versions(Bucket=locked).get("Versions", []) == before
    assert s3.list_multipart_uploads(Bucket=locked).get("Uploads", []) == []


def test_default_retention_is_an_absolute_date(s3, locked):
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}})
    t0 = datetime.datetime.now(UTC)
    v = s3.put_object(Bucket=locked, Key="d", Body=b"x")["VersionId"]
    r = s3.get_object_retention(Bucket=locked, Key="d")["Retention"]
    assert r["Mode"] == "GOVERNANCE"
    assert abs((r["RetainUntilDate"] - t0) - datetime.timedelta(days=2)) < \
        datetime.timedelta(seconds=30)
    # a later change of the default does not move a version's date
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
    assert s3.get_object_retention(Bucket=locked, Key="d", VersionId=v)["Retention"] == r
    v2 = s3.put_object(Bucket=locked, Key="d", Body=b"y")["VersionId"]
    r2 = s3.get_object_retention(Bucket=locked, Key="d", VersionId=v2)["Retention"]
    assert r2["Mode"] == "COMPLIANCE"
    assert r2["RetainUntilDate"] - t0 > datetime.timedelta(days=364)
    # explicit headers win over the default
    d = future(1)
    s3.put_object(Bucket=locked, Key="e", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=d)
    assert s3.get_object_retention(Bucket=locked, Key="e")["Retention"] == {
        "Mode": "GOVERNANCE", "RetainUntilDate": d}
    ev = [e for e in audit("retention.set") if e["subject"] == "object:%s/d" % locked]
    assert [e["details"]["source"] for e in ev] == ["bucket-default", "bucket-default"]
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=locked, Key="d", VersionId=v2, BypassGovernanceRetention=True)
    assert err(e)[:2] == (403, "AccessDenied")


def test_multipart_and_copy(s3, locked):
    d = future(4)
    up = s3.create_multipart_upload(Bucket=locked, Key="m", ObjectLockMode="GOVERNANCE",
                                    ObjectLockRetainUntilDate=d, ObjectLockLegalHoldStatus="ON")
    # not applied before completion: nothing is stored yet
    part = s3.upload_part(Bucket=locked, Key="m", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"abc")
    v = s3.complete_multipart_upload(Bucket=locked, Key="m", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": [{"ETag": part["ETag"],
                                                                 "PartNumber": 1}]})["VersionId"]
    h = s3.head_object(Bucket=locked, Key="m", VersionId=v)
    assert (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"],
            h["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", d, "ON")
    # a copy takes the lock of its own request, never the source's
    c = s3.copy_object(Bucket=locked, Key="c1", CopySource={"Bucket": locked, "Key": "m"})
    h = s3.head_object(Bucket=locked, Key="c1", VersionId=c["VersionId"])
    assert "ObjectLockMode" not in h and "ObjectLockLegalHoldStatus" not in h
    d2 = future(6)
    c = s3.copy_object(Bucket=locked, Key="c2", CopySource={"Bucket": locked, "Key": "m"},
                       ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=d2)
    h = s3.head_object(Bucket=locked, Key="c2")
    assert (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"]) == ("COMPLIANCE", d2)
    assert s3.get_object(Bucket=locked, Key="c2")["Body"].read() == b"abc"
    s3.put_object_legal_hold(Bucket=locked, Key="m", VersionId=v, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=locked, Key="m", VersionId=v, BypassGovernanceRetention=True)


# ---------------------------------------------------------------- deletes

def test_deletes(s3, locked):
    body = b"keep me"
    until = future(seconds=6)
    g = s3.put_object(Bucket=locked, Key="g", Body=body, ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=until)["VersionId"]
    c = s3.put_object(Bucket=locked, Key="c", Body=body, ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=until)["VersionId"]
    f = s3.put_object(Bucket=locked, Key="f", Body=body)["VersionId"]
    for k, v in (("g", g), ("c", c)):
        with pytest.raises(ClientError) as e:
            s3.delete_object(Bucket=locked, Key=k, VersionId=v)
        assert err(e)[:2] == (403, "AccessDenied")
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=locked, Key="c", VersionId=c, BypassGovernanceRetention=True)
    assert err(e)[:2] == (403, "AccessDenied")
    # delete markers hide; they destroy nothing, so they are always allowed
    for k in ("g", "c"):
        r = s3.delete_object(Bucket=locked, Key=k)
        assert r["DeleteMarker"] is True
    # DeleteObjects: per key
    r = s3.delete_objects(Bucket=locked, Delete={"Objects": [
        {"Key": "g", "VersionId": g}, {"Key": "c", "VersionId": c}, {"Key": "f", "VersionId": f}]})
    assert sorted((e["Key"], e["Code"], e["VersionId"]) for e in r["Errors"]) == [
        ("c", "AccessDenied", c), ("g", "AccessDenied", g)]
    assert [(d["Key"], d["VersionId"]) for d in r["Deleted"]] == [("f", f)]
    r = s3.delete_objects(Bucket=locked, BypassGovernanceRetention=True, Delete={"Objects": [
        {"Key": "g", "VersionId": g}, {"Key": "c", "VersionId": c}]})
    assert [(e["Key"], e["Code"]) for e in r["Errors"]] == [("c", "AccessDenied")]
    assert [d["Key"] for d in r["Deleted"]] == ["g"]
    ev = [e for e in audit("retention.bypassed") if e["subject"] == "object:%s/g" % locked]
    assert len(ev) == 1
    # the COMPLIANCE version survives the reclaimer, and reads back
    subprocess.run([os.environ["HOLDFAST_BIN"], "reclaim"], check=True, capture_output=True)
    assert readable(s3, locked, "c", c, body)
    with pytest.raises(ClientError):
        s3.get_object(Bucket=locked, Key="g", VersionId=g)
    # once the retention ran out, the owner may delete it
    assert datetime.datetime.now(UTC) < until, "too slow: the retention ran out meanwhile"
    time.sleep(max(0.0, (until - datetime.datetime.now(UTC)).total_seconds()) + 0.2)
    s3.delete_object(Bucket=locked, Key="c", VersionId=c)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=locked, Key="c", VersionId=c)
    assert err(e)[:2] == (404, "NoSuchVersion")


def test_retained_version_survives_reclaim(s3, locked):
    body = os.urandom(300_000)
    v = s3.put_object(Bucket=locked, Key="r", Body=body, ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=future(30))["VersionId"]
    s3.put_object(Bucket=locked, Key="r", Body=b"newer")
    s3.delete_object(Bucket=locked, Key="r")
    with pytest.raises(ClientError) as e:
        s3.delete_object(Bucket=locked, Key="r", VersionId=v)
    assert err(e)[:2] == (403, "AccessDenied")
    out = subprocess.run([os.environ["HOLDFAST_BIN"], "reclaim", "--orphans", "--json"],
                         check=True, capture_output=True, text=True).stdout
    assert readable(s3, locked, "r", v, body), out
    s3.delete_object(Bucket=locked, Key="r", VersionId=v, BypassGovernanceRetention=True)
