"""artu end to end against `folio local`: the spec's curl, atomic batches, and the presigned upload flow."""

import concurrent.futures
import hashlib
import json
import subprocess
import time

import pytest
import requests

from ..support.shared import SHARED

pytestmark = pytest.mark.e2e

SPECS = SHARED / "specs"
CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def headers(server, env="live", **token):
    return {"Authorization": "Bearer " + server.token(**token), "X-Environment": env}


def upsert(server, items, atomic=True, env="live"):
    return requests.put(f"{server.url}/documents/batch/external", json={"items": items, "atomic": atomic},
                        headers=headers(server, env))


def test_the_specs_curl_command(local_server):
    text = (SPECS / "artu-batch-upsert-external.txt").read_text()
    start = text.index("curl --request PUT")
    command = text[start:text.index("\n'\n", start) + 2]  # through the line that closes --data
    command = (command.replace("https://api.artu.ai", local_server.url).replace("<token>", local_server.token())
               .replace("<api-key>", "test"))
    # the sample's placeholders are not valid values; only they are filled in, nothing else changes
    for placeholder, value in (('"<string>"', '"spec-sample"'), ('"<unknown>"', "null"),
                               ('"scope": null', '"scope": "kyc"'), ('"type": null', '"type": "ine"')):
        command = command.replace(placeholder, value)
    out = subprocess.run(["bash", "-c", command + " --silent --write-out '\\n%{http_code}'"],
                         capture_output=True, text=True, timeout=30, check=True)
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "200", body
    answer = json.loads(body)
    assert answer["atomic"] is True and answer["data"][0]["data"]["status"] == "pending_upload"
    assert answer["data"][0]["data"]["fields"]["registrationYear"] == 2000


def test_presigned_upload_is_recorded_by_the_s3_event(local_server, template, monkeypatch):
    doc = upsert(local_server, [{"clientId": CLIENT, "externalId": "e2e-upload", "type": "ine",
                                 "filename": "ine.pdf"}]).json()["data"][0]["data"]
    data = b"%PDF-1.4 " + bytes(range(256)) * 40
    ticket = requests.post(f"{local_server.url}/documents/{doc['id']}/upload-url",
                           json={"contentType": "application/pdf", "size": len(data)}, headers=headers(local_server)).json()
    too_large = requests.request(ticket["method"], ticket["url"], data=ticket["fields"],
                                 files={"file": ("ine.pdf", data + b"!")}, headers=ticket["headers"])
    assert too_large.status_code == 400 and b"EntityTooLarge" in too_large.content  # folio local checks as S3 does
    put = requests.request(ticket["method"], ticket["url"], data=ticket["fields"], files={"file": ("ine.pdf", data)},
                           headers=ticket["headers"])
    assert put.status_code in (200, 201, 204), put.text
    deadline = time.time() + 20
    while time.time() < deadline:
        got = requests.get(f"{local_server.url}/documents/{doc['id']}", headers=headers(local_server)).json()["data"]
        if got["status"] == "uploaded":
            break
        time.sleep(0.1)
    assert (got["status"], got["contentType"], got["size"], got["filename"]) == ("uploaded", "application/pdf",
                                                                               len(data), "ine.pdf")
    assert ticket["expiresAt"].endswith("Z")
    from folio.storage.clients import reset_clients
    from folio.dialects.artu.mapping import document_key
    from folio.storage.wiring import batch_service

    for name, value in {**local_server.aws_environment(), "TABLE_NAME": template.local_name("DocumentsTable")}.items():
        monkeypatch.setenv(name, value)
    reset_clients()
    try:
        stored = batch_service().read(document_key("demo", "live", CLIENT, "e2e-upload"))
    finally:
        reset_clients()
    assert stored.files["file"].sha256 == hashlib.sha256(data).hexdigest()  # read back by the S3 event function


def test_concurrent_atomic_batches_over_overlapping_ids_are_each_all_or_nothing(local_server):
    ids = [f"overlap-{i}" for i in range(40)]
    upsert(local_server, [{"clientId": CLIENT, "externalId": x, "type": "seed"} for x in ids])

    def run(writer):
        chosen = ids[writer * 5: writer * 5 + 20]  # each overlaps its neighbours
        answer = upsert(local_server, [{"clientId": CLIENT, "externalId": x, "type": f"w{writer}",
                                        "metadata": {"writer": writer}} for x in chosen])
        return writer, chosen, answer.status_code

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(4)))
    assert all(status in (200, 409) for _, _, status in results), results
    final = {}
    for x in ids:
        found = requests.get(f"{local_server.url}/documents", params={"clientId": CLIENT, "externalId": x},
                             headers=headers(local_server)).json()["data"][0]
        final[x] = found["type"]
    for writer, chosen, status in results:
        if status == 200:
            continue
        assert all(final[x] != f"w{writer}" for x in chosen)  # a refused batch left nothing behind
    assert any(status == 200 for _, _, status in results)


def test_concurrent_atomic_batches_beyond_one_transaction_are_each_all_or_nothing(local_server):
    """Two 120-item batches (intent + locks) over 60 shared ids, at once: each applies whole or not at all."""
    ids = [f"big-{i}" for i in range(180)]
    shared = set(ids[60:120])

    def run(writer):
        chosen = ids[writer * 60: writer * 60 + 120]
        answer = upsert(local_server, [{"clientId": CLIENT, "externalId": x, "type": f"big{writer}"} for x in chosen])
        return writer, chosen, answer.status_code

    def type_of(external_id):
        found = requests.get(f"{local_server.url}/documents", params={"clientId": CLIENT, "externalId": external_id},
                             headers=headers(local_server)).json()["data"]
        return found[0]["type"] if found else None

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, range(2)))
    assert all(status in (200, 409) for _, _, status in results), results
    for writer, chosen, status in results:
        own = {type_of(x) for x in chosen if x not in shared}
        assert own == ({f"big{writer}"} if status == 200 else {None}), (writer, status, own)
    shared_types = {type_of(x) for x in shared}
    assert len(shared_types) == 1  # never a mix of the two batches
    winner = shared_types.pop()
    assert any(status == 200 and winner == f"big{writer}" for writer, _, status in results)
    # change events: one per document each batch that committed wrote, none of a batch that did not
    committed = sum(120 for _, _, status in results if status == 200)
    events = local_server.events.wait_for(
        lambda e: e["data"].get("externalId") in ids and e["data"].get("environment") == "live", committed)
    versions: dict[str, list[int]] = {}
    for event in events:
        versions.setdefault(event["data"]["externalId"], []).append(event["data"]["version"])
    assert len(events) == committed
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in versions.values()), versions


def test_concurrent_non_atomic_batches_lose_nothing(local_server):
    """4 clients upsert the same 10 ids item by item, 3 times each: every write lands (versions count them)."""
    ids = [f"nonatomic-{i}" for i in range(10)]
    created = upsert(local_server, [{"clientId": CLIENT, "externalId": x} for x in ids], atomic=False).json()["data"]

    def run(writer):
        statuses = []
        for round_ in range(3):
            answer = upsert(local_server, [{"clientId": CLIENT, "externalId": x, "metadata": {"w": writer, "r": round_}}
                                           for x in ids], atomic=False)
            statuses.append(answer.status_code)
            assert all("data" in entry for entry in answer.json()["data"]), answer.text
        return statuses

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert [s for result in pool.map(run, range(4)) for s in result] == [200] * 12
    for entry in created:
        got = requests.get(f"{local_server.url}/documents/{entry['data']['id']}", headers=headers(local_server))
        assert got.headers["ETag"] == '"13"'  # 1 create + 4 writers x 3 rounds


def test_a_presigned_post_is_bound_to_its_key_content_type_size_and_expiry(local_server):
    """moto accepts any signature (DESIGN 7), so check the SigV4 POST signature S3 would check: the
    policy's HMAC under the same credentials matches the one issued, and the policy binds the key,
    the type, the size and the expiry; folio local refuses a form that breaks it."""
    import base64
    import hmac

    from folio.local.aws import LOCAL_SECRET_KEY

    doc = upsert(local_server, [{"clientId": CLIENT, "externalId": "signed"}]).json()["data"][0]["data"]
    ticket = requests.post(f"{local_server.url}/documents/{doc['id']}/upload-url",
                           json={"contentType": "image/png", "size": 10}, headers=headers(local_server)).json()
    fields = ticket["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 0, 10] in policy["conditions"] and {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": f"demo/artu-live/{doc['id']}/artu-upload"} in policy["conditions"]
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and policy["expiration"].endswith("Z")

    def sign(key, text):
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    day, region, service = fields["x-amz-credential"].split("/")[1:4]
    key = sign(sign(sign(sign(("AWS4" + LOCAL_SECRET_KEY).encode(), day), region), service), "aws4_request")
    assert hmac.new(key, fields["policy"].encode(), hashlib.sha256).hexdigest() == fields["x-amz-signature"]
    forged = base64.b64encode(json.dumps({**policy, "conditions": [["content-length-range", 0, 10**9]]}).encode())
    assert hmac.new(key, forged, hashlib.sha256).hexdigest() != fields["x-amz-signature"]
    for changed in ({"Content-Type": "text/html"}, {"key": f"demo/artu-live/{CLIENT}/artu-upload"}):
        refused = requests.post(ticket["url"], data={**fields, **changed}, files={"file": ("x.png", b"png")})
        assert refused.status_code == 403, refused.text
