"""boto3 against a Cairn endpoint for the issue-8 APIs: it observes, the bun test judges.

Usage: python3 boto3_issue8.py ENDPOINT BUCKET_PREFIX (keys from AWS_ACCESS_KEY_ID/SECRET).
Each section runs on its own bucket and records what the server answered (values, error codes);
one that raises records the traceback instead, so one broken API does not hide the others.
Prints one JSON object {section: observations} as the last line of stdout.
"""
import datetime
import json
import sys
import traceback
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.client import Config
from botocore.exceptions import ClientError

endpoint, prefix = sys.argv[1], sys.argv[2]
CONFIG = dict(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=Config(**CONFIG))
anon = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                    config=Config(**{**CONFIG, "signature_version": UNSIGNED}))
sections = {}


def section(fn):
    try:
        sections[fn.__name__] = fn(f"{prefix}-{fn.__name__.replace('_', '-')}")
    except Exception:  # noqa: BLE001 - the traceback is the observation
        sections[fn.__name__] = {"crashed": traceback.format_exc()}
    return fn


def err(fn, **kw):
    """The error a call got as {code, message, status}, or None when it succeeded."""
    try:
        fn(**kw)
    except ClientError as e:
        return {"code": e.response["Error"].get("Code"), "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def code(fn, **kw):
    e = err(fn, **kw)
    return e and e["code"]


def body(client, bucket, key, **kw):
    try:
        return client.get_object(Bucket=bucket, Key=key, **kw)["Body"].read().decode()
    except ClientError as e:
        return "error:" + e.response["Error"]["Code"]


def tags(**kw):
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(**kw)["TagSet"]}


def in_days(d):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=d)


@section
def versioning(b):
    s3.create_bucket(Bucket=b)
    o = {"initial": s3.get_bucket_versioning(Bucket=b).get("Status")}
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    o["enabled"] = s3.get_bucket_versioning(Bucket=b).get("Status")
    v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
    s3.put_object(Bucket=b, Key="k2", Body=b"other")
    marker = s3.delete_object(Bucket=b, Key="k")
    o.update(v1=v1, v2=v2, marker_is_marker=marker.get("DeleteMarker"), marker_id=marker.get("VersionId"))
    o["get_after_delete"] = code(s3.get_object, Bucket=b, Key="k")
    o["get_v1"] = body(s3, b, "k", VersionId=v1)
    head = s3.head_object(Bucket=b, Key="k", VersionId=v2)
    o["head_v2"] = {"VersionId": head.get("VersionId"), "ContentLength": head["ContentLength"]}
    full = s3.list_object_versions(Bucket=b)
    o["listing"] = [[v["Key"], v["VersionId"], v["IsLatest"]] for v in full.get("Versions", [])]
    o["markers"] = [[m["Key"], m["VersionId"], m["IsLatest"]] for m in full.get("DeleteMarkers", [])]
    pages, kw = [], {"Bucket": b, "MaxKeys": 1}
    while True:
        page = s3.list_object_versions(**kw)
        pages.append([[e["Key"], e["VersionId"]] for e in page.get("DeleteMarkers", []) + page.get("Versions", [])])
        if not page["IsTruncated"]:
            break
        kw.update(KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
    o["pages"] = pages
    from_marker = s3.list_object_versions(Bucket=b, KeyMarker="k", VersionIdMarker=v2)
    o["after_v2"] = [[v["Key"], v["VersionId"]] for v in from_marker.get("Versions", [])]
    copy = s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
    o["copy_source_version"] = copy.get("CopySourceVersionId")
    o["copy_body"] = body(s3, b, "copy")
    s3.put_object_tagging(Bucket=b, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]})
    o["tags_v1"] = tags(Bucket=b, Key="k", VersionId=v1)
    o["tags_v2"] = tags(Bucket=b, Key="k", VersionId=v2)
    o["delete_marker"] = s3.delete_object(Bucket=b, Key="k", VersionId=o["marker_id"]).get("DeleteMarker")
    o["get_after_marker_removed"] = body(s3, b, "k")
    s3.delete_object(Bucket=b, Key="k", VersionId=v2)
    o["get_deleted_version"] = code(s3.get_object, Bucket=b, Key="k", VersionId=v2)
    o["get_latest_after_version_delete"] = body(s3, b, "k")
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    o["suspended"] = s3.get_bucket_versioning(Bucket=b).get("Status")
    s3.put_object(Bucket=b, Key="k", Body=b"three")
    s3.put_object(Bucket=b, Key="k", Body=b"four")
    listed = s3.list_object_versions(Bucket=b, Prefix="k").get("Versions", [])
    o["suspended_versions"] = [[v["Key"], v["VersionId"], v["IsLatest"]] for v in listed if v["Key"] == "k"]
    o["suspended_latest"] = body(s3, b, "k")
    return o


@section
def tagging(b):
    s3.create_bucket(Bucket=b)
    s3.put_object(Bucket=b, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    o = {"put_header_tags": tags(Bucket=b, Key="t"), "tag_count": s3.get_object(Bucket=b, Key="t").get("TagCount")}
    ten = [{"Key": f"k{i}", "Value": "v"} for i in range(10)]
    s3.put_object_tagging(Bucket=b, Key="t", Tagging={"TagSet": ten})
    o["ten"] = len(tags(Bucket=b, Key="t"))
    eleven = ten + [{"Key": "k10", "Value": "v"}]
    o["eleven"] = err(s3.put_object_tagging, Bucket=b, Key="t", Tagging={"TagSet": eleven})
    o["long_key"] = code(s3.put_object_tagging, Bucket=b, Key="t", Tagging={"TagSet": [{"Key": "k" * 129, "Value": "v"}]})
    o["long_value"] = code(s3.put_object_tagging, Bucket=b, Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "v" * 257}]})
    o["duplicate"] = code(s3.put_object_tagging, Bucket=b, Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]})
    o["header_eleven"] = code(s3.put_object, Bucket=b, Key="t2", Body=b"x", Tagging="&".join(f"k{i}=v" for i in range(11)))
    s3.delete_object_tagging(Bucket=b, Key="t")
    o["after_delete"] = tags(Bucket=b, Key="t")
    s3.put_object(Bucket=b, Key="src", Body=b"s", Tagging="from=src")
    s3.copy_object(Bucket=b, Key="dst-copy", CopySource={"Bucket": b, "Key": "src"})
    s3.copy_object(Bucket=b, Key="dst-replace", CopySource={"Bucket": b, "Key": "src"}, TaggingDirective="REPLACE", Tagging="to=dst")
    o["copy_default"] = tags(Bucket=b, Key="dst-copy")
    o["copy_replace"] = tags(Bucket=b, Key="dst-replace")
    o["bucket_none"] = code(s3.get_bucket_tagging, Bucket=b)
    fifty = [{"Key": f"b{i}", "Value": "v"} for i in range(50)]
    s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": fifty})
    o["bucket_fifty"] = len(s3.get_bucket_tagging(Bucket=b)["TagSet"])
    o["bucket_fifty_one"] = err(s3.put_bucket_tagging, Bucket=b, Tagging={"TagSet": fifty + [{"Key": "b50", "Value": "v"}]})
    o["bucket_long_key"] = code(s3.put_bucket_tagging, Bucket=b, Tagging={"TagSet": [{"Key": "k" * 129, "Value": "v"}]})
    s3.delete_bucket_tagging(Bucket=b)
    o["bucket_after_delete"] = code(s3.get_bucket_tagging, Bucket=b)
    return o


def public_read_policy(b, resource, effect="Allow", action="s3:GetObject", **extra):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Principal": "*", "Action": action, "Resource": resource, **extra}]})


@section
def policy(b):
    s3.create_bucket(Bucket=b)
    for key in ("pub/f.txt", "pub/secret.txt", "priv/f.txt"):
        s3.put_object(Bucket=b, Key=key, Body=key.encode())
    o = {"none": code(s3.get_bucket_policy, Bucket=b), "anon_before": body(anon, b, "pub/f.txt")}
    doc = {"Version": "2012-10-17", "Statement": [
        {"Sid": "read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{b}/pub/*"},
        {"Sid": "hide", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": "s3:Get*", "Resource": f"arn:aws:s3:::{b}/pub/secret*"},
        {"Sid": "list", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{b}",
         "Condition": {"StringLike": {"s3:prefix": ["pub/*"]}}}]}
    s3.put_bucket_policy(Bucket=b, Policy=json.dumps(doc))
    o["round_trip"] = json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]) == doc
    o["status_public"] = s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"]
    o["anon_pub"] = body(anon, b, "pub/f.txt")
    o["anon_denied_by_deny"] = body(anon, b, "pub/secret.txt")
    o["anon_priv"] = body(anon, b, "priv/f.txt")
    o["anon_put"] = code(anon.put_object, Bucket=b, Key="pub/new", Body=b"x")
    o["anon_list_pub"] = [c["Key"] for c in anon.list_objects_v2(Bucket=b, Prefix="pub/").get("Contents", [])]
    o["anon_list_all"] = code(anon.list_objects_v2, Bucket=b)
    o["owner_secret"] = body(s3, b, "pub/secret.txt")
    o["malformed_json"] = code(s3.put_bucket_policy, Bucket=b, Policy="{not json")
    o["bad_effect"] = code(s3.put_bucket_policy, Bucket=b, Policy=public_read_policy(b, f"arn:aws:s3:::{b}/*", effect="Perhaps"))
    o["other_bucket_resource"] = code(s3.put_bucket_policy, Bucket=b, Policy=public_read_policy(b, "arn:aws:s3:::someone-else/*"))
    o["still_public_after_bad_puts"] = body(anon, b, "pub/f.txt")
    ip_only = public_read_policy(b, f"arn:aws:s3:::{b}/*", Condition={"IpAddress": {"aws:SourceIp": "10.9.8.0/24"}})
    s3.put_bucket_policy(Bucket=b, Policy=ip_only)
    o["status_ip_only"] = s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"]
    o["anon_from_other_ip"] = body(anon, b, "pub/f.txt")
    s3.delete_bucket_policy(Bucket=b)
    o["after_delete"] = code(s3.get_bucket_policy, Bucket=b)
    o["status_after_delete"] = code(s3.get_bucket_policy_status, Bucket=b)
    return o


def grants(acl):
    return sorted(f"{g['Grantee'].get('URI', g['Grantee'].get('ID'))}:{g['Permission']}" for g in acl["Grants"])


@section
def acl(b):
    s3.create_bucket(Bucket=b)
    bucket_acl = s3.get_bucket_acl(Bucket=b)
    o = {"owner_id": bucket_acl["Owner"]["ID"], "bucket_grants": grants(bucket_acl)}
    s3.put_object(Bucket=b, Key="open", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=b, Key="closed", Body=b"closed")
    o["open_grants"] = grants(s3.get_object_acl(Bucket=b, Key="open"))
    o["closed_grants"] = grants(s3.get_object_acl(Bucket=b, Key="closed"))
    o["anon_open"] = body(anon, b, "open")
    o["anon_closed"] = body(anon, b, "closed")
    s3.put_object_acl(Bucket=b, Key="open", ACL="private")
    o["anon_open_after_private"] = body(anon, b, "open")
    o["anon_list_private_bucket"] = code(anon.list_objects_v2, Bucket=b)
    s3.put_bucket_acl(Bucket=b, ACL="public-read")
    o["public_bucket_grants"] = grants(s3.get_bucket_acl(Bucket=b))
    o["anon_list_public_bucket"] = sorted(c["Key"] for c in anon.list_objects_v2(Bucket=b).get("Contents", []))
    return o


def preflight(b, origin, method):
    req = urllib.request.Request(f"{endpoint}/{b}/obj", method="OPTIONS",
                                 headers={"Origin": origin, "Access-Control-Request-Method": method})
    try:
        with urllib.request.urlopen(req) as r:
            return {"status": r.status, "allow_origin": r.headers.get("Access-Control-Allow-Origin"),
                    "allow_methods": r.headers.get("Access-Control-Allow-Methods")}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "allow_origin": e.headers.get("Access-Control-Allow-Origin")}


@section
def cors(b):
    s3.create_bucket(Bucket=b)
    o = {"none": code(s3.get_bucket_cors, Bucket=b), "preflight_without_config": preflight(b, "https://app.example", "PUT")}
    rules = [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"],
              "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]
    s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": rules})
    got = s3.get_bucket_cors(Bucket=b)["CORSRules"]
    o["round_trip"] = [{k: v for k, v in r.items() if k != "ID"} for r in got] == rules
    o["preflight_allowed"] = preflight(b, "https://app.example", "PUT")
    o["preflight_other_origin"] = preflight(b, "https://evil.example", "PUT")
    o["preflight_other_method"] = preflight(b, "https://app.example", "DELETE")
    o["bad_method"] = code(s3.put_bucket_cors, Bucket=b, CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})
    s3.delete_bucket_cors(Bucket=b)
    o["after_delete"] = code(s3.get_bucket_cors, Bucket=b)
    return o


def retention(b, key, vid):
    r = s3.get_object_retention(Bucket=b, Key=key, VersionId=vid)["Retention"]
    return r["Mode"]


@section
def object_lock(b):
    s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
    cfg = s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]
    o = {"enabled": cfg.get("ObjectLockEnabled"), "versioning": s3.get_bucket_versioning(Bucket=b).get("Status")}
    held = s3.put_object(Bucket=b, Key="held", Body=b"h")["VersionId"]
    s3.put_object_legal_hold(Bucket=b, Key="held", VersionId=held, LegalHold={"Status": "ON"})
    o["legal_hold"] = s3.get_object_legal_hold(Bucket=b, Key="held", VersionId=held)["LegalHold"]["Status"]
    o["held_delete"] = code(s3.delete_object, Bucket=b, Key="held", VersionId=held, BypassGovernanceRetention=True)
    s3.put_object_legal_hold(Bucket=b, Key="held", VersionId=held, LegalHold={"Status": "OFF"})
    o["released_delete"] = err(s3.delete_object, Bucket=b, Key="held", VersionId=held)
    comp = s3.put_object(Bucket=b, Key="comp", Body=b"c", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=in_days(2))["VersionId"]
    o["compliance_mode"] = retention(b, "comp", comp)
    o["compliance_head"] = s3.head_object(Bucket=b, Key="comp", VersionId=comp).get("ObjectLockMode")
    o["compliance_delete_bypass"] = err(s3.delete_object, Bucket=b, Key="comp", VersionId=comp, BypassGovernanceRetention=True)
    o["compliance_shorten"] = code(s3.put_object_retention, Bucket=b, Key="comp", VersionId=comp,
                                   Retention={"Mode": "COMPLIANCE", "RetainUntilDate": in_days(1)})
    o["unversioned_delete_marker"] = s3.delete_object(Bucket=b, Key="comp").get("DeleteMarker")
    gov = s3.put_object(Bucket=b, Key="gov", Body=b"g", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=in_days(2))["VersionId"]
    o["governance_delete"] = code(s3.delete_object, Bucket=b, Key="gov", VersionId=gov)
    shorter = {"Mode": "GOVERNANCE", "RetainUntilDate": in_days(1)}
    o["governance_shorten"] = code(s3.put_object_retention, Bucket=b, Key="gov", VersionId=gov, Retention=shorter)
    o["governance_shorten_bypass"] = err(s3.put_object_retention, Bucket=b, Key="gov", VersionId=gov, Retention=shorter, BypassGovernanceRetention=True)
    o["governance_delete_bypass"] = err(s3.delete_object, Bucket=b, Key="gov", VersionId=gov, BypassGovernanceRetention=True)
    s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    rule = s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"].get("Rule", {})
    o["default_rule"] = rule.get("DefaultRetention")
    dflt = s3.put_object(Bucket=b, Key="dflt", Body=b"d")["VersionId"]
    o["default_applied"] = retention(b, "dflt", dflt)
    o["default_delete"] = code(s3.delete_object, Bucket=b, Key="dflt", VersionId=dflt)
    cp = s3.copy_object(Bucket=b, Key="copied", CopySource={"Bucket": b, "Key": "comp", "VersionId": comp},
                        ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=in_days(3))["VersionId"]
    o["copy_mode"] = retention(b, "copied", cp)
    o["zero_days"] = code(s3.put_object_lock_configuration, Bucket=b, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}})
    s3.create_bucket(Bucket=b + "-plain")
    o["plain_config"] = code(s3.get_object_lock_configuration, Bucket=b + "-plain")
    o["plain_lock_header"] = code(s3.put_object, Bucket=b + "-plain", Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON")
    return o


@section
def lifecycle(b):
    s3.create_bucket(Bucket=b)
    o = {"none": code(s3.get_bucket_lifecycle_configuration, Bucket=b)}
    rules = [
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}},
        {"ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": ""}, "NoncurrentVersionExpiration": {"NoncurrentDays": 7}},
        {"ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": ""}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
        {"ID": "markers", "Status": "Disabled", "Filter": {"Prefix": "m/"}, "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": rules})
    o["round_trip"] = s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]
    o["expiration_put"] = s3.put_object(Bucket=b, Key="logs/a", Body=b"a").get("Expiration")
    head = s3.head_object(Bucket=b, Key="logs/a")
    o["expiration_head"] = head.get("Expiration")
    o["last_modified"] = head["LastModified"].isoformat()
    o["expiration_other"] = s3.put_object(Bucket=b, Key="data/a", Body=b"a").get("Expiration")
    bad = lambda rule: code(s3.put_bucket_lifecycle_configuration, Bucket=b, LifecycleConfiguration={"Rules": [rule]})  # noqa: E731
    o["zero_days"] = bad({"ID": "z", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 0}})
    o["no_action"] = bad({"ID": "n", "Status": "Enabled", "Filter": {"Prefix": ""}})
    o["days_and_date"] = bad({"ID": "d", "Status": "Enabled", "Filter": {"Prefix": ""},
                              "Expiration": {"Days": 1, "Date": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)}})
    o["duplicate_ids"] = code(s3.put_bucket_lifecycle_configuration, Bucket=b, LifecycleConfiguration={"Rules": [rules[0], rules[0]]})
    o["unchanged_after_bad"] = [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]]
    s3.delete_bucket_lifecycle(Bucket=b)
    o["after_delete"] = code(s3.get_bucket_lifecycle_configuration, Bucket=b)
    return o


@section
def attributes(b):
    s3.create_bucket(Bucket=b)
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    put = s3.put_object(Bucket=b, Key="a", Body=b"hello attributes", ChecksumAlgorithm="SHA256")
    want = ["ETag", "ObjectSize", "StorageClass", "Checksum", "ObjectParts"]
    a = s3.get_object_attributes(Bucket=b, Key="a", ObjectAttributes=want)
    o = {"put_etag": put["ETag"], "put_sha256": put.get("ChecksumSHA256"), "put_version": put["VersionId"],
         "single": {k: a.get(k) for k in ("ETag", "ObjectSize", "StorageClass", "VersionId")},
         "single_sha256": a.get("Checksum", {}).get("ChecksumSHA256"), "single_parts": a.get("ObjectParts")}
    s3.put_object(Bucket=b, Key="a", Body=b"newer")
    o["old_version_size"] = s3.get_object_attributes(Bucket=b, Key="a", VersionId=put["VersionId"], ObjectAttributes=["ObjectSize"])["ObjectSize"]
    mp = s3.create_multipart_upload(Bucket=b, Key="mp")
    parts = [s3.upload_part(Bucket=b, Key="mp", UploadId=mp["UploadId"], PartNumber=n, Body=data)
             for n, data in ((1, b"a" * 5 * 1024 * 1024), (2, b"b" * 10))]
    s3.complete_multipart_upload(Bucket=b, Key="mp", UploadId=mp["UploadId"], MultipartUpload={
        "Parts": [{"ETag": p["ETag"], "PartNumber": n + 1} for n, p in enumerate(parts)]})
    m = s3.get_object_attributes(Bucket=b, Key="mp", ObjectAttributes=["ObjectParts", "ObjectSize", "ETag"])
    o["multipart"] = {"size": m.get("ObjectSize"), "parts": m.get("ObjectParts", {}).get("TotalPartsCount"), "etag": m.get("ETag")}
    o["missing"] = code(s3.get_object_attributes, Bucket=b, Key="nope", ObjectAttributes=["ETag"])
    return o


@section
def bucket_configs(b):
    s3.create_bucket(Bucket=b)
    o = {"encryption_none": code(s3.get_bucket_encryption, Bucket=b)}
    sse = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration=sse)
    o["encryption"] = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
    o["encryption_bad"] = code(s3.put_bucket_encryption, Bucket=b, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "ROT13"}}]})
    s3.delete_bucket_encryption(Bucket=b)
    o["encryption_after_delete"] = code(s3.get_bucket_encryption, Bucket=b)
    empty = s3.get_bucket_notification_configuration(Bucket=b)
    o["notification_empty"] = {k: v for k, v in empty.items() if k != "ResponseMetadata"}
    queue = {"Id": "new-logs", "QueueArn": "arn:minio:sqs::primary:webhook", "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "logs/"}]}}}
    s3.put_bucket_notification_configuration(Bucket=b, NotificationConfiguration={"QueueConfigurations": [queue]})
    got = s3.get_bucket_notification_configuration(Bucket=b)
    o["notification"] = got.get("QueueConfigurations")
    return o


print(json.dumps(sections, default=str), flush=True)
