"""boto3's everyday calls against a Cairn endpoint; exits non-zero on the first failed check.

Usage: python3 boto3_everyday.py ENDPOINT BUCKET WORKDIR (keys from AWS_ACCESS_KEY_ID/SECRET).
Prints one line per check so the test log shows how far it got.
"""
import hashlib
import os
import sys
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.client import Config
from botocore.exceptions import ClientError

endpoint, bucket, work = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def error_code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


s3.create_bucket(Bucket=bucket)
check("list_buckets", bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]])
s3.head_bucket(Bucket=bucket)
check("create_bucket twice", error_code(s3.create_bucket, Bucket=bucket) in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"))
loc = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
check("get_bucket_location", loc in (None, "", "us-east-1"), repr(loc))

body = b"hello boto3 " * 100
put = s3.put_object(Bucket=bucket, Key="dir/hello.txt", Body=body, ContentType="text/plain", Metadata={"Owner": "e2e"})
check("put_object etag", put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), put["ETag"])
got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
check("get_object body", got["Body"].read() == body)
check("get_object content type", got["ContentType"] == "text/plain")
check("get_object metadata", got["Metadata"] == {"owner": "e2e"}, repr(got["Metadata"]))
rng = s3.get_object(Bucket=bucket, Key="dir/hello.txt", Range="bytes=6-10")
check("get_object range", rng["Body"].read() == b"boto3" and rng["ContentRange"] == f"bytes 6-10/{len(body)}")
head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
check("head_object", head["ContentLength"] == len(body))
check("get_object missing", error_code(s3.get_object, Bucket=bucket, Key="nope") == "NoSuchKey")
check("head_object missing", error_code(s3.head_object, Bucket=bucket, Key="nope") == "404")
check("get_object no bucket", error_code(s3.get_object, Bucket=bucket + "-none", Key="k") == "NoSuchBucket")

for i in range(5):
    s3.put_object(Bucket=bucket, Key=f"page/{i:02d}", Body=str(i).encode())
keys, token = [], None
while True:
    kw = {"Bucket": bucket, "Prefix": "page/", "MaxKeys": 2}
    if token:
        kw["ContinuationToken"] = token
    page = s3.list_objects_v2(**kw)
    keys += [o["Key"] for o in page.get("Contents", [])]
    if not page["IsTruncated"]:
        break
    token = page["NextContinuationToken"]
check("list_objects_v2 paginated", keys == [f"page/{i:02d}" for i in range(5)], repr(keys))
v1 = s3.list_objects(Bucket=bucket, Prefix="page/", Marker="page/02")
check("list_objects v1 marker", [o["Key"] for o in v1["Contents"]] == ["page/03", "page/04"])
delim = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
check("list_objects_v2 delimiter", sorted(p["Prefix"] for p in delim["CommonPrefixes"]) == ["dir/", "page/"])

s3.copy_object(Bucket=bucket, Key="copy.txt", CopySource={"Bucket": bucket, "Key": "dir/hello.txt"})
check("copy_object", s3.get_object(Bucket=bucket, Key="copy.txt")["Body"].read() == body)
s3.copy_object(Bucket=bucket, Key="copy2.txt", CopySource=f"{bucket}/dir/hello.txt",
               MetadataDirective="REPLACE", Metadata={"new": "yes"}, ContentType="application/x-new")
h2 = s3.head_object(Bucket=bucket, Key="copy2.txt")
check("copy_object replace metadata", h2["Metadata"] == {"new": "yes"} and h2["ContentType"] == "application/x-new")

s3.delete_object(Bucket=bucket, Key="copy.txt")
check("delete_object", error_code(s3.head_object, Bucket=bucket, Key="copy.txt") == "404")
res = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"page/{i:02d}"} for i in range(5)] + [{"Key": "never-existed"}]})
check("delete_objects", len(res["Deleted"]) == 6 and not res.get("Errors"), repr(res.get("Errors")))

src = os.path.join(work, "upload.bin")
with open(src, "wb") as f:
    f.write(os.urandom(12 * 1024 * 1024 + 3))
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_file(src, bucket, "big/upload.bin", Config=cfg)
check("upload_file multipart etag", s3.head_object(Bucket=bucket, Key="big/upload.bin")["ETag"].endswith('-3"'))
dst = os.path.join(work, "download.bin")
s3.download_file(bucket, "big/upload.bin", dst, Config=cfg)
check("download_file", open(src, "rb").read() == open(dst, "rb").read())

mp = s3.create_multipart_upload(Bucket=bucket, Key="manual-mp")
part1 = s3.upload_part(Bucket=bucket, Key="manual-mp", UploadId=mp["UploadId"], PartNumber=1, Body=b"a" * (5 * 1024 * 1024))
part2 = s3.upload_part(Bucket=bucket, Key="manual-mp", UploadId=mp["UploadId"], PartNumber=2, Body=b"b" * 10)
parts = s3.list_parts(Bucket=bucket, Key="manual-mp", UploadId=mp["UploadId"])["Parts"]
check("list_parts", [p["PartNumber"] for p in parts] == [1, 2])
s3.complete_multipart_upload(Bucket=bucket, Key="manual-mp", UploadId=mp["UploadId"], MultipartUpload={
    "Parts": [{"ETag": part1["ETag"], "PartNumber": 1}, {"ETag": part2["ETag"], "PartNumber": 2}]})
check("complete_multipart_upload", s3.head_object(Bucket=bucket, Key="manual-mp")["ContentLength"] == 5 * 1024 * 1024 + 10)
small = s3.create_multipart_upload(Bucket=bucket, Key="too-small")
p1 = s3.upload_part(Bucket=bucket, Key="too-small", UploadId=small["UploadId"], PartNumber=1, Body=b"x")
p2 = s3.upload_part(Bucket=bucket, Key="too-small", UploadId=small["UploadId"], PartNumber=2, Body=b"y")
code = error_code(s3.complete_multipart_upload, Bucket=bucket, Key="too-small", UploadId=small["UploadId"],
                  MultipartUpload={"Parts": [{"ETag": p1["ETag"], "PartNumber": 1}, {"ETag": p2["ETag"], "PartNumber": 2}]})
check("complete with a too-small part", code == "EntityTooSmall", repr(code))
ab = s3.create_multipart_upload(Bucket=bucket, Key="aborted")
check("list_multipart_uploads", ab["UploadId"] in [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])])
s3.abort_multipart_upload(Bucket=bucket, Key="aborted", UploadId=ab["UploadId"])
s3.abort_multipart_upload(Bucket=bucket, Key="too-small", UploadId=small["UploadId"])
check("abort_multipart_upload", error_code(s3.list_parts, Bucket=bucket, Key="aborted", UploadId=ab["UploadId"]) == "NoSuchUpload")

url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt"}, ExpiresIn=300)
check("presigned GET", urllib.request.urlopen(url).read() == body)
purl = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned-put"}, ExpiresIn=300)
urllib.request.urlopen(urllib.request.Request(purl, data=b"via presigned put", method="PUT")).read()
check("presigned PUT", s3.get_object(Bucket=bucket, Key="presigned-put")["Body"].read() == b"via presigned put")

check("delete_bucket non-empty", error_code(s3.delete_bucket, Bucket=bucket) == "BucketNotEmpty")
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    for o in page.get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=o["Key"])
s3.delete_bucket(Bucket=bucket)
check("delete_bucket", error_code(s3.head_bucket, Bucket=bucket) == "404")
print("ALL OK", flush=True)
