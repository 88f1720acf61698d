"""Upload a large file through an upload session (DESIGN §9): its parts go in parallel straight to
S3, each read from disk as it is sent, each with its CRC64NVME; an interrupted upload resumes from
the parts S3 holds. Then the file is downloaded back through the redirect and its CRC64NVME checked.

    python -m examples.large_upload --url URL --token TOKEN FILE            # upload (kyc), download, verify
    python -m examples.large_upload --url URL --token TOKEN --resume UPLOAD_URL FILE

The session logic does not depend on the route: a :class:`Route` names where sessions start, the
extra JSON and headers its dialect wants, and where the committed file is downloaded
(:func:`kyc_route` by default, :func:`dms_route` for files above kyc's 100 MiB).
"""

from __future__ import annotations

import base64
import math
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from awscrt import checksums

from examples.common import check, session

MiB = 1024 * 1024
#: The part size this client asks for (S3: 5 MiB to 5 GiB), grown so that a file fits folio's
#: 1,000 parts per session.
PART_SIZE = 16 * MiB
MAX_PARTS = 1000
#: Parts in flight at once; each holds one read buffer, never a whole part.
PARALLEL_PARTS = 4
READ_BYTES = MiB


@dataclass(frozen=True)
class Route:
    """Where a dialect's sessions start (a path of the API), what its start JSON and requests carry
    besides the file, and the path of the committed file, from the completion's answer."""

    start: str
    download: Callable[[dict[str, Any]], str]
    fields: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def kyc_route(customer: int = 42, domain: int = 7) -> Route:
    """A new kyc document whose front is the file (kyc takes images of up to 100 MiB by default)."""
    base = f"/api/customer/{customer}/document"
    return Route(f"{base}/uploads", lambda doc: f"{base}/{doc['id']}/front",
                 {"document": {"type": "PASSPORT", "number": "E1234567", "expiryDate": "2031-01-01"}},
                 {"X-Domain-ID": str(domain)})


def dms_route(client: int = 1, project: int = 1) -> Route:
    """A new dms document whose version 1 is the file (dms takes files of up to 5 GiB by default)."""
    base = f"/api/v2/clients/{client}/dms/projects/{project}/documents"
    return Route(f"{base}/uploads", lambda doc: f"{base}/{doc['id']}/versions/1/file", {"name": "A large file"})


def b64(crc: int) -> str:
    return base64.b64encode(crc.to_bytes(8, "big")).decode()


def part_size_for(size: int) -> int:
    return max(PART_SIZE, math.ceil(size / MAX_PARTS / MiB) * MiB)


def _chunks(f, length: int) -> Iterable[bytes]:
    while length > 0:
        chunk = f.read(min(READ_BYTES, length))
        if not chunk:
            raise ValueError("the file is shorter than its session says")
        length -= len(chunk)
        yield chunk


def checksums_of(path: Path, part_size: int) -> tuple[list[str], str]:
    """Each part's base64 CRC64NVME and the whole file's, reading the file once, a MiB at a time."""
    size, parts, whole = path.stat().st_size, [], 0
    with path.open("rb") as f:
        for offset in range(0, max(1, size), part_size):
            crc = 0
            for chunk in _chunks(f, min(part_size, size - offset)):
                crc = checksums.crc64nvme(chunk, crc)
                whole = checksums.crc64nvme(chunk, whole)
            parts.append(b64(crc))
    return parts, b64(whole)


class PartReader:
    """One part of the file as a request body: requests sends its ``len`` as Content-Length and
    reads it a block at a time, so only a block of each part in flight is in memory."""

    def __init__(self, path: Path, offset: int, length: int):
        self._file = path.open("rb")
        self._file.seek(offset)
        self._left = length

    def __len__(self) -> int:
        return self._left

    def read(self, size: int = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()


def put_part(path: Path, part_size: int, part: dict[str, Any]) -> dict[str, Any]:
    """PUT one part to its presigned URL with the headers the session names (its signed checksum)."""
    offset = (part["partNumber"] - 1) * part_size
    body = PartReader(path, offset, min(part_size, path.stat().st_size - offset))
    try:
        answer = requests.request(part.get("method", "PUT"), part["url"], data=body, headers=part["headers"],
                                  timeout=300)
    finally:
        body.close()
    if answer.status_code != 200:
        raise SystemExit(f"part {part['partNumber']}: {answer.status_code} {answer.text}")
    return {"partNumber": part["partNumber"], "etag": answer.headers["ETag"]}


def upload_parts(path: Path, upload: dict[str, Any], parallel: int = PARALLEL_PARTS) -> list[dict[str, Any]]:
    """Every part the session (or its resume) has a URL for, ``parallel`` at a time; their etags."""
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda part: put_part(path, upload["partSize"], part), upload["parts"]))


def start(url: str, token: str, path: Path, route: Route, content_type: str = "image/png",
          part_size: int | None = None) -> tuple[str, dict[str, Any], str]:
    """Start a session for ``path`` (in parts of ``part_size`` bytes, this client's when None): its
    URL (for resume, abort and complete), its answer, and the file's whole CRC64NVME."""
    part_size = part_size or part_size_for(path.stat().st_size)
    parts, whole = checksums_of(path, part_size)
    answer = session(token).post(url + route.start, headers=route.headers, json={
        **route.fields, "fileName": path.name, "contentType": content_type, "size": path.stat().st_size,
        "partSize": part_size, "partChecksums": parts})
    upload = check(answer, 201)
    return url + answer.headers["Location"], upload, whole


def complete(token: str, upload_url: str, parts: list[dict[str, Any]], checksum: str, route: Route,
             headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Commit the uploaded file (``headers``: the dialect's precondition, e.g. If-Match); the
    dialect's usual answer for an inline upload."""
    return check(session(token).post(f"{upload_url}/complete", headers={**route.headers, **(headers or {})},
                                     json={"parts": sorted(parts, key=lambda p: p["partNumber"]),
                                           "checksum": checksum}), 200, 201)


def resume(token: str, upload_url: str, path: Path, route: Route, parallel: int = PARALLEL_PARTS,
           headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Finish an interrupted upload: the session names the parts S3 holds and gives fresh URLs for
    exactly the others, which are sent (each checksum checked against the file first); then complete."""
    upload = check(session(token).get(upload_url, headers=route.headers), 200)
    if upload["size"] != path.stat().st_size:
        raise SystemExit(f"the upload is of {upload['size']} bytes; {path} holds {path.stat().st_size}")
    ours, whole = checksums_of(path, upload["partSize"])
    for part in upload["parts"]:
        if part["headers"]["x-amz-checksum-crc64nvme"] != ours[part["partNumber"] - 1]:
            raise SystemExit(f"part {part['partNumber']} of {path} is not the one this upload started with")
    held = [{"partNumber": p["partNumber"], "etag": p["etag"]} for p in upload["partsReceived"]]
    return complete(token, upload_url, held + upload_parts(path, upload, parallel), whole, route, headers)


def download(url: str, token: str, file_path: str, headers: dict[str, str] | None = None,
             target: Path | None = None) -> tuple[str, int, requests.Response]:
    """GET the file, following the redirect to S3 (requests drops the Authorization header for
    another origin), a MiB at a time: its base64 CRC64NVME, its size, and the redirect answered."""
    crc, size = 0, 0
    with session(token).get(url + file_path, headers=headers, stream=True, timeout=300) as answer:
        check(answer, 200)
        out = target.open("wb") if target else None
        try:
            for chunk in answer.iter_content(READ_BYTES):
                crc = checksums.crc64nvme(chunk, crc)
                size += len(chunk)
                if out:
                    out.write(chunk)
        finally:
            if out:
                out.close()
        return b64(crc), size, answer


def run(url: str, token: str, path: Path, route: Route | None = None, *, resume_url: str | None = None,
        content_type: str = "image/png", parallel: int = PARALLEL_PARTS) -> dict[str, Any]:
    """Upload ``path`` through a new session (or finish the one at ``resume_url``), download it back
    and check that its CRC64NVME is the file's; the completion's answer."""
    route = route or kyc_route()
    if resume_url:
        done = resume(token, resume_url, path, route, parallel)
        whole = checksums_of(path, part_size_for(path.stat().st_size))[1]
    else:
        upload_url, upload, whole = start(url, token, path, route, content_type)
        try:
            parts = upload_parts(path, upload, parallel)
        except BaseException:  # interrupted (Ctrl-C, a network failure): S3 keeps the parts it has
            print(f"interrupted; finish it with --resume {upload_url}", file=sys.stderr)
            raise
        done = complete(token, upload_url, parts, whole, route)
    got, size, _ = download(url, token, route.download(done), route.headers)
    if (got, size) != (whole, path.stat().st_size):
        raise SystemExit(f"downloaded {size} bytes with CRC64NVME {got}; the file has {whole}")
    return done


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("FOLIO_URL", "http://127.0.0.1:3000"))
    parser.add_argument("--token", default=os.environ.get("FOLIO_TOKEN"), help="a bearer token (`folio token`)")
    parser.add_argument("--resume", metavar="UPLOAD_URL", help="finish the upload session at this URL")
    parser.add_argument("--customer", type=int, default=42, help="kyc: the customer (default 42)")
    parser.add_argument("--domain", type=int, default=7, help="kyc: the X-Domain-ID (default 7)")
    parser.add_argument("--dms", action="store_true", help="a dms document instead (files above kyc's 100 MiB)")
    parser.add_argument("--client", type=int, default=1, help="dms: the client (default 1)")
    parser.add_argument("--project", type=int, default=1, help="dms: the project (default 1)")
    parser.add_argument("--content-type", default=None, help="default: image/png for kyc, application/pdf for dms")
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    if not args.token:
        parser.error("give --token or set FOLIO_TOKEN")
    chosen = dms_route(args.client, args.project) if args.dms else kyc_route(args.customer, args.domain)
    print(run(args.url, args.token, args.file, chosen, resume_url=args.resume,
              content_type=args.content_type or ("application/pdf" if args.dms else "image/png")))
