"""folio local's embedded S3 refuses what S3 refuses: bytes that do not match their checksum, a
multipart completion whose whole-object CRC64NVME is wrong, a presigned URL used for another
part, key or upload, or after it expired (DESIGN §7, §9). Against a running EmbeddedAws, with
boto3 and with requests on presigned URLs."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests
from awscrt import checksums
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from folio.local.aws import LOCAL_ACCESS_KEY, LOCAL_REGION, LOCAL_SECRET_KEY, EmbeddedAws

PART = 5 << 20  # S3's smallest part but the last


def digest(algorithm: str, data: bytes) -> str:
    raw = {"CRC32": lambda: zlib.crc32(data).to_bytes(4, "big"),
           "CRC32C": lambda: checksums.crc32c(data).to_bytes(4, "big"),
           "CRC64NVME": lambda: checksums.crc64nvme(data).to_bytes(8, "big"),
           "SHA1": lambda: hashlib.sha1(data).digest(), "SHA256": lambda: hashlib.sha256(data).digest()}[algorithm]()
    return base64.b64encode(raw).decode()


def crc64(data: bytes) -> str:
    return digest("CRC64NVME", data)


@pytest.fixture(scope="module")
def embedded():
    from folio.storage.clients import reset_clients

    saved = dict(os.environ)
    aws = EmbeddedAws().start()
    try:
        yield aws
    finally:
        aws.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_clients()


@pytest.fixture(scope="module")
def s3(embedded):
    """A client as folio's own (path style, SigV4 presigned URLs), with folio local's credentials."""
    return boto3.client("s3", endpoint_url=embedded.endpoint_url, region_name=LOCAL_REGION,
                        aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY,
                        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))


@pytest.fixture
def bucket(s3):
    name = f"integrity-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


@pytest.fixture
def clock(embedded):
    """The embedded S3's clock, to move past a presigned URL's expiry without sleeping."""
    integrity = embedded._server.app
    original = integrity.clock
    yield integrity
    integrity.clock = original


def error_of(response: requests.Response) -> str:
    return response.text.split("<Code>", 1)[1].split("</Code>", 1)[0]


def refused(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


def absent(s3, bucket: str, key: str) -> bool:
    return refused(s3.head_object, Bucket=bucket, Key=key)["ResponseMetadata"]["HTTPStatusCode"] == 404


# ---------------------------------------------------------------- PutObject


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_put_object_with_its_right_checksum_is_stored_and_read_back(s3, bucket, algorithm):
    data = os.urandom(70_000)
    out = s3.put_object(Bucket=bucket, Key="k", Body=data, **{f"Checksum{algorithm}": digest(algorithm, data)})
    assert out[f"Checksum{algorithm}"] == digest(algorithm, data)
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == data and got[f"Checksum{algorithm}"] == digest(algorithm, data)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_put_object_whose_bytes_do_not_match_its_checksum_is_refused_and_not_stored(s3, bucket, algorithm):
    answer = refused(s3.put_object, Bucket=bucket, Key="k", Body=b"the bytes sent",
                     **{f"Checksum{algorithm}": digest(algorithm, b"other bytes")})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert answer["Error"] == {"Code": "BadDigest",
                               "Message": f"The {algorithm} you specified did not match the calculated checksum."}
    assert absent(s3, bucket, "k")


def test_a_checksum_that_is_no_digest_of_its_algorithm_is_invalid(s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k", "ChecksumSHA256": "AAAA"})
    answer = requests.put(url, data=b"x", headers={"x-amz-checksum-sha256": "AAAA"})
    assert answer.status_code == 400 and error_of(answer) == "InvalidRequest"
    assert "Value for x-amz-checksum-sha256 header is invalid." in answer.text


def test_two_checksums_on_one_request_are_refused(s3, bucket):
    data = b"two checksums"
    params = {"Bucket": bucket, "Key": "k", "ChecksumCRC32": digest("CRC32", data),
              "ChecksumSHA256": digest("SHA256", data)}
    url = s3.generate_presigned_url("put_object", Params=params)
    answer = requests.put(url, data=data, headers={"x-amz-checksum-crc32": params["ChecksumCRC32"],
                                                   "x-amz-checksum-sha256": params["ChecksumSHA256"]})
    assert answer.status_code == 400 and error_of(answer) == "InvalidRequest"
    assert "Multiple checksum Types are not allowed" in answer.text


def aws_chunked_put(endpoint: str, bucket: str, key: str, data: bytes, trailer_value: str):
    """A PUT as botocore sends it over HTTPS: ``aws-chunked`` with a CRC32 trailer, header-signed."""
    chunks = b"".join(f"{len(data[i:i + 8192]):x}\r\n".encode() + data[i:i + 8192] + b"\r\n"
                      for i in range(0, len(data), 8192))
    body = chunks + b"0\r\n" + f"x-amz-checksum-crc32:{trailer_value}\r\n\r\n".encode()
    request = AWSRequest("PUT", f"{endpoint}/{bucket}/{key}", data=body, headers={
        "Content-Encoding": "aws-chunked", "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Decoded-Content-Length": str(len(data)),
        "X-Amz-Sdk-Checksum-Algorithm": "CRC32", "Content-Length": str(len(body))})
    SigV4Auth(Credentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), "s3", LOCAL_REGION).add_auth(request)
    return requests.put(request.url, data=body, headers=dict(request.headers))


def test_an_aws_chunked_body_is_decoded_and_its_trailing_checksum_verified(embedded, s3, bucket):
    data = os.urandom(50_000)
    stored = aws_chunked_put(embedded.endpoint_url, bucket, "chunked", data, digest("CRC32", data))
    assert stored.status_code == 200, stored.text
    assert stored.headers["x-amz-checksum-crc32"] == digest("CRC32", data)
    got = s3.get_object(Bucket=bucket, Key="chunked")
    assert got["Body"].read() == data and got["ContentLength"] == len(data)
    assert "aws-chunked" not in got.get("ContentEncoding", "")

    wrong = aws_chunked_put(embedded.endpoint_url, bucket, "wrong", data, digest("CRC32", b"else"))
    assert wrong.status_code == 400 and error_of(wrong) == "BadDigest"
    assert absent(s3, bucket, "wrong")


# ---------------------------------------------------------------- multipart uploads


def start_upload(s3, bucket: str, key: str = "big", **kwargs) -> str:
    return s3.create_multipart_upload(Bucket=bucket, Key=key, **kwargs)["UploadId"]


def put_part(s3, bucket, upload_id, number, data, key="big", checksum: str | None = None) -> requests.Response:
    """UploadPart through a presigned URL bound to its checksum, as folio's sessions hand out."""
    params = {"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": number}
    headers = {}
    if checksum is not None:
        params["ChecksumCRC64NVME"] = headers["x-amz-checksum-crc64nvme"] = checksum
    return requests.put(s3.generate_presigned_url("upload_part", Params=params, ExpiresIn=300), data=data,
                        headers=headers)


def test_a_part_whose_bytes_do_not_match_its_checksum_is_refused_and_not_kept(s3, bucket):
    upload_id = start_upload(s3, bucket, ChecksumAlgorithm="CRC64NVME")
    answer = put_part(s3, bucket, upload_id, 1, b"a" * 1000, checksum=crc64(b"b" * 1000))
    assert answer.status_code == 400 and error_of(answer) == "BadDigest"
    assert "The CRC64NVME you specified did not match the calculated checksum." in answer.text
    assert s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id).get("Parts", []) == []


def test_a_part_of_a_crc64nvme_upload_may_come_without_a_checksum_which_s3_computes(s3, bucket):
    upload_id = start_upload(s3, bucket, ChecksumAlgorithm="CRC64NVME")
    answer = put_part(s3, bucket, upload_id, 1, b"a" * 1000)
    assert answer.status_code == 200 and answer.headers["x-amz-checksum-crc64nvme"] == crc64(b"a" * 1000)


def test_a_part_without_its_uploads_checksum_algorithm_is_refused(s3, bucket):
    composite = start_upload(s3, bucket, ChecksumAlgorithm="SHA256")  # COMPOSITE: every part carries its checksum
    bare = put_part(s3, bucket, composite, 1, b"x" * 10)
    assert bare.status_code == 400 and error_of(bare) == "InvalidRequest"
    assert ("Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null"
            in bare.text)
    full_object = start_upload(s3, bucket, ChecksumAlgorithm="CRC64NVME")
    answer = refused(s3.upload_part, Bucket=bucket, Key="big", UploadId=full_object, PartNumber=1, Body=b"x" * 10,
                     ChecksumAlgorithm="CRC32")
    assert answer["Error"] == {"Code": "InvalidRequest", "Message": "Checksum Type mismatch occurred, expected "
                               "checksum Type: crc64nvme, actual checksum Type: crc32"}


@pytest.fixture
def two_parts(s3, bucket):
    """A CRC64NVME upload holding two parts sent with their checksums: (upload id, bytes, parts)."""
    upload_id = start_upload(s3, bucket, ChecksumAlgorithm="CRC64NVME", ChecksumType="FULL_OBJECT")
    first, second = os.urandom(PART), os.urandom(123_457)
    parts = []
    for number, data in ((1, first), (2, second)):
        answer = put_part(s3, bucket, upload_id, number, data, checksum=crc64(data))
        assert answer.status_code == 200, answer.text
        parts.append({"PartNumber": number, "ETag": answer.headers["ETag"], "ChecksumCRC64NVME": crc64(data)})
    return upload_id, first + second, parts


def complete(s3, bucket, upload_id, parts, checksum):
    return s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={"Parts": parts},
                                        ChecksumCRC64NVME=checksum, ChecksumType="FULL_OBJECT")


def test_completion_with_the_right_full_object_crc64nvme_gives_it_back_and_the_bytes(s3, bucket, two_parts):
    upload_id, data, parts = two_parts
    done = complete(s3, bucket, upload_id, parts, crc64(data))
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (crc64(data), "FULL_OBJECT")
    head = s3.head_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED", VersionId=done["VersionId"])
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"], head["ContentLength"]) == (crc64(data), "FULL_OBJECT",
                                                                                        len(data))
    got = s3.get_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED", VersionId=done["VersionId"])
    assert got["Body"].read() == data and got["ChecksumCRC64NVME"] == crc64(data)


@pytest.mark.parametrize("wrong", ["whole object", "part checksum", "parts swapped"])
def test_completion_that_does_not_match_the_parts_is_refused_and_the_upload_stays_open(s3, bucket, two_parts, wrong):
    upload_id, data, parts = two_parts
    checksum = crc64(data)
    named = [dict(p) for p in parts]
    if wrong == "whole object":
        checksum = crc64(data + b"!")
    elif wrong == "part checksum":
        named[1]["ChecksumCRC64NVME"] = crc64(b"not this part")
    else:  # the right parts in the wrong order: not the object whose checksum the client states
        checksum = crc64(data[PART:] + data[:PART])
        named = [{**named[0], "ChecksumCRC64NVME": named[1]["ChecksumCRC64NVME"], "ETag": named[1]["ETag"]},
                 {**named[1], "ChecksumCRC64NVME": named[0]["ChecksumCRC64NVME"], "ETag": named[0]["ETag"]}]
    answer = refused(complete, s3=s3, bucket=bucket, upload_id=upload_id, parts=named, checksum=checksum)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert answer["Error"]["Code"] == {"whole object": "BadDigest", "part checksum": "InvalidPart",
                                       "parts swapped": "InvalidPart"}[wrong]
    assert absent(s3, bucket, "big")
    assert len(s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)["Parts"]) == 2  # still open
    assert complete(s3, bucket, upload_id, parts, crc64(data))["ChecksumCRC64NVME"] == crc64(data)


def test_completion_of_a_composite_upload_needs_each_parts_checksum(s3, bucket):
    upload_id = start_upload(s3, bucket, ChecksumAlgorithm="SHA256")
    data = b"p" * 100
    etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=1, Body=data,
                          ChecksumSHA256=digest("SHA256", data))["ETag"]
    answer = refused(s3.complete_multipart_upload, Bucket=bucket, Key="big", UploadId=upload_id,
                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert answer["Error"]["Code"] == "InvalidRequest"
    assert "It was missing for part 1 in the request." in answer["Error"]["Message"]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag, "ChecksumSHA256": digest("SHA256", data)}]})
    expected = base64.b64encode(hashlib.sha256(hashlib.sha256(data).digest()).digest()).decode()
    assert (done["ChecksumSHA256"], done["ChecksumType"]) == (f"{expected}-1", "COMPOSITE")


# ---------------------------------------------------------------- presigned URLs


def test_a_part_url_is_bound_to_its_part_key_and_upload(s3, bucket):
    upload_id = start_upload(s3, bucket, ChecksumAlgorithm="CRC64NVME")
    other_upload = start_upload(s3, bucket, ChecksumAlgorithm="CRC64NVME")
    data = b"d" * 100
    url = s3.generate_presigned_url("upload_part", Params={
        "Bucket": bucket, "Key": "big", "UploadId": upload_id, "PartNumber": 1, "ChecksumCRC64NVME": crc64(data)})
    headers = {"x-amz-checksum-crc64nvme": crc64(data)}
    for misused in (url.replace("partNumber=1", "partNumber=2"), url.replace("/big?", "/other?"),
                    url.replace(upload_id, other_upload)):
        answer = requests.put(misused, data=data, headers=headers)
        assert answer.status_code == 403 and error_of(answer) == "SignatureDoesNotMatch"
    assert s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id).get("Parts", []) == []
    assert requests.put(url, data=data, headers=headers).status_code == 200


def test_a_presigned_url_refuses_headers_it_did_not_sign_and_a_changed_signed_one(s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k", "ContentType": "text/plain"})
    unsigned = requests.put(url, data=b"x", headers={"Content-Type": "text/plain", "x-amz-acl": "public-read"})
    assert unsigned.status_code == 403 and error_of(unsigned) == "AccessDenied"
    assert "<HeadersNotSigned>x-amz-acl</HeadersNotSigned>" in unsigned.text
    changed = requests.put(url, data=b"x", headers={"Content-Type": "text/html"})
    assert changed.status_code == 403 and error_of(changed) == "SignatureDoesNotMatch"
    assert absent(s3, bucket, "k")
    assert requests.put(url, data=b"x", headers={"Content-Type": "text/plain"}).status_code == 200


def test_a_presigned_url_signed_with_other_credentials_is_refused(embedded, bucket):
    def client(access_key, secret_key):
        return boto3.client("s3", endpoint_url=embedded.endpoint_url, region_name=LOCAL_REGION,
                            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))

    wrong_secret = client(LOCAL_ACCESS_KEY, "not-the-secret").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"})
    unknown_key = client("someoneelse", LOCAL_SECRET_KEY).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"})
    assert error_of(requests.get(wrong_secret)) == "SignatureDoesNotMatch"
    assert error_of(requests.get(unknown_key)) == "InvalidAccessKeyId"


def test_an_expired_presigned_url_is_refused(s3, bucket, clock):
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert requests.get(url).content == b"kept"
    clock.clock = lambda: datetime.now(UTC) + timedelta(seconds=61)
    answer = requests.get(url)
    assert answer.status_code == 403 and error_of(answer) == "AccessDenied"
    assert "<Message>Request has expired</Message>" in answer.text
    assert "<X-Amz-Expires>60</X-Amz-Expires>" in answer.text


def test_a_presigned_get_of_a_version_names_the_file_and_serves_ranges(s3, bucket):
    key = "acme/docs/1/front é"
    version = s3.put_object(Bucket=bucket, Key=key, Body=b"0123456789")["VersionId"]
    s3.put_object(Bucket=bucket, Key=key, Body=b"a later version")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": key, "VersionId": version, "ResponseContentType": "image/png",
        "ResponseContentDisposition": "attachment; filename*=UTF-8''front%20%C3%A9.png"})
    whole = requests.get(url)
    assert whole.status_code == 200 and whole.content == b"0123456789"
    assert whole.headers["Content-Type"] == "image/png"
    assert whole.headers["Content-Disposition"] == "attachment; filename*=UTF-8''front%20%C3%A9.png"
    ranged = requests.get(url, headers={"Range": "bytes=2-4"})
    assert (ranged.status_code, ranged.content) == (206, b"234")
    tampered = requests.get(url.replace("image%2Fpng", "text%2Fhtml"))
    assert tampered.status_code == 403 and error_of(tampered) == "SignatureDoesNotMatch"


def test_a_presigned_post_form_is_checked_for_its_signature(s3, bucket):
    post = s3.generate_presigned_post(bucket, "form", Fields={"Content-Type": "text/plain"},
                                      Conditions=[{"Content-Type": "text/plain"}, ["content-length-range", 0, 100]])
    forged = {**post["fields"], "x-amz-signature": "0" * 64}
    answer = requests.post(post["url"], data=forged, files={"file": ("a.txt", b"forged")})
    assert answer.status_code == 403 and error_of(answer) == "SignatureDoesNotMatch"
    assert absent(s3, bucket, "form")
    assert requests.post(post["url"], data=post["fields"], files={"file": ("a.txt", b"signed")}).status_code == 204
    assert s3.get_object(Bucket=bucket, Key="form")["Body"].read() == b"signed"
