"""The life cycle around a document (DESIGN §10) in every dialect: dms lists a project's documents
page by page, restores an older version and erases a document; crm lists through OData's nextLink;
kyc lists a customer's documents and erases one; capture reads a document and its attachments and
erases one; artu lists a client's documents and erases one."""

from __future__ import annotations

import base64
import json
import uuid

from requests_toolbelt import MultipartEncoder

from examples.common import arguments, check, session


def upload(s, url: str, data: bytes, file_name: str, **fields) -> dict:
    encoder = MultipartEncoder(fields={"file": (file_name, data, "text/plain"), **fields})
    return check(s.post(url, data=encoder, headers={"Content-Type": encoder.content_type}), 201)


def run(url: str, token: str, client: int = 7, project: int = 77) -> dict:
    s = session(token)
    base = f"{url}/api/v2/clients/{client}/dms/projects/{project}/documents"
    first = upload(s, base, b"draft", "plan.txt", name="Plan")
    upload(s, f"{base}/{first['id']}", b"final", "plan.txt")  # version 2
    second = upload(s, base, b"minutes", "minutes.txt", name="Minutes")

    listed, cursor = [], ""
    while cursor is not None:  # one document a page, to show the cursor
        page = check(s.get(base, params={"limit": 1, "cursor": cursor}), 200)
        listed += [doc["id"] for doc in page["data"]]
        cursor = page["nextCursor"]

    restored = check(s.post(f"{base}/{first['id']}/versions/1/restore", headers={"If-Match": '"2"'}), 201)
    content = s.get(f"{base}/{first['id']}/versions/{restored['version']}/file").content

    erased = s.delete(f"{base}/{second['id']}", headers={"If-Match": '"1"'})
    gone = s.get(f"{base}/{second['id']}").status_code

    crm, next_link = [], f"{url}/api/v1/Document?$top=2&$select=DocumentId,Header"
    for header in ("Agenda", "Budget", "Contract"):
        check(s.post(f"{url}/api/v1/Document", json={"Header": header}), 201)
    while next_link:
        page = check(s.get(next_link), 200)
        crm += [row["Header"] for row in page["value"]]
        next_link = page.get("odata.nextLink")
    return {"listed": listed, "restored_version": restored["version"], "restored_content": content,
            "delete_status": erased.status_code, "after_delete": gone, "crm_headers": crm,
            "kyc": kyc(s, url), "capture": capture(s, url), "artu": artu(s, url)}


#: A 1x1 PNG: kyc judges an image by its bytes.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def kyc(s, url: str, domain: int = 7, customer: int = 4242) -> dict:
    """Two documents of a customer, listed newest first; the older one erased."""
    base, headers = f"{url}/api/customer/{customer}/document", {"X-Domain-ID": str(domain)}
    ids = []
    for number in ("A1", "B2"):
        encoder = MultipartEncoder(fields={"document": json.dumps({"type": "PASSPORT", "number": number}),
                                           "front": ("front.png", PNG, "image/png")})
        ids.append(check(s.post(base, data=encoder, headers={**headers, "Content-Type": encoder.content_type}),
                         201)["id"])
    page = check(s.get(base, params={"size": 10}, headers=headers), 200)
    erased = s.delete(f"{base}/{ids[0]}", headers={**headers, "If-Match": '"1"'}).status_code
    after = check(s.get(base, params={"size": 10}, headers=headers), 200)
    return {"listed": [d["id"] for d in page["content"]], "erased": erased, "after": [d["id"] for d in after["content"]]}


def capture(s, url: str) -> dict:
    """A document with two attachments: the document with its links, the list, one attachment erased."""
    base = f"{url}/capture/api/v1.1/documents"
    doc = check(s.post(base, json={"procedure": {"name": "Demo"}}), 201)
    attachments = []
    for title in ("first", "second"):
        encoder = MultipartEncoder(fields={"attachment": (None, json.dumps({"title": title}), "application/json"),
                                           "content": (f"{title}.txt", title.encode(), "text/plain")})
        attachments.append(check(s.post(f"{base}/{doc['id']}/attachments", data=encoder,
                                        headers={"Content-Type": encoder.content_type}), 201))
    read = check(s.get(f"{base}/{doc['id']}"), 200)
    first = attachments[0]
    erased = s.delete(f"{base}/{doc['id']}/attachments/{first['id']}", json={"stateToken": first["stateToken"]},
                      headers={"X-Requested-With": "XMLHttpRequest"}).status_code
    listed = check(s.get(f"{base}/{doc['id']}/attachments", params={"limit": 10}), 200)
    return {"links": len(read.get("links", [])), "erased": erased, "left": [a["title"] for a in listed["items"]]}


def artu(s, url: str) -> dict:
    """A client's two documents (one batch), listed in their environment; one erased."""
    client, headers = str(uuid.uuid4()), {"X-Environment": "live"}
    items = [{"clientId": client, "externalId": f"ext-{n}", "type": "invoice"} for n in (1, 2)]
    check(s.put(f"{url}/documents/batch/external", json={"atomic": True, "items": items}, headers=headers), 200)
    listed = check(s.get(f"{url}/documents", params={"clientId": client}, headers=headers), 200)["data"]
    erased = s.delete(f"{url}/documents/{listed[-1]['id']}", headers=headers).status_code
    after = check(s.get(f"{url}/documents", params={"clientId": client}, headers=headers), 200)["data"]
    return {"listed": len(listed), "erased": erased, "after": len(after)}


if __name__ == "__main__":
    args = arguments(__doc__)
    print(run(args.url, args.token))
