"""Downloads of any size against `folio local` (DESIGN §9): every file route answers a small file
inline and, above the threshold or on ``?redirect=true``, 302 to a presigned S3 GET of that exact
version, which the embedded S3 serves: byte-identical bytes, and 206 for a Range."""

import hashlib
import json
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests_toolbelt import MultipartEncoder

from ..support.files import png

pytestmark = pytest.mark.e2e

TENANT = "downloads"
CLIENT = "6a1c7a52-93b4-4c61-8d37-0d3b1d0b9c11"
#: 5 MiB, above the 4 MiB that a function answers itself; not repetitive, so a misplaced range shows
FIVE_MIB = b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(5 * 2**20 // 32))


def bearer(server, **headers):
    return {"Authorization": "Bearer " + server.token(tenant=TENANT), **headers}


def redirected(server, path, **headers):
    """The 302 a file route answers (not followed), checked: no-store, a presigned GET of a version."""
    answer = requests.get(server.url + path, headers=bearer(server, **headers), allow_redirects=False)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Cache-Control"] == "no-store" and answer.content == b""
    location = answer.headers["Location"]
    assert location.startswith(server.s3_endpoint) and parse_qs(urlsplit(location).query)["versionId"]
    return location


def fetched_through_the_redirect(server, path, data, **headers):
    """requests follows the redirect (dropping the Authorization header, as it does for another
    origin) and gets the exact bytes; a Range gets 206 with exactly that slice."""
    whole = requests.get(server.url + path, headers=bearer(server, **headers))
    assert whole.status_code == 200 and whole.history[0].status_code == 302
    assert whole.content == data
    location = redirected(server, path, **headers)
    part = requests.get(location, headers={"Range": "bytes=3-12"})
    assert part.status_code == 206 and part.content == data[3:13]
    assert part.headers["Content-Range"] == f"bytes 3-12/{len(data)}"
    return whole


def artu_document_with_file(server, external_id, data, content_type, filename):
    headers = bearer(server, **{"X-Environment": "live"})
    doc = requests.put(f"{server.url}/documents/batch/external", headers=headers, json={"items": [
        {"clientId": CLIENT, "externalId": external_id, "type": "ine", "filename": filename}]}).json()["data"][0]["data"]
    ticket = requests.post(f"{server.url}/documents/{doc['id']}/upload-url", headers=headers,
                           json={"contentType": content_type, "filename": filename, "size": len(data)}).json()
    sent = requests.post(ticket["url"], data=ticket["fields"], files={"file": (filename, data)})
    assert sent.status_code in (200, 201, 204), sent.text
    deadline = time.time() + 30
    while time.time() < deadline:
        if requests.get(f"{server.url}/documents/{doc['id']}", headers=headers).json()["data"]["status"] == "uploaded":
            return doc["id"]
        time.sleep(0.1)
    raise AssertionError("the upload was not recorded")


def test_artu_a_5_mib_file_is_served_by_s3_with_ranges(local_server):
    doc_id = artu_document_with_file(local_server, "dl-large", FIVE_MIB, "application/pdf", "Zeugnis – groß.pdf")
    path = f"/documents/{doc_id}/file"
    whole = fetched_through_the_redirect(local_server, path, FIVE_MIB, **{"X-Environment": "live"})
    assert whole.headers["Content-Type"] == "application/pdf"
    assert whole.headers["Content-Disposition"] == (
        "inline; filename=\"Zeugnis _ gro_.pdf\"; filename*=UTF-8''Zeugnis%20%E2%80%93%20gro%C3%9F.pdf")
    # curl -L follows it as well
    out = subprocess.run(["curl", "-sS", "-L", "-H", f"Authorization: {bearer(local_server)['Authorization']}",
                          "-H", "X-Environment: live", local_server.url + path],
                         capture_output=True, timeout=60, check=True)
    assert out.stdout == FIVE_MIB
    # the other environment, and another tenant, see nothing
    assert requests.get(local_server.url + path, headers=bearer(local_server, **{"X-Environment": "test"})).status_code == 404
    other = {"Authorization": "Bearer " + local_server.token(tenant="someone-else"), "X-Environment": "live"}
    assert requests.get(local_server.url + path, headers=other).status_code == 404


def test_artu_small_file_inline_and_no_file_yet_404(local_server):
    doc_id = artu_document_with_file(local_server, "dl-small", b"<svg/>", "image/svg+xml", "logo.svg")
    answer = requests.get(f"{local_server.url}/documents/{doc_id}/file",
                          headers=bearer(local_server, **{"X-Environment": "live"}), allow_redirects=False)
    assert answer.status_code == 200 and answer.content == b"<svg/>"
    assert answer.headers["Content-Disposition"].startswith("attachment;")  # an active type is never inline
    location = redirected(local_server, f"/documents/{doc_id}/file?redirect=true", **{"X-Environment": "live"})
    assert parse_qs(urlsplit(location).query)["response-content-disposition"][0].startswith("attachment;")
    assert requests.get(location).content == b"<svg/>"
    headers = bearer(local_server, **{"X-Environment": "live"})
    empty = requests.put(f"{local_server.url}/documents/batch/external", headers=headers, json={"items": [
        {"clientId": CLIENT, "externalId": "dl-none", "type": "ine"}]}).json()["data"][0]["data"]
    none = requests.get(f"{local_server.url}/documents/{empty['id']}/file", headers=headers)
    assert none.status_code == 404 and none.headers["Content-Type"] == "application/problem+json"


def test_crm_content_put_get_redirect_and_versions(local_server):
    base = f"{local_server.url}/api/v1/Document"
    doc = requests.post(base, json={"Header": "Offer", "Name": "offer.pdf"}, headers=bearer(local_server)).json()
    url = f"{base}/{doc['DocumentId']}"
    data = b"%PDF-1.7 " + bytes(range(256)) * 64
    put = requests.put(f"{url}/Content", data=data, headers=bearer(local_server, **{"Content-Type": "application/pdf"}))
    assert put.status_code == 200 and put.json()["DocumentId"] == doc["DocumentId"] and put.headers["ETag"] == '"2"'
    inline = requests.get(f"{url}/Content", headers=bearer(local_server), allow_redirects=False)
    assert inline.status_code == 200 and inline.content == data
    fetched_through_the_redirect(local_server, f"/api/v1/Document/{doc['DocumentId']}/Content?redirect=true", data)
    versions = requests.get(f"{url}/Version", headers=bearer(local_server)).json()
    assert [v["VersionId"] for v in versions] == ["2"] and versions[0]["ExternalReference"] == "offer.pdf"
    too_large = requests.put(f"{url}/Content", data=b"x" * (4 * 2**20 + 1), headers=bearer(local_server))
    assert too_large.status_code == 413 and "Content/uploads" in too_large.json()["detail"]


def test_kyc_dms_and_capture_file_routes_redirect_on_request(local_server):
    image = png()
    encoder = MultipartEncoder(fields=[
        ("document", json.dumps({"type": "PASSPORT", "number": "D1", "issueDate": "2019-01-01"})),
        ("front", ("passport.png", image, "image/png"))])
    kyc = requests.post(f"{local_server.url}/api/customer/77/document", data=encoder,
                        headers=bearer(local_server, **{"Content-Type": encoder.content_type, "X-Domain-ID": "7"}))
    assert kyc.status_code == 201, kyc.text
    fetched_through_the_redirect(local_server, f"/api/customer/77/document/{kyc.json()['id']}/front?redirect=true",
                                 image, **{"X-Domain-ID": "7"})

    dms_base = "/api/v2/clients/1/dms/projects/9/documents"
    encoder = MultipartEncoder(fields={"file": ("plan.pdf", b"%PDF-1.4 floor plan", "application/pdf"), "name": "Plan"})
    dms = requests.post(local_server.url + dms_base, data=encoder,
                        headers=bearer(local_server, **{"Content-Type": encoder.content_type}))
    assert dms.status_code == 201, dms.text
    fetched_through_the_redirect(local_server, f"{dms_base}/{dms.json()['id']}/versions/1/file?redirect=1",
                                 b"%PDF-1.4 floor plan")

    capture = "/capture/api/v1.1/documents"
    doc = requests.post(local_server.url + capture, json={"procedure": {"name": "Demo"}},
                        headers=bearer(local_server)).json()
    encoder = MultipartEncoder(fields={
        "attachment": (None, json.dumps({"title": "notes", "type": {"name": "Invoice Notes"}}), "application/json"),
        "content": ("notes.txt", b"invoice notes " * 100, "text/plain")})
    attachment = requests.post(f"{local_server.url}{capture}/{doc['id']}/attachments", data=encoder,
                               headers=bearer(local_server, **{"Content-Type": encoder.content_type}))
    assert attachment.status_code == 201, attachment.text
    fetched_through_the_redirect(
        local_server, f"{capture}/{doc['id']}/attachments/{attachment.json()['id']}/content?redirect=true",
        b"invoice notes " * 100)
    bad = requests.get(f"{local_server.url}{capture}/{doc['id']}/attachments/{attachment.json()['id']}/content"
                       "?redirect=sometimes", headers=bearer(local_server))
    assert bad.status_code == 400
