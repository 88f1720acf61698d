"""A hand-made corpus of hostile requests against `folio local`: each gets a clear 4xx (never a 5xx or
a traceback) and changes nothing that is stored."""

import json

import pytest
import requests
from requests_toolbelt import MultipartEncoder

from ..support.files import png

pytestmark = pytest.mark.e2e
TENANT = "hostile"
CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def form(fields):
    encoder = MultipartEncoder(fields=fields)
    return encoder.to_string(), encoder.content_type


@pytest.fixture(scope="module")
def targets(local_server):
    url, auth = local_server.url, {"Authorization": "Bearer " + local_server.token(tenant=TENANT)}
    crm = requests.post(f"{url}/api/v1/Document", json={"Header": "h", "Links": [{"Id": 1}]},
                        headers=auth).json()["DocumentId"]
    body, ctype = form({"document": '{"type": "PASSPORT", "issueDate": "2020-01-01"}', "front": ("f.png", png(), "image/png")})
    kyc = requests.post(f"{url}/api/customer/1/document", data=body,
                        headers={**auth, "Content-Type": ctype, "X-Domain-ID": "1"}).json()["id"]
    doc = requests.post(f"{url}/capture/api/v1.1/documents", json={"procedure": {"name": "Demo"}}, headers=auth).json()["id"]
    body, ctype = form({"attachment": (None, "{}", "application/json"), "content": ("a.txt", b"a", "text/plain")})
    att = requests.post(f"{url}/capture/api/v1.1/documents/{doc}/attachments", data=body,
                        headers={**auth, "Content-Type": ctype}).json()
    body, ctype = form({"file": ("a.txt", b"a", "text/plain")})
    dms = requests.post(f"{url}/api/v2/clients/1/dms/projects/1/documents", data=body,
                        headers={**auth, "Content-Type": ctype}).json()["id"]
    return {"auth": auth, "crm": f"/api/v1/Document/{crm}", "kyc": f"/api/customer/1/document/{kyc}",
            "att": f"/capture/api/v1.1/documents/{doc}/attachments/{att['id']}", "token": att["stateToken"],
            "dms": f"/api/v2/clients/1/dms/projects/1/documents/{dms}"}


def stored(local_server, template):
    db = local_server.client("dynamodb")
    items = []
    for page in db.get_paginator("scan").paginate(TableName=template.local_name("DocumentsTable"), ConsistentRead=True):
        items += [(i["pk"]["S"], i["sk"]["S"], i.get("version", {}).get("N")) for i in page["Items"]
                  if i["pk"]["S"].startswith(f"{TENANT}#")]
    return sorted(items)


def raw_multipart(boundary, parts):
    out = b""
    for headers, data in parts:
        out += f"--{boundary}\r\n".encode() + headers + b"\r\n\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def corpus(t):
    """(name, method, path, headers, body) of each hostile request."""
    json_h = {"Content-Type": "application/json"}
    patch_h = {"Content-Type": "application/json-patch+json"}
    kyc_h = {"X-Domain-ID": "1"}
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    deep_path = "/CustomFields/" + "a/" * 5000 + "b"
    kyc_doc = lambda doc: raw_multipart("b0undary", [
        (b'Content-Disposition: form-data; name="document"', doc),
        (b'Content-Disposition: form-data; name="front"; filename="f.png"\r\nContent-Type: image/png', png())])
    kyc_form = lambda name: raw_multipart("b0undary", [
        (b'Content-Disposition: form-data; name="document"', b"{}"),
        (b'Content-Disposition: form-data; name="front"; filename="' + name + b'"\r\nContent-Type: image/png', png())])
    mp = {"Content-Type": "multipart/form-data; boundary=b0undary"}
    huge = "9" * 5000  # more digits than Python converts to an int (4300): int() raises ValueError
    return [
        ("truncated JSON", "PATCH", t["crm"], patch_h, b'[{"op": "replace", "path": "/Header", "val'),
        ("array bomb", "PATCH", t["crm"], patch_h, b"[" * 100_000),
        ("object bomb", "POST", "/api/v1/Document", json_h, b'{"a":' * 50_000),
        ("10,000 operations", "PATCH", t["crm"], patch_h,
         json.dumps([{"op": "add", "path": f"/CustomFields/k{i}", "value": i} for i in range(10_000)]).encode()),
        ("very deep path", "PATCH", t["crm"], patch_h, json.dumps([{"op": "add", "path": deep_path, "value": 1}]).encode()),
        ("invalid UTF-8 JSON", "PATCH", t["crm"], json_h, b'{"Header": "\xff\xfe"}'),
        ("NaN in JSON", "PATCH", t["crm"], json_h, b'{"Snum": NaN}'),
        ("int overflow in a property", "PATCH", t["crm"], json_h, b'{"Snum": 99999999999999999999999}'),
        ("wrong content type (crm)", "PATCH", t["crm"], {"Content-Type": "text/plain"}, b'{"Header": "x"}'),
        ("lying content type: JSON sent as multipart", "PUT", t["kyc"], {**kyc_h, **mp}, b'{"type": "PASSPORT"}'),
        ("lying content type: multipart sent as JSON", "PATCH", t["crm"], json_h, kyc_doc(b"{}")),
        ("kyc as JSON", "PUT", t["kyc"], {**kyc_h, **json_h}, b'{"type": "PASSPORT"}'),
        ("multipart without boundary", "PUT", t["kyc"], {**kyc_h, "Content-Type": "multipart/form-data"}, kyc_doc(b"{}")),
        ("boundary inside a file", "PUT", t["kyc"], {**kyc_h, **mp}, raw_multipart("b0undary", [
            (b'Content-Disposition: form-data; name="document"', b"{}"),
            (b'Content-Disposition: form-data; name="front"; filename="f.png"', png() + b"\r\n--b0undary in the file")])),
        ("truncated multipart", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_doc(b"{}")[:-20]),
        ("NUL in a file name", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_form(b"f\x00.png")),
        ("path segments in a file name", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_form(b"../../../etc/passwd")),
        ("date 0000-00-00", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_doc(b'{"issueDate": "0000-00-00"}')),
        ("date 2021-02-30", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_doc(b'{"expiryDate": "2021-02-30"}')),
        ("expiry before issue", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_doc(b'{"expiryDate": "1999-01-01"}')),
        ("invalid UTF-8 in a JSON part", "PUT", t["kyc"], {**kyc_h, **mp}, kyc_doc(b'{"number": "\xc3\x28"}')),
        ("domain id overflow", "GET", t["kyc"], {"X-Domain-ID": "9" * 40}, b""),
        ("customer id overflow", "GET", "/api/customer/99999999999999999999/document/1", kyc_h, b""),
        ("crm id overflow", "GET", "/api/v1/Document/2147483648", {}, b""),
        ("negative id", "GET", "/api/v1/Document/-1", {}, b""),
        ("dms version overflow", "GET", t["dms"] + "/versions/99999999999999999999/file", {}, b""),
        ("dms folderId overflow", "POST", t["dms"], {"Content-Type": "application/json"},
         b'{"folderId": 99999999999999999999}'),
        ("capture part as text", "PUT", t["att"], {**xhr, **mp}, raw_multipart("b0undary", [
            (b'Content-Disposition: form-data; name="attachment"\r\nContent-Type: text/plain',
             json.dumps({"title": "x", "stateToken": t["token"]}).encode())])),
        ("capture JSON bomb", "PUT", t["att"], {**xhr, **mp}, raw_multipart("b0undary", [
            (b'Content-Disposition: form-data; name="attachment"\r\nContent-Type: application/json', b"[" * 100_000)])),
        ("artu 0000-00-00", "PUT", "/documents/batch/external", {**json_h, "X-Environment": "test"},
         json.dumps({"items": [{"clientId": CLIENT, "externalId": "x", "expiresAt": "0000-00-00"}]}).encode()),
        ("artu negative size", "PUT", "/documents/batch/external",
         {**json_h, "X-Environment": "test"},
         json.dumps({"items": [{"clientId": CLIENT, "externalId": "x", "size": -1}]}).encode()),
        ("a crm id of 5000 digits", "GET", "/api/v1/Document/" + huge, {}, b""),
        ("a kyc customer id of 5000 digits", "GET", f"/api/customer/{huge}/document/1", kyc_h, b""),
        ("a kyc document id of 5000 digits", "GET", f"/api/customer/1/document/{huge}", kyc_h, b""),
        ("a dms client id of 5000 digits", "GET", f"/api/v2/clients/{huge}/dms/projects/1/documents/1", {}, b""),
        ("a dms version of 5000 digits", "GET", t["dms"] + f"/versions/{huge}/file", {}, b""),
        ("an X-Domain-ID of 5000 digits", "GET", t["kyc"], {"X-Domain-ID": huge}, b""),
        ("a JSON number of 5000 digits (crm)", "PATCH", t["crm"], json_h, f'{{"Snum": {huge}}}'.encode()),
        ("a JSON number of 5000 digits (dms folderId)", "POST", t["dms"], json_h, f'{{"folderId": {huge}}}'.encode()),
        ("a JSON number of 5000 digits (kyc part)", "PUT", t["kyc"], {**kyc_h, **mp},
         kyc_doc(f'{{"number": {huge}}}'.encode())),
        ("a JSON number of 5000 digits (artu)", "PUT", "/documents/batch/external", {**json_h, "X-Environment": "test"},
         f'{{"items": [{{"clientId": "{CLIENT}", "externalId": "x", "size": {huge}}}]}}'.encode()),
        ("a JSON number beyond a float (crm)", "PATCH", t["crm"], json_h, b'{"Snum": 1e999}'),
        ("a patch path index of 5000 digits", "PATCH", t["crm"], patch_h,
         json.dumps([{"op": "replace", "path": f"/Links/{huge}/Id", "value": 2}]).encode()),
        ("JSON nested 100,000 deep with an Idempotency-Key", "POST", "/api/v1/Document",
         {**json_h, "Idempotency-Key": "hostile-deep"}, b"[" * 100_000 + b"]" * 100_000),
        ("huge header", "GET", t["crm"], {"X-Padding": "p" * 12_000}, b""),
        ("gzip Content-Encoding with garbage", "PATCH", t["crm"], {"Content-Type": "application/json", "Content-Encoding": "gzip"},
         b"\x1f\x8b\x08\x00garbage"),
    ]


def test_every_hostile_request_gets_a_clear_4xx_and_changes_nothing(local_server, template, targets):
    before = stored(local_server, template)
    seen, wrong = [], []
    for name, method, path, headers, body in corpus(targets):
        answer = requests.request(method, local_server.url + path, data=body,
                                  headers={**targets["auth"], **headers}, timeout=60)
        seen.append((name, answer.status_code))
        if not 400 <= answer.status_code < 500 or "Traceback" in answer.text or not answer.text.strip():
            wrong.append((name, answer.status_code, answer.text[:300]))
            continue
        message = answer.json().get("detail") or answer.json().get("details") or answer.json().get("message")
        if not message:
            wrong.append((name, answer.status_code, answer.text[:300]))
    assert not wrong, "\n".join(f"{status} {name}: {text}" for name, status, text in wrong)  # every case named
    assert stored(local_server, template) == before
    print("\n" + "\n".join(f"  {status}  {name}" for name, status in seen))
