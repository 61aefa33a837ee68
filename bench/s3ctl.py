#!/usr/bin/python3
"""s3ctl.py — the control-plane half of bench/http.sh, with Debian's boto3.

The bytes of every timed request go through curl or wrk; this script only
signs URLs and runs the few untimed S3 calls around them.

  s3ctl.py presign-lua METHOD BUCKET PREFIX N   a Lua chunk returning the N
        presigned paths ("/BUCKET/PREFIXi?X-Amz-...") for i in 0..N-1, for wrk
  s3ctl.py mpu-create BUCKET KEY                 prints the upload id
  s3ctl.py presign-parts BUCKET KEY UPLOAD N     N presigned UploadPart URLs
  s3ctl.py mpu-complete BUCKET KEY UPLOAD        ListParts, then Complete;
        prints the object's size

The endpoint and credentials come from HF_ENDPOINT, HF_AK, HF_SK (set by
start_server in tests/e2e/s3lib.sh).  Presigned URLs are valid for 6 hours.
"""
import os
import sys
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

EXPIRES = 6 * 3600


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["HF_ENDPOINT"],
        aws_access_key_id=os.environ["HF_AK"],
        aws_secret_access_key=os.environ["HF_SK"],
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def presign_lua(s3, method, bucket, prefix, n):
    op = {"GET": "get_object", "PUT": "put_object"}[method]
    out = ["return {"]
    for i in range(int(n)):
        url = s3.generate_presigned_url(
            op, Params={"Bucket": bucket, "Key": f"{prefix}{i}"}, ExpiresIn=EXPIRES)
        u = urlsplit(url)
        out.append(f'"{u.path}?{u.query}",')
    out.append("}")
    print("\n".join(out))


def main(argv):
    s3 = client()
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "presign-lua" and len(argv) == 6:
        presign_lua(s3, argv[2].upper(), argv[3], argv[4], argv[5])
    elif cmd == "mpu-create" and len(argv) == 4:
        print(s3.create_multipart_upload(Bucket=argv[2], Key=argv[3])["UploadId"])
    elif cmd == "presign-parts" and len(argv) == 6:
        for p in range(1, int(argv[5]) + 1):
            print(s3.generate_presigned_url(
                "upload_part",
                Params={"Bucket": argv[2], "Key": argv[3], "UploadId": argv[4],
                        "PartNumber": p},
                ExpiresIn=EXPIRES))
    elif cmd == "mpu-complete" and len(argv) == 5:
        parts = []
        kw = {"Bucket": argv[2], "Key": argv[3], "UploadId": argv[4]}
        while True:
            r = s3.list_parts(**kw)
            parts += [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]}
                      for p in r.get("Parts", [])]
            if not r.get("IsTruncated"):
                break
            kw["PartNumberMarker"] = r["NextPartNumberMarker"]
        s3.complete_multipart_upload(Bucket=argv[2], Key=argv[3], UploadId=argv[4],
                                     MultipartUpload={"Parts": parts})
        print(s3.head_object(Bucket=argv[2], Key=argv[3])["ContentLength"])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
