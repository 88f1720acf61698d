"""What a browser needs beyond the API (issue 27, item 6), against `folio local`, whose embedded S3
bucket gets the template's own CORS rules: a page on another origin sends upload parts to the
presigned URLs and reads each part's ETag to complete the session; a redirected download (which a
browser follows with ``Origin: null``, the redirect having crossed origins) is readable with its
Content-Range; and the API exposes Content-Range for the ranges it serves itself.

moto answers CORS on the responses themselves as S3 does; its preflight (OPTIONS) is implemented
for the bucket only, so the rules a preflight would read are checked in the template (the last
test) rather than through an object's OPTIONS."""

import pytest
import requests

from examples import large_upload
from examples.large_upload import MiB, kyc_route

from .test_downloads_http import FIVE_MIB, artu_document_with_file, bearer as artu_bearer, redirected
from .test_upload_sessions_http import SMALL_PART, bearer, image_file, part_bytes, put

pytestmark = pytest.mark.e2e

ORIGIN = "https://app.example"


def exposed(answer) -> set[str]:
    return {h.strip().lower() for h in answer.headers.get("Access-Control-Expose-Headers", "").split(",")}


def test_a_browser_sends_parts_to_s3_and_reads_their_etags(local_server, tmp_path):
    token = local_server.token(tenant="cors-parts")
    source = image_file(tmp_path / "scan.png", SMALL_PART + 10)
    upload_url, upload, _ = large_upload.start(local_server.url, token, source, kyc_route(customer=801),
                                               part_size=SMALL_PART)
    sent = []
    for part in upload["parts"]:
        answer = put(part, part_bytes(source, part["partNumber"]), Origin=ORIGIN)
        assert answer.status_code == 200, answer.text
        assert answer.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
        assert "etag" in exposed(answer)  # without it the page cannot name the part in the completion
        sent.append({"partNumber": part["partNumber"], "etag": answer.headers["ETag"]})
    session = requests.get(upload_url, headers=bearer(token)).json()
    assert [(p["partNumber"], p["etag"]) for p in session["partsReceived"]] == \
        [(p["partNumber"], p["etag"]) for p in sent]


def test_a_redirected_download_is_readable_from_an_opaque_origin_with_its_range(local_server):
    doc_id = artu_document_with_file(local_server, "cors-large", FIVE_MIB, "application/pdf", "big.pdf")
    path = f"/documents/{doc_id}/file"
    api = requests.get(local_server.url + path, allow_redirects=False,
                       headers=artu_bearer(local_server, **{"X-Environment": "live", "Origin": ORIGIN}))
    assert api.status_code == 302 and api.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
    location = redirected(local_server, path, **{"X-Environment": "live"})
    answer = requests.get(location, headers={"Origin": "null", "Range": "bytes=3-12"})
    assert answer.status_code == 206 and answer.content == FIVE_MIB[3:13]
    assert answer.headers["Access-Control-Allow-Origin"] in ("null", "*")
    assert {"content-range", "etag"} <= exposed(answer)


def test_the_api_exposes_content_range_of_the_ranges_it_serves(local_server):
    data = FIVE_MIB[: MiB // 4]  # small enough for the function to answer itself
    doc_id = artu_document_with_file(local_server, "cors-small", data, "application/pdf", "small.pdf")
    answer = requests.get(f"{local_server.url}/documents/{doc_id}/file",
                          headers=artu_bearer(local_server, **{"X-Environment": "live", "Origin": ORIGIN,
                                                               "Range": "bytes=0-9"}))
    assert answer.status_code == 206 and answer.headers["Content-Range"] == f"bytes 0-9/{len(data)}"
    assert {"content-range", "etag"} <= exposed(answer)


def test_the_rules_a_preflight_reads_allow_what_the_pages_send(template):
    """S3 answers a preflight from the first rule matching its origin, method and headers; API
    Gateway from the CorsConfiguration. A part PUT sends its signed checksum header, a ranged read
    a Range: each must be allowed, and an upload only from the API's own origins."""
    bucket = template.resources["FilesBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    uploads, downloads = bucket
    assert uploads["AllowedOrigins"] == {"Ref": "CorsAllowOrigins"}
    assert set(uploads["AllowedMethods"]) == {"PUT", "POST"} and uploads["AllowedHeaders"] == ["*"]
    assert downloads["AllowedOrigins"] == ["*"] and set(downloads["AllowedMethods"]) == {"GET", "HEAD"}
    for rule in bucket:
        assert {"ETag", "Content-Range"} <= set(rule["ExposedHeaders"])
    api = template.cors
    assert {"content-range", "etag", "location"} <= set(api["ExposeHeaders"])
    assert {"range", "if-range", "if-match", "authorization"} <= set(api["AllowHeaders"])
