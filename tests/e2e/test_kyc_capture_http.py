"""End to end against `folio local`: the specs' own curl command (kyc) and raw HTTP sample (capture),
and the multipart clients people use (requests + toolbelt's MultipartEncoder, browser-style bodies)."""

import hashlib
import json
import re
import socket
import subprocess
from urllib.parse import urlsplit

import pytest
import requests
from requests_toolbelt import MultipartEncoder

from ..support.files import JPEG, png
from ..support.shared import SHARED

pytestmark = pytest.mark.e2e

SPECS = SHARED / "specs"
CAPTURE = "/capture/api/v1.1/documents"


def bearer(server, **kwargs):
    return {"Authorization": "Bearer " + server.token(**kwargs)}


def spec_curl_command() -> str:
    text = (SPECS / "kyc-update-customer-document.txt").read_text()
    start = text.index("curl --request PUT")
    lines = []
    for line in text[start:].splitlines():
        lines.append(line)
        if line.startswith("  --form back="):
            break
    return "\n".join(lines)


def kyc_create(server, customer=42, domain="7", **token):
    encoder = MultipartEncoder(fields=[
        ("document", json.dumps({"type": "PASSPORT", "number": "E1", "issueDate": "2019-01-01"})),
        ("front", ("passport.png", png(), "image/png")),
    ])
    answer = requests.post(f"{server.url}/api/customer/{customer}/document", data=encoder,
                           headers={"Content-Type": encoder.content_type, "X-Domain-ID": domain, **bearer(server, **token)})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_specs_curl_command_updates_a_document(local_server, tmp_path):
    created = kyc_create(local_server)
    (tmp_path / "example-file").write_bytes(JPEG)
    command = spec_curl_command()
    url = f"{local_server.url}/api/customer/42/document/{created['id']}"
    command = (command.replace("https://api.artemis.cynopsis.co/api/customer/{customerId}/document/{documentId}", url)
               .replace("<token>", local_server.token()).replace("<x-domain-id>", "7"))
    # run by a shell, exactly as a user pastes it (backslash-newline continuations included)
    out = subprocess.run(["bash", "-c", command + " \\\n  --silent --write-out '\\n%{http_code}'"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=30, check=True)
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "200", body
    doc = json.loads(body)
    assert (doc["type"], doc["number"], doc["authenticity"]) == ("NATIONAL_ID", "S1234567A", "ORIGINAL")
    assert (doc["issueDate"], doc["expiryDate"], doc["showExpiryNotification"]) == ("2020-01-01", "2030-01-01", True)
    assert doc["frontName"] == doc["backName"] == "example-file"
    headers = {**bearer(local_server), "X-Domain-ID": "7"}
    for side in ("front", "back"):
        image = requests.get(doc[side], headers=headers)
        assert image.status_code == 200 and image.content == JPEG and image.headers["Content-Type"] == "image/jpeg"


def test_kyc_with_requests_and_a_streamed_multipart_encoder(local_server):
    doc = kyc_create(local_server, customer=77)
    big_back = png(256, 256, (1, 2, 3)) + b"\x00" * 1_000_000
    encoder = MultipartEncoder(fields={
        "document": (None, json.dumps({"authenticity": "CERTIFIED_TRUE_COPY"}), "application/json"),
        "front": ("scan-ä.png", png(5, 5), "image/png"),
        "back": ("back.png", big_back, "image/png"),
    })
    url = f"{local_server.url}/api/customer/77/document/{doc['id']}"
    answer = requests.put(url, data=encoder, headers={"Content-Type": encoder.content_type, "X-Domain-ID": "7",
                                                       **bearer(local_server)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["frontName"] == "scan-ä.png" and answer.json()["type"] == "PASSPORT"
    back = requests.get(url + "/back", headers={"X-Domain-ID": "7", **bearer(local_server)})
    assert hashlib.sha256(back.content).hexdigest() == hashlib.sha256(big_back).hexdigest()
    assert back.headers["ETag"].startswith(f'"{hashlib.sha256(big_back).hexdigest()}.')


def test_kyc_domains_scopes_and_tenants_over_http(local_server):
    doc = kyc_create(local_server, customer=5)
    url = f"{local_server.url}/api/customer/5/document/{doc['id']}"
    assert requests.get(url, headers={"X-Domain-ID": "7", **bearer(local_server, domains=["1"])}).status_code == 403
    assert requests.get(url, headers={"X-Domain-ID": "7", **bearer(local_server, domains=["7"])}).status_code == 200
    assert requests.get(url, headers={"X-Domain-ID": "7", **bearer(local_server, tenant="other")}).status_code == 404
    assert requests.get(url, headers=bearer(local_server)).status_code == 400
    read_only = bearer(local_server, scope="documents:read")
    assert requests.put(url, headers={"X-Domain-ID": "7", **read_only}).status_code == 403
    assert requests.get(url).status_code == 401


def test_a_request_over_the_lambda_limit_is_413(local_server):
    encoder = MultipartEncoder(fields={"document": '{"type": "OTHER"}',
                                       "front": ("huge.png", png() + b"\x00" * (7 * 1024 * 1024), "image/png")})
    answer = requests.post(f"{local_server.url}/api/customer/1/document", data=encoder,
                           headers={"Content-Type": encoder.content_type, "X-Domain-ID": "7", **bearer(local_server)})
    assert answer.status_code == 413


def spec_raw_request(host: str, doc_id: str, att_id: str, token: str, state_token: str) -> bytes:
    """The capture spec's raw HTTP sample, adapted only in host, ids and token; CRLF line ends,
    the blank line that ends the head, and a Content-Length that counts the body."""
    text = (SPECS / "capture-update-attachment.txt").read_text()
    start = text.index("PUT /capture/api/v1/documents/")
    sample = text[start:text.index("  Response Body", start)].rstrip("\n").split("\n")
    head_end = next(i for i, line in enumerate(sample) if line.startswith("----WebKitFormBoundary"))
    head, body = sample[:head_end], sample[head_end:]
    sample_doc, sample_att = "dcf65d45-4f53-4f82-998c-5e189de1b6a1", "b22046ce-2c30-49b3-b734-25f62dea5403"
    body_text = "\r\n".join(body).replace("340f804ff4118f2f419bc3ca87ef1213", state_token) + "\r\n"
    head_lines = []
    for line in head:
        if line.startswith("PUT "):
            line = line.replace(f"/documents/{sample_doc}", f"/documents/{doc_id}/attachments/{att_id}")
        elif line.startswith("Host:"):
            line = f"Host: {host}"
        elif line.startswith("Authorization:"):
            line = f"Authorization: Bearer {token}"
        elif line.startswith("Content-Length:"):
            line = f"Content-Length: {len(body_text.encode())}"
        head_lines.append(line)
    assert sample_att  # the sample's update targets an attachment; its path names only the document
    return ("\r\n".join(head_lines) + "\r\n\r\n" + body_text).encode()


def send_raw(url: str, raw: bytes) -> tuple[int, dict]:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    return status, json.loads(body)


def capture_attachment(server, headers):
    doc = requests.post(f"{server.url}{CAPTURE}", json={"procedure": {"name": "Demo"}}, headers=headers).json()
    encoder = MultipartEncoder(fields={
        "attachment": (None, json.dumps({"title": "notes", "type": {"name": "Invoice Notes"}}), "application/json"),
        "content": ("notes5.txt", b"x" * 4815, "text/plain"),
    })
    answer = requests.post(f"{server.url}{CAPTURE}/{doc['id']}/attachments", data=encoder,
                           headers={**headers, "Content-Type": encoder.content_type})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_specs_raw_http_sample_updates_the_title(local_server):
    headers = bearer(local_server)
    attachment = capture_attachment(local_server, headers)
    host = urlsplit(local_server.url).netloc
    raw = spec_raw_request(host, attachment["documentId"], attachment["id"], local_server.token(),
                           attachment["stateToken"])
    status, body = send_raw(local_server.url, raw)
    assert status == 200, body
    assert body["title"] == "Notes Title" and body["stateToken"] != attachment["stateToken"]
    assert body["type"]["name"] == "Invoice Notes" and body["mediaType"] == "text/plain" and body["size"] == 4815
    assert body["sourceName"] == "notes5.txt" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["updatedDate"])
    assert [link["rel"] for link in body["links"]] == ["canonical", "urn:oce:capture:attachment-content"]
    content = requests.get(body["links"][1]["href"], headers=headers)
    assert content.status_code == 200 and content.content == b"x" * 4815
    # the same sample again carries a stale stateToken now
    status, stale = send_raw(local_server.url, raw)
    assert status == 412 and stale["stateToken"] == body["stateToken"]


def test_capture_concurrent_updates_with_one_state_token(local_server):
    import concurrent.futures

    headers = bearer(local_server)
    attachment = capture_attachment(local_server, headers)
    url = f"{local_server.url}{CAPTURE}/{attachment['documentId']}/attachments/{attachment['id']}"

    def put(i):
        encoder = MultipartEncoder(fields={"attachment": (None, json.dumps(
            {"title": f"writer {i}", "stateToken": attachment["stateToken"]}), "application/json")})
        answer = requests.put(url, data=encoder, headers={**headers, "Content-Type": encoder.content_type,
                                                           "X-Requested-With": "XMLHttpRequest"})
        return answer.status_code, answer.json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(put, range(8)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    winner = next(body for s, body in results if s == 200)
    assert requests.get(url, headers=headers).json()["title"] == winner["title"]


def test_capture_browser_form_data_with_a_replacement_file(local_server):
    headers = bearer(local_server)
    attachment = capture_attachment(local_server, headers)
    url = f"{local_server.url}{CAPTURE}/{attachment['documentId']}/attachments/{attachment['id']}"
    boundary = "----WebKitFormBoundaryQ3v9hXyZ0aBcDeFg"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"\r\nContent-Type: application/json\r\n\r\n'
            + json.dumps({"comment": "rescanned", "stateToken": attachment["stateToken"]})
            + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="r\u00e9sum\u00e9.png"\r\n'
            "Content-Type: image/png\r\n\r\n").encode() + png(9, 9) + f"\r\n--{boundary}--\r\n".encode()
    answer = requests.put(url, data=body, headers={**headers, "X-Requested-With": "XMLHttpRequest",
                                                    "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert (doc["mediaType"], doc["sourceName"], doc["size"], doc["comment"]) == ("image/png", "résumé.png", len(png(9, 9)), "rescanned")
    assert requests.get(url + "/content", headers=headers).content == png(9, 9)


def test_folio_procedure_defines_a_tenants_procedure_in_the_table(local_server, template, tmp_path):
    import os

    from ..conftest import FOLIO

    definition = {"name": "Invoices", "batchPrefix": "inv",
                  "steps": [{"id": "find-date", "name": "Find Invoice Date", "type": "External Processor"}],
                  "attachmentTypes": [{"name": "Invoice Notes"}, {"name": "Receipt"}]}
    (tmp_path / "invoices.json").write_text(json.dumps(definition))
    table = template.local_name("DocumentsTable")
    env = {**os.environ, **local_server.aws_environment()}
    out = subprocess.run([str(FOLIO), "procedure", "--tenant", "initech", "--file", str(tmp_path / "invoices.json"),
                          "--table", table], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    defined = json.loads(out.stdout)
    assert [t["name"] for t in defined["attachmentTypes"]] == ["Invoice Notes", "Receipt"]
    headers = bearer(local_server, tenant="initech", steps=["find-date"])
    answer = requests.post(f"{local_server.url}{CAPTURE}", json={"procedure": {"name": "Invoices"}}, headers=headers)
    assert answer.status_code == 201 and answer.json()["step"]["id"] == "find-date"
    assert answer.json()["batch"]["name"].startswith("inv_")
    demo = requests.post(f"{local_server.url}{CAPTURE}", json={"procedure": {"name": "Demo"}}, headers=headers)
    assert demo.status_code == 400  # a tenant with its own procedures no longer sees the default ones
