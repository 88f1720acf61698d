"""Issue 13.8: a stored file a browser would run is served as an attachment, sandboxed and unsniffable,
and the stored type is the one parsed media type, never the raw header (dms, capture and kyc)."""

import json

import pytest
from requests_toolbelt import MultipartEncoder

from ..conftest import DEFAULT_CLAIMS
from ..support.files import png

DMS = "/api/v2/clients/3/dms/projects/9/documents"
CAPTURE = "/capture/api/v1.1/documents"
CAPTURE_CLAIMS = {**DEFAULT_CLAIMS, "folio:steps": "[*]"}
XHR = {"X-Requested-With": "XMLHttpRequest"}
HTML = b"<html><script>alert(document.domain)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4 inert"


def post(api, path, fields, headers=None, claims=DEFAULT_CLAIMS, method="POST"):
    encoder = MultipartEncoder(fields=fields)
    return api.request(method, path, body=encoder.to_string(),
                       headers={"Content-Type": encoder.content_type, **(headers or {})}, claims=claims)


def assert_attachment(answer):
    assert answer.status == 200, answer.body
    assert answer.headers["content-disposition"].startswith("attachment")
    assert answer.headers["x-content-type-options"] == "nosniff"
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy.split(";")[-1]


def assert_inline(answer):
    assert answer.status == 200, answer.body
    assert answer.headers["content-disposition"].startswith("inline")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in answer.headers["content-security-policy"]


# ---------------------------------------------------------------- dms

def dms_upload(api, content_type, data=b"data", name="f", path=f"{DMS}/1"):
    return post(api, path, [("file", (name, data, content_type))])


@pytest.fixture
def dms_document(api):
    answer = dms_upload(api, "application/pdf", PDF, "plan.pdf", DMS)
    assert answer.status == 201, answer.body
    return answer.json


def test_dms_html_version_is_served_as_a_sandboxed_attachment(api, dms_document):
    answer = dms_upload(api, "text/html", HTML, "page.html")
    assert answer.status == 201 and answer.json["contentType"] == "text/html"
    served = api.request("GET", f"{DMS}/1/versions/2/file")
    assert_attachment(served)
    assert served.body == HTML and served.headers["content-type"] == "text/html"
    assert served.headers["content-disposition"] == "attachment; filename=\"page.html\"; filename*=UTF-8''page.html"


@pytest.mark.parametrize("content_type", ["image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
                                          "application/javascript", "text/javascript", "application/x-unheard-of"])
def test_dms_active_types_are_attachments(api, dms_document, content_type):
    assert dms_upload(api, content_type, SVG).status == 201
    assert_attachment(api.request("GET", f"{DMS}/1/versions/2/file"))


@pytest.mark.parametrize("content_type", [
    "text/html, text/plain", "text/plain, text/html", "text/html; x=application/", "text/html;x=image/png",
    "image/png image/svg+xml", "image/", "/png", "image/png/x", "text/html; charset=\"utf-8", "image/png\x0b",
    "text/plain; charset",
])
def test_dms_refuses_a_content_type_that_is_not_one_media_type(api, dms_document, content_type):
    answer = dms_upload(api, content_type, HTML)
    assert answer.status == 415 and answer.json["code"] == 415, answer.body
    assert api.request("GET", f"{DMS}/1").json["version"] == 1


@pytest.mark.parametrize("declared, stored", [
    ("Text/PLAIN ; Charset=\"UTF-8\"", "text/plain; charset=utf-8"), ("text/plain;format=flowed", "text/plain"),
    ("IMAGE/PNG; name=x.png", "image/png"), ("text/csv;charset=\"a\\\"b\"", "text/csv"),
])
def test_dms_stores_the_parsed_media_type(api, dms_document, declared, stored):
    answer = dms_upload(api, declared, b"a,b\n")
    assert answer.status == 201 and answer.json["contentType"] == stored
    served = api.request("GET", f"{DMS}/1/versions/2/file")
    assert_inline(served)
    assert served.headers["content-type"] == stored


def test_dms_pdf_stays_inline(api, dms_document):
    served = api.request("GET", f"{DMS}/1/versions/1/file")
    assert_inline(served)
    assert served.headers["content-type"] == "application/pdf"


# ---------------------------------------------------------------- capture

@pytest.fixture
def capture_document(api):
    from folio.local.fixtures import seed

    seed()
    answer = api.request("POST", CAPTURE, json_body={"procedure": {"name": "Demo"}}, claims=CAPTURE_CLAIMS)
    assert answer.status == 201, answer.body
    return answer.json


def add_attachment(api, document, content):
    return post(api, f"{CAPTURE}/{document['id']}/attachments",
                [("attachment", (None, json.dumps({"title": "t"}), "application/json")), ("content", content)],
                headers=XHR, claims=CAPTURE_CLAIMS)


def capture_content(api, attachment):
    return api.request("GET", f"{CAPTURE}/{attachment['documentId']}/attachments/{attachment['id']}/content",
                       claims=CAPTURE_CLAIMS)


def test_capture_svg_content_is_served_as_a_sandboxed_attachment(api, capture_document):
    answer = add_attachment(api, capture_document, ("logo.svg", SVG, "image/svg+xml"))
    assert answer.status == 201, answer.body
    assert answer.json["mediaType"] == "image/svg+xml"
    served = capture_content(api, answer.json)
    assert_attachment(served)
    assert served.body == SVG and served.headers["content-type"] == "image/svg+xml"


def test_capture_pdf_content_stays_inline(api, capture_document):
    answer = add_attachment(api, capture_document, ("scan.pdf", PDF, "application/pdf"))
    assert_inline(capture_content(api, answer.json))


@pytest.mark.parametrize("content_type", ["text/html, text/plain", "text/html; x=application/", "image/png;;q=\"", "x"])
def test_capture_refuses_a_content_type_that_is_not_one_media_type(api, capture_document, content_type):
    answer = add_attachment(api, capture_document, ("f.txt", HTML, content_type))
    assert answer.status == 400 and "Content-Type" in answer.json["detail"], answer.body


def test_capture_media_type_is_the_parsed_one(api, capture_document):
    answer = add_attachment(api, capture_document, ("n.txt", b"notes", "Text/Plain; charset=UTF-8; x=y"))
    assert answer.status == 201 and answer.json["mediaType"] == "text/plain; charset=utf-8"
    assert capture_content(api, answer.json).headers["content-type"] == "text/plain; charset=utf-8"


# ---------------------------------------------------------------- kyc

def test_kyc_images_stay_inline_sandboxed(api):
    encoder = MultipartEncoder(fields=[
        ("document", json.dumps({"type": "NATIONAL_ID", "number": "S1234567A", "authenticity": "ORIGINAL",
                                 "issueDate": "2020-01-01T00:00:00.000Z", "expiryDate": "2030-01-01T00:00:00.000Z"})),
        ("front", ("front.svg", png(), "image/svg+xml"))])  # the declared type is not believed: the bytes are PNG
    created = api.request("POST", "/api/customer/42/document", body=encoder.to_string(),
                          headers={"Content-Type": encoder.content_type, "X-Domain-ID": "7"})
    assert created.status == 201, created.body
    served = api.request("GET", "/api/customer/42/document/1/front", headers={"X-Domain-ID": "7"})
    assert_inline(served)
    assert served.headers["content-type"] == "image/png" and "sandbox" in served.headers["content-security-policy"]
