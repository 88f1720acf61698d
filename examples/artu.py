"""artu: an atomic batch by external id, then the file through a presigned URL; waits for 'uploaded'."""

import time
from pathlib import Path

import requests

from examples.common import arguments, check, session

CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def run(url: str, token: str, file: Path, env: str = "test") -> dict:
    s = session(token)
    s.headers["X-Environment"] = env
    items = [{"clientId": CLIENT, "externalId": f"example-{i}", "type": "ine", "filename": file.name} for i in range(3)]
    batch = check(s.put(f"{url}/documents/batch/external", json={"items": items, "atomic": True}), 200)
    doc = batch["data"][0]["data"]
    ticket = check(s.post(f"{url}/documents/{doc['id']}/upload-url", json={
        "contentType": "image/jpeg", "filename": file.name, "size": file.stat().st_size}), 200)
    with file.open("rb") as f:  # straight to S3 (a form: the signed fields, then the file), not through the API
        put = requests.request(ticket["method"], ticket["url"], data=ticket["fields"], files={"file": f},
                               headers=ticket["headers"])
    put.raise_for_status()
    for _ in range(100):  # the S3 event records the file asynchronously
        doc = check(s.get(f"{url}/documents/{doc['id']}"), 200)["data"]
        if doc["status"] == "uploaded":
            return doc
        time.sleep(0.2)
    raise SystemExit("the upload was not recorded")


if __name__ == "__main__":
    import os

    args = arguments(__doc__ + " File: FILE in the environment.")
    print(run(args.url, args.token, Path(os.environ["FILE"])))
