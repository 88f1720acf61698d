"""The life cycle around a document (DESIGN §10), on dms and crm: list a project's documents page by
page, restore an older version, erase a document; list crm documents through OData's nextLink."""

from __future__ import annotations

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
            "delete_status": erased.status_code, "after_delete": gone, "crm_headers": crm}


if __name__ == "__main__":
    args = arguments(__doc__)
    print(run(args.url, args.token))
