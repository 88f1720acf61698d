"""dms: create a document, upload a second version (streamed), list the versions, download version 1."""

from pathlib import Path

from requests_toolbelt import MultipartEncoder

from examples.common import arguments, check, session


def run(url: str, token: str, first: Path, second: Path, client: int = 1, project: int = 1) -> bytes:
    s = session(token)
    base = f"{url}/api/v2/clients/{client}/dms/projects/{project}/documents"
    with first.open("rb") as f:
        encoder = MultipartEncoder(fields={"file": (first.name, f, "application/pdf"), "name": "Floor plan",
                                           "folderId": "17"})
        doc = check(s.post(base, data=encoder, headers={"Content-Type": encoder.content_type}), 201)
    with second.open("rb") as f:
        encoder = MultipartEncoder(fields={"file": (second.name, f, "application/pdf"), "description": "rev B"})
        check(s.post(f"{base}/{doc['id']}", data=encoder,
                     headers={"Content-Type": encoder.content_type, "X-HTTP-Method-Override": "PUT"}), 201)
    versions = check(s.get(f"{base}/{doc['id']}/versions"), 200)["data"]
    assert [v["version"] for v in versions] == [2, 1]
    return s.get(f"{base}/{doc['id']}/versions/1/file").content


if __name__ == "__main__":
    import os

    args = arguments(__doc__ + " Files: FIRST and SECOND in the environment.")
    print(len(run(args.url, args.token, Path(os.environ["FIRST"]), Path(os.environ["SECOND"]))), "bytes")
