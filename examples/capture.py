"""capture: a document in the Demo procedure, an attachment, then the stateToken-guarded update."""

import json

from requests_toolbelt import MultipartEncoder

from examples.common import arguments, check, session


def run(url: str, token: str, procedure: str = "Demo") -> dict:
    s = session(token)
    base = f"{url}/capture/api/v1.1/documents"
    doc = check(s.post(base, json={"procedure": {"name": procedure}}), 201)
    encoder = MultipartEncoder(fields={
        "attachment": (None, json.dumps({"title": "notes", "type": {"name": "Invoice Notes"}}), "application/json"),
        "content": ("notes5.txt", b"Invoice 4781: due 2021-10-19\n", "text/plain")})
    att = check(s.post(f"{base}/{doc['id']}/attachments", data=encoder,
                       headers={"Content-Type": encoder.content_type}), 201)
    encoder = MultipartEncoder(fields={"attachment": (
        None, json.dumps({"title": "Notes Title", "stateToken": att["stateToken"]}), "application/json")})
    answer = s.put(f"{base}/{doc['id']}/attachments/{att['id']}", data=encoder,
                   headers={"Content-Type": encoder.content_type, "X-Requested-With": "XMLHttpRequest"})
    if answer.status_code == 412:  # someone else changed it: the answer names the current stateToken
        raise SystemExit(f"stale: retry with stateToken {answer.json()['stateToken']}")
    return check(answer, 200)


if __name__ == "__main__":
    args = arguments(__doc__)
    print(run(args.url, args.token))
