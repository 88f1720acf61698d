"""crm: create a DocumentEntity, then patch it safely with If-Unmodified-Since and a JSON Patch."""

from examples.common import arguments, check, session


def run(url: str, token: str) -> dict:
    s = session(token)
    doc = check(s.post(f"{url}/api/v1/Document", json={"Header": "Quarterly report", "CustomFields": {}}), 201)
    patch = [{"op": "add", "path": "/CustomFields/Region", "value": "EMEA"},
             {"op": "replace", "path": "/Header", "value": "Quarterly report (final)"}]
    patched = check(s.patch(f"{url}/api/v1/Document/{doc['DocumentId']}", json=patch,
                            headers={"Content-Type": "application/json-patch+json",
                                     "If-Unmodified-Since": doc["UpdatedDate"]}), 200)
    return check(s.get(f"{url}/api/v1/Document/{patched['DocumentId']}", params={"$select": "Header,CustomFields"}), 200)


if __name__ == "__main__":
    args = arguments(__doc__)
    print(run(args.url, args.token))
