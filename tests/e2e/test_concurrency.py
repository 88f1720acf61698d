"""Concurrency over HTTP against `folio local` (threaded gateway, single-threaded embedded AWS):
capture's stateToken under 8 writers, KYC files under concurrent updates and readers."""

import concurrent.futures
import hashlib
import json
import threading

import pytest
import requests
from requests_toolbelt import MultipartEncoder

from ..support.files import png

pytestmark = pytest.mark.e2e
CAPTURE = "/capture/api/v1.1/documents"


def bearer(server, **kwargs):
    return {"Authorization": "Bearer " + server.token(**kwargs)}


def test_capture_8_writers_one_state_token_20_rounds(local_server):
    headers = bearer(local_server)
    doc = requests.post(f"{local_server.url}{CAPTURE}", json={"procedure": {"name": "Demo"}}, headers=headers).json()
    encoder = MultipartEncoder(fields={"attachment": (None, json.dumps({"title": "start"}), "application/json"),
                                       "content": ("notes.txt", b"notes", "text/plain")})
    att = requests.post(f"{local_server.url}{CAPTURE}/{doc['id']}/attachments", data=encoder,
                        headers={**headers, "Content-Type": encoder.content_type}).json()
    url = f"{local_server.url}{CAPTURE}/{doc['id']}/attachments/{att['id']}"
    tally = {200: 0, 409: 0, 412: 0}

    def put(token, title):
        encoder = MultipartEncoder(fields={"attachment": (None, json.dumps({"title": title, "stateToken": token}),
                                                          "application/json")})
        answer = requests.put(url, data=encoder, headers={**headers, "Content-Type": encoder.content_type,
                                                           "X-Requested-With": "XMLHttpRequest"})
        return answer.status_code, title

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for round_ in range(20):
            token = requests.get(url, headers=headers).json()["stateToken"]
            results = list(pool.map(lambda w: put(token, f"round {round_} writer {w}"), range(8)))
            statuses = [s for s, _ in results]
            assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, (round_, statuses)
            for s in statuses:
                tally[s] += 1
            winner = next(title for s, title in results if s == 200)
            assert requests.get(url, headers=headers).json()["title"] == winner
    print(f"capture: 20 rounds x 8 writers: {tally}")
    # change events: the attachment's creation and one per round's winner; none for the 140 losers
    subject = f"/capture/api/v1.1/documents/{doc['id']}/attachments/{att['id']}"
    events = local_server.events.wait_for(lambda e: e["subject"] == subject, 21)
    assert [(e["type"], e["data"]["version"]) for e in events] == (
        [("folio.document.created", 1)] + [("folio.document.updated", v) for v in range(2, 22)])


def test_kyc_concurrent_updates_never_point_at_a_missing_or_different_file(local_server):
    headers = {**bearer(local_server), "X-Domain-ID": "3"}
    encoder = MultipartEncoder(fields={"document": '{"type": "PASSPORT"}', "front": ("f.png", png(), "image/png")})
    doc = requests.post(f"{local_server.url}/api/customer/900/document", data=encoder,
                        headers={**headers, "Content-Type": encoder.content_type}).json()
    url = f"{local_server.url}/api/customer/900/document/{doc['id']}"
    sent = {}
    stop = threading.Event()
    problems = []

    def writer(w):
        for n in range(4):
            front, back = png(3, 3, (w, n, 0)), png(3, 3, (w, n, 1))
            sent[hashlib.sha256(front).hexdigest()] = ("front", w, n)
            sent[hashlib.sha256(back).hexdigest()] = ("back", w, n)
            encoder = MultipartEncoder(fields={"document": '{"number": "P%d"}' % w,
                                               "front": (f"f{w}-{n}.png", front, "image/png"),
                                               "back": (f"b{w}-{n}.png", back, "image/png")})
            answer = requests.put(url, data=encoder, headers={**headers, "Content-Type": encoder.content_type})
            if answer.status_code != 200:
                problems.append(("write", answer.status_code, answer.text))

    def reader():
        while not stop.is_set():
            for side in ("front", "back"):
                image = requests.get(f"{url}/{side}", headers=headers)
                if image.status_code == 404 and side == "back":
                    continue  # before the first update there is no back
                if image.status_code != 200 or not image.headers["ETag"].startswith(f'"{hashlib.sha256(image.content).hexdigest()}.'):
                    problems.append(("read", side, image.status_code))

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(writer, range(6)))
    stop.set()
    for t in readers:
        t.join()
    assert problems == []
    final = {side: hashlib.sha256(requests.get(f"{url}/{side}", headers=headers).content).hexdigest()
             for side in ("front", "back")}
    assert sent[final["front"]][1:] == sent[final["back"]][1:]  # one version holds one request's pair
    versions = requests.get(url, headers=headers).headers["ETag"]
    assert versions == '"25"'  # 1 create + 6 writers x 4 updates, none lost
