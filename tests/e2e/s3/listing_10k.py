"""
Listing 10,000 keys: upload them as fast as the server allows (16 threads
over one boto3 client), then list them every way S3 clients do: V2 with
continuation tokens, V2 with a delimiter (pages of 1000 and of 7, so pages
end on common prefixes), V1 with markers, with and without a delimiter.
Run by tests/e2e/test_s3_clients.sh with HF_* set; prints one line per
check, "ok WHAT" or "FAIL WHAT", and "PUTS n seconds" for the upload rate.
Not named test_* so pytest never collects it.
"""
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

EP = os.environ["HF_ENDPOINT"]
BUCKET = sys.argv[1] if len(sys.argv) > 1 else "list10k"

s3 = boto3.client(
    "s3",
    endpoint_url=EP,
    aws_access_key_id=os.environ["HF_AK"],
    aws_secret_access_key=os.environ["HF_SK"],
    region_name="us-east-1",
    config=Config(signature_version="s3v4", max_pool_connections=32,
                  retries={"max_attempts": 1}),
)

failed = 0


def check(what, cond, detail=""):
    global failed
    if cond:
        print(f"ok {what}", flush=True)
    else:
        failed += 1
        print(f"FAIL {what}: {detail}"[:600], flush=True)


# 9,990 keys in 50 directories and 10 top-level keys chosen to sit next to
# the directories in sort order: "dir00" and "dir00.txt" sort before the
# prefix "dir00/" ('.' < '/'), "dir49~" after the last one, a non-ASCII key
# after everything ASCII, and characters a URL encoder must handle.
N_DIR = 9990
TOP = ["!first", "a+b=c", "dir", "dir00", "dir00-x", "dir00.txt",
       "dir49~", "space key", "~tilde", "zz-\u00fcnicode-\u00e9"]
keys = [f"dir{i % 50:02d}/obj{i:05d}" for i in range(N_DIR)] + TOP
N = len(keys)
assert N == 10000 and len(set(keys)) == N
# S3 lists in UTF-8 byte order; Python compares code points, the same order.
want = sorted(keys, key=lambda k: k.encode())
prefixes = sorted({f"dir{i:02d}/" for i in range(50)})
want_delim = sorted(prefixes + TOP, key=lambda k: k.encode())

s3.create_bucket(Bucket=BUCKET)


def put(k):
    s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())


t0 = time.monotonic()
errors = []
with ThreadPoolExecutor(max_workers=16) as ex:
    for f in [ex.submit(put, k) for k in keys]:
        try:
            f.result()
        except Exception as e:  # noqa: BLE001 — reported as a failed check
            errors.append(repr(e))
dt = time.monotonic() - t0
print(f"PUTS {N} {dt:.2f}", flush=True)
check(f"10,000 PUTs from 16 threads all succeeded ({N / dt:.0f} PUT/s)",
      not errors, f"{len(errors)} errors, first: {errors[:1]}")

# --- V2, no delimiter, pages of 1000
got, pages, sizes = [], 0, set()
for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, PaginationConfig={"PageSize": 1000}):
    pages += 1
    got += [o["Key"] for o in page.get("Contents", [])]
    sizes |= {o["Size"] == len(o["Key"].encode()) for o in page.get("Contents", [])}
    if pages > 100:
        break
check("ListObjectsV2 pages of 1000: exactly the 10,000 keys, in order",
      got == want, f"{len(got)} keys, {len(set(got))} distinct, "
      f"first difference at {next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))}")
check("ListObjectsV2 pages of 1000: 10 pages", pages == 10, f"{pages} pages")
check("ListObjectsV2: every Size is the bytes stored", sizes == {True}, sizes)

# --- V2, delimiter, one page
r = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
cps = [p["Prefix"] for p in r.get("CommonPrefixes", [])]
top = [o["Key"] for o in r.get("Contents", [])]
check("ListObjectsV2 Delimiter=/: the 50 common prefixes",
      cps == prefixes, f"{len(cps)} prefixes: {cps[:5]}...")
check("ListObjectsV2 Delimiter=/: the 10 top-level keys in order",
      top == sorted(TOP, key=lambda k: k.encode()), top)
check("ListObjectsV2 Delimiter=/: KeyCount 60, not truncated",
      r.get("KeyCount") == 60 and r.get("IsTruncated") is False,
      f"KeyCount={r.get('KeyCount')} IsTruncated={r.get('IsTruncated')}")

# --- V2, delimiter, pages of 7: pages end on common prefixes, and the
# continuation must skip every key under a prefix already returned.
seq, pages, over = [], 0, []
for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Delimiter="/", PaginationConfig={"PageSize": 7}):
    pages += 1
    items = [o["Key"] for o in page.get("Contents", [])] + \
        [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    if len(items) > 7 or page.get("KeyCount") != len(items):
        over.append((len(items), page.get("KeyCount")))
    seq += sorted(items, key=lambda k: k.encode())
    if pages > 100:
        break
check("ListObjectsV2 Delimiter=/ pages of 7: the same 60 entries, no duplicates, in order",
      seq == want_delim, f"{len(seq)} entries, {len(set(seq))} distinct: "
      f"{[x for x in seq if seq.count(x) > 1][:5]}")
check("ListObjectsV2 Delimiter=/ pages of 7: 9 pages of at most 7, KeyCount right",
      pages == 9 and not over, f"{pages} pages, bad pages {over[:3]}")

# --- V2, prefix + delimiter inside one directory, pages of 50
got = []
for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix="dir07/", Delimiter="/",
        PaginationConfig={"PageSize": 50}):
    got += [o["Key"] for o in page.get("Contents", [])]
check("ListObjectsV2 Prefix=dir07/ Delimiter=/: the directory's 200 keys",
      got == [k for k in want if k.startswith("dir07/")], f"{len(got)} keys")

# --- V2 StartAfter
r = s3.list_objects_v2(Bucket=BUCKET, StartAfter="dir48/obj09998", MaxKeys=1000)
got = [o["Key"] for o in r.get("Contents", [])]
check("ListObjectsV2 StartAfter: the keys after it",
      got == [k for k in want if k.encode() > b"dir48/obj09998"], got[:5])

# --- V1, marker pagination, no delimiter
got, marker, pages = [], "", 0
while pages < 100:
    r = s3.list_objects(Bucket=BUCKET, Marker=marker, MaxKeys=1000)
    pages += 1
    ks = [o["Key"] for o in r.get("Contents", [])]
    got += ks
    if not r.get("IsTruncated"):
        break
    marker = r.get("NextMarker") or ks[-1]
check("ListObjects (v1) Marker pagination: exactly the 10,000 keys, in order",
      got == want and pages == 10, f"{len(got)} keys, {len(set(got))} distinct, {pages} pages")

# --- V1, delimiter, pages of 7: NextMarker is required here
seq, marker, pages, nomarker = [], "", 0, 0
while pages < 100:
    r = s3.list_objects(Bucket=BUCKET, Marker=marker, MaxKeys=7, Delimiter="/")
    pages += 1
    items = [o["Key"] for o in r.get("Contents", [])] + \
        [p["Prefix"] for p in r.get("CommonPrefixes", [])]
    seq += sorted(items, key=lambda k: k.encode())
    if not r.get("IsTruncated"):
        break
    if not r.get("NextMarker"):
        nomarker += 1
        marker = max(items, key=lambda k: k.encode())
    else:
        marker = r["NextMarker"]
check("ListObjects (v1) Delimiter=/ pages of 7: NextMarker on every truncated page",
      nomarker == 0, f"{nomarker} truncated pages without NextMarker")
check("ListObjects (v1) Delimiter=/ pages of 7: the same 60 entries, no duplicates, in order",
      seq == want_delim, f"{len(seq)} entries, {len(set(seq))} distinct")

print("END", flush=True)
sys.exit(1 if failed else 0)
