"""Upload sessions over real HTTP against `folio local` (DESIGN §9): files of 5 and 100 MiB through
the example client (examples/large_upload.py), parts straight to the embedded S3, which checks each
part's signature and checksum as S3 does; downloads through the redirect (requests, curl -L, a
Range); an interrupted upload resumed; and each bad input a clear 4xx that commits nothing."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from examples import large_upload
from examples.large_upload import MiB, Route, kyc_route

from ..support.files import png

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = {"X-Domain-ID": "7"}
KYC = "/api/customer/{}/document"
#: parts of 5 MiB, S3's least: a few MiB give a session of several parts
SMALL_PART = 5 * MiB


def image_file(path: Path, size: int) -> Path:
    """A PNG head and random bytes, written a MiB at a time (never the whole file in memory)."""
    head = png()
    with path.open("wb") as f:
        f.write(head)
        left = size - len(head)
        while left:
            f.write(os.urandom(min(MiB, left)))
            left -= min(MiB, left)
    return path


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **DOMAIN, **headers}


def bucket_versions(server, tenant: str) -> list[dict]:
    s3 = server.client("s3")
    bucket = s3.list_buckets()["Buckets"][0]["Name"]
    return s3.list_object_versions(Bucket=bucket, Prefix=f"{tenant}/").get("Versions", [])


def open_uploads(server, tenant: str) -> list[dict]:
    s3 = server.client("s3")
    bucket = s3.list_buckets()["Buckets"][0]["Name"]
    return s3.list_multipart_uploads(Bucket=bucket, Prefix=f"{tenant}/").get("Uploads", [])


def started(server, token, path, route, part_size=SMALL_PART):
    return large_upload.start(server.url, token, path, route, part_size=part_size)


def put(part, data, **headers):
    return requests.put(part["url"], data=data, headers={**part["headers"], **headers}, timeout=60)


def part_bytes(path: Path, number: int, part_size: int = SMALL_PART) -> bytes:
    with path.open("rb") as f:
        f.seek((number - 1) * part_size)
        return f.read(part_size)


@pytest.mark.parametrize("size, customer", [pytest.param(5 * MiB, 501, id="5MiB"),
                                            pytest.param(100 * MiB, 502, id="100MiB")])
def test_a_file_uploaded_in_parallel_parts_comes_back_byte_identical(local_server, tmp_path, size, customer):
    tenant = f"sessions-{customer}"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / f"scan-{size}.png", size)
    route = kyc_route(customer=customer)
    doc = large_upload.run(local_server.url, token, source, route)  # downloads it back and checks its CRC64NVME
    assert doc["frontName"] == source.name

    (stored,) = bucket_versions(local_server, tenant)
    s3 = local_server.client("s3")
    head = s3.head_object(Bucket=s3.list_buckets()["Buckets"][0]["Name"], Key=stored["Key"],
                          VersionId=stored["VersionId"], ChecksumMode="ENABLED")
    assert head["ContentLength"] == size
    assert head["ChecksumCRC64NVME"] == large_upload.checksums_of(source, size)[1]

    path = route.download(doc)
    copy = tmp_path / "requests.png"
    _, got, answer = large_upload.download(local_server.url, token, path, DOMAIN, target=copy)
    assert answer.history[0].status_code == 302 and len(answer.history[0].content) == 0
    assert filecmp.cmp(source, copy, shallow=False)

    by_curl = tmp_path / "curl.png"
    subprocess.run(["curl", "-sS", "-f", "-L", "-o", str(by_curl), "-H", f"Authorization: Bearer {token}",
                    "-H", "X-Domain-ID: 7", local_server.url + path], check=True, timeout=60)
    assert filecmp.cmp(source, by_curl, shallow=False)

    location = requests.get(local_server.url + path, headers=bearer(token), allow_redirects=False).headers["Location"]
    assert urlsplit(location).netloc == urlsplit(local_server.s3_endpoint).netloc
    start, end = size - 3 * MiB - 17, size - MiB
    ranged = requests.get(location, headers={"Range": f"bytes={start}-{end}"}, timeout=60)
    assert ranged.status_code == 206 and ranged.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    with source.open("rb") as f:
        f.seek(start)
        assert ranged.content == f.read(end - start + 1)


def test_an_interrupted_upload_resumes_with_only_the_missing_parts(local_server, tmp_path):
    tenant = "sessions-resume"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / "scan.png", 3 * SMALL_PART + 1234)
    route = kyc_route(customer=503)
    upload_url, upload, _ = started(local_server, token, source, route)
    assert [p["partNumber"] for p in upload["parts"]] == [1, 2, 3, 4]
    sent = large_upload.upload_parts(source, {**upload, "parts": [upload["parts"][0], upload["parts"][2]]})
    # ... the client stops here; later, the session says what S3 holds and signs the rest again
    session = requests.get(upload_url, headers=bearer(token)).json()
    assert [(p["partNumber"], p["etag"]) for p in session["partsReceived"]] == \
        [(p["partNumber"], p["etag"]) for p in sent]
    assert [p["partNumber"] for p in session["parts"]] == [2, 4]
    assert bucket_versions(local_server, tenant) == []

    out = subprocess.run([sys.executable, "-m", "examples.large_upload", "--url", local_server.url, "--token", token,
                          "--customer", "503", "--resume", upload_url, str(source)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "'frontName': 'scan.png'" in out.stdout
    (stored,) = bucket_versions(local_server, tenant)
    assert stored["Size"] == source.stat().st_size
    again = requests.get(upload_url, headers=bearer(token)).json()
    assert again["state"] == "COMMITTED" and again["parts"] == []


def test_a_part_url_stores_only_its_own_part_of_its_own_key(local_server, tmp_path):
    tenant = "sessions-bound"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / "scan.png", 2 * SMALL_PART + 10)
    upload_url, upload, _ = started(local_server, token, source, kyc_route(customer=504))
    first, second = upload["parts"][0], upload["parts"][1]
    other_part = {**first, "url": first["url"].replace("partNumber=1", "partNumber=2")}
    other_key = {**first, "url": first["url"].replace("/front?", "/back?")}
    assert other_part["url"] != first["url"] and other_key["url"] != first["url"]
    for tampered, data in ((other_part, part_bytes(source, 2)), (other_key, part_bytes(source, 1))):
        answer = put(tampered, data)
        assert answer.status_code == 403, answer.text
        assert b"<Code>SignatureDoesNotMatch</Code>" in answer.content
    # part 2's URL with part 1's bytes and checksum: the checksum is signed into the URL
    answer = put(second, part_bytes(source, 1), **first["headers"])
    assert answer.status_code == 403, answer.text
    session = requests.get(upload_url, headers=bearer(token)).json()
    assert session["partsReceived"] == [] and len(session["parts"]) == 3


def test_a_part_whose_bytes_do_not_match_its_checksum_is_refused(local_server, tmp_path):
    tenant = "sessions-digest"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / "scan.png", 2 * SMALL_PART)
    upload_url, upload, _ = started(local_server, token, source, kyc_route(customer=505))
    data = bytearray(part_bytes(source, 1))
    data[12345] ^= 1
    answer = put(upload["parts"][0], bytes(data))
    assert answer.status_code == 400 and b"<Code>BadDigest</Code>" in answer.content, answer.text
    assert requests.get(upload_url, headers=bearer(token)).json()["partsReceived"] == []


@pytest.mark.parametrize("case, mangle", [
    ("missing", lambda parts: parts[:1]),
    ("unordered", lambda parts: [parts[1], parts[0]]),
    ("wrong-etag", lambda parts: [parts[0], {**parts[1], "etag": '"' + "0" * 32 + '"'}]),
    ("wrong-number", lambda parts: [parts[0], {**parts[1], "partNumber": 3}]),
])
def test_a_completion_with_a_wrong_part_list_commits_nothing(local_server, tmp_path, case, mangle):
    tenant = f"sessions-parts-{case}"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / "scan.png", SMALL_PART + 99)
    upload_url, upload, whole = started(local_server, token, source, kyc_route(customer=506))
    parts = large_upload.upload_parts(source, upload)
    answer = requests.post(f"{upload_url}/complete", headers=bearer(token),
                           json={"parts": mangle(parts), "checksum": whole})
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json" and answer.json()["errors"]
    assert bucket_versions(local_server, tenant) == []
    done = requests.post(f"{upload_url}/complete", headers=bearer(token), json={"parts": parts, "checksum": whole})
    assert done.status_code == 201, done.text  # the session stayed open


def test_a_completion_with_a_wrong_whole_file_checksum_commits_nothing(local_server, tmp_path):
    tenant = "sessions-whole"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / "scan.png", SMALL_PART + 99)
    upload_url, upload, whole = started(local_server, token, source, kyc_route(customer=507))
    parts = large_upload.upload_parts(source, upload)
    wrong = large_upload.b64(12345)
    answer = requests.post(f"{upload_url}/complete", headers=bearer(token), json={"parts": parts, "checksum": wrong})
    assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/problem+json", answer.text
    assert bucket_versions(local_server, tenant) == []
    done = requests.post(f"{upload_url}/complete", headers=bearer(token), json={"parts": parts, "checksum": whole})
    assert done.status_code == 201, done.text  # the session stayed open


def test_a_completion_after_an_abort_is_a_conflict(local_server, tmp_path):
    tenant = "sessions-abort"
    token = local_server.token(tenant=tenant)
    source = image_file(tmp_path / "scan.png", SMALL_PART + 1)
    upload_url, upload, whole = started(local_server, token, source, kyc_route(customer=508))
    parts = large_upload.upload_parts(source, upload)
    assert requests.delete(upload_url, headers=bearer(token)).status_code == 204
    answer = requests.post(f"{upload_url}/complete", headers=bearer(token), json={"parts": parts, "checksum": whole})
    assert answer.status_code == 409 and answer.headers["Content-Type"] == "application/problem+json", answer.text
    assert bucket_versions(local_server, tenant) == [] and open_uploads(local_server, tenant) == []


def test_a_completion_that_loses_its_if_match_race_commits_nothing(local_server, tmp_path):
    tenant = "sessions-race"
    token = local_server.token(tenant=tenant)
    base = KYC.format(509)
    doc = large_upload.run(local_server.url, token, image_file(tmp_path / "v1.png", 1000), kyc_route(customer=509))
    front = Route(f"{base}/{doc['id']}/front/uploads", lambda d: f"{base}/{d['id']}/front", {}, DOMAIN)
    mine, theirs = image_file(tmp_path / "mine.png", SMALL_PART + 5), image_file(tmp_path / "theirs.png", 2000)
    sessions = []
    for source in (mine, theirs):  # both read the document at version 1 and start replacing its front
        upload_url, upload, whole = started(local_server, token, source, front)
        sessions.append((upload_url, large_upload.upload_parts(source, upload), whole))
    won = requests.post(f"{sessions[1][0]}/complete", headers=bearer(token, **{"If-Match": '"1"'}),
                        json={"parts": sessions[1][1], "checksum": sessions[1][2]})
    assert won.status_code == 200 and won.headers["ETag"] == '"2"', won.text
    lost = requests.post(f"{sessions[0][0]}/complete", headers=bearer(token, **{"If-Match": '"1"'}),
                         json={"parts": sessions[0][1], "checksum": sessions[0][2]})
    assert lost.status_code == 412 and lost.headers["Content-Type"] == "application/problem+json", lost.text
    read = requests.get(f"{local_server.url}{base}/{doc['id']}", headers=bearer(token))
    assert read.headers["ETag"] == '"2"'
    assert requests.get(f"{local_server.url}{base}/{doc['id']}/front", headers=bearer(token)).content == \
        theirs.read_bytes()
    # with a fresh precondition the stored file is committed, without sending its bytes again
    fresh = requests.post(f"{sessions[0][0]}/complete", headers=bearer(token, **{"If-Match": '"2"'}),
                          json={"parts": sessions[0][1], "checksum": sessions[0][2]})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"', fresh.text


def test_a_session_above_the_maximum_is_too_large(local_server):
    tenant = "sessions-large"
    token = local_server.token(tenant=tenant)
    size = 100 * MiB + 1  # KycMaxUploadBytes is 100 MiB
    parts = [large_upload.b64(0)] * -(-size // (16 * MiB))
    answer = requests.post(f"{local_server.url}{KYC.format(510)}/uploads", headers=bearer(token), json={
        "fileName": "huge.png", "contentType": "image/png", "size": size, "partSize": 16 * MiB,
        "partChecksums": parts, "document": {"type": "PASSPORT"}})
    assert answer.status_code == 413 and answer.headers["Content-Type"] == "application/problem+json", answer.text
    assert open_uploads(local_server, tenant) == []


def test_a_session_for_another_tenants_document_is_not_found(local_server, tmp_path):
    owner, stranger = local_server.token(tenant="sessions-owner"), local_server.token(tenant="sessions-stranger")
    base = KYC.format(511)
    doc = large_upload.run(local_server.url, owner, image_file(tmp_path / "v1.png", 1000), kyc_route(customer=511))
    front = Route(f"{base}/{doc['id']}/front/uploads", lambda d: f"{base}/{d['id']}/front", {}, DOMAIN)
    source = image_file(tmp_path / "scan.png", 3000)
    refused = requests.post(local_server.url + front.start, headers=bearer(stranger), json={
        "fileName": "scan.png", "contentType": "image/png", "size": 3000,
        "partChecksums": large_upload.checksums_of(source, SMALL_PART)[0]})
    assert refused.status_code == 404 and refused.headers["Content-Type"] == "application/problem+json"
    upload_url, upload, whole = started(local_server, owner, source, front)
    parts = large_upload.upload_parts(source, upload)
    assert requests.get(upload_url, headers=bearer(stranger)).status_code == 404
    answer = requests.post(f"{upload_url}/complete", headers=bearer(stranger), json={"parts": parts, "checksum": whole})
    assert answer.status_code == 404, answer.text
    assert requests.delete(upload_url, headers=bearer(stranger)).status_code == 404
    assert requests.get(f"{local_server.url}{base}/{doc['id']}", headers=bearer(owner)).headers["ETag"] == '"1"'
    assert len(bucket_versions(local_server, "sessions-owner")) == 1 and bucket_versions(local_server,
                                                                                          "sessions-stranger") == []
