"""dms end to end against `folio local`: the spec's curl sample, and concurrent uploads to one document."""

import concurrent.futures
import hashlib
import subprocess

import pytest
import requests
from requests_toolbelt import MultipartEncoder

pytestmark = pytest.mark.e2e


def bearer(server, **kwargs):
    return {"Authorization": "Bearer " + server.token(**kwargs)}


def create(server, base, headers):
    encoder = MultipartEncoder(fields={"file": ("v1.bin", b"version one", "application/octet-stream"), "name": "Shared"})
    answer = requests.post(base, data=encoder, headers={**headers, "Content-Type": encoder.content_type})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_the_specs_curl_sample_answers_201_and_keeps_the_file(local_server):
    base = f"{local_server.url}/api/v2/clients/1/dms/projects/2/documents"
    headers = bearer(local_server)
    doc = create(local_server, base, headers)
    # the spec's curl sample, with the host, ids and token filled in
    out = subprocess.run(["curl", "-X", "POST", f"{base}/{doc['id']}", "-H", "Content-Type: multipart/form-data",
                          "-H", "Accept: application/json", "-H", f"Authorization: {headers['Authorization']}",
                          "--silent", "--write-out", "\n%{http_code}"], capture_output=True, text=True, timeout=30, check=True)
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "201", body
    assert requests.get(f"{base}/{doc['id']}", headers=headers).json()["sha256"] == doc["sha256"]


def test_concurrent_uploads_make_contiguous_versions_that_each_download_byte_identical(local_server):
    base = f"{local_server.url}/api/v2/clients/1/dms/projects/3/documents"
    headers = bearer(local_server)
    doc = create(local_server, base, headers)
    url = f"{base}/{doc['id']}"
    clients, uploads = 8, 5

    def upload(client):
        sent = []
        for n in range(uploads):
            data = f"client {client} upload {n} ".encode() * (client + n + 1)
            encoder = MultipartEncoder(fields={"file": (f"c{client}-{n}.txt", data, "text/plain")})
            answer = requests.post(url, data=encoder, headers={**headers, "Content-Type": encoder.content_type})
            assert answer.status_code == 201, answer.text
            sent.append((answer.json()["version"], hashlib.sha256(data).hexdigest(), data))
        return sent

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        sent = [item for batch in pool.map(upload, range(clients)) for item in batch]
    numbers = sorted(version for version, _, _ in sent)
    assert numbers == list(range(2, 2 + clients * uploads))  # distinct and contiguous after version 1
    listing = requests.get(f"{url}/versions", headers=headers).json()["data"]
    assert [v["version"] for v in listing] == list(range(1 + clients * uploads, 0, -1))
    by_version = {v["version"]: v for v in listing}
    for version, sha, data in sent:
        assert by_version[version]["sha256"] == sha
        got = requests.get(f"{url}/versions/{version}/file", headers=headers)
        assert got.status_code == 200 and got.content == data
