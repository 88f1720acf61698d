"""The client side of an upload session, as a user's code does it: the parts to their presigned
URLs with each part's CRC64NVME, then the completion with the whole file's."""

from __future__ import annotations

import base64
from typing import Any

import requests
from awscrt import checksums


def crc64nvme(data: bytes, previous: int = 0) -> int:
    return checksums.crc64nvme(data, previous)


def crc64nvme_b64(data: bytes) -> str:
    return base64.b64encode(crc64nvme(data).to_bytes(8, "big")).decode()


def part_size_for(size: int) -> int:
    """folio's part size when the start names none (DESIGN §9; core.uploads.part_size_for)."""
    mib = 1024 * 1024
    return max(8 * mib, -(-size // 1000 // mib) * mib)


def part_checksums(data: bytes, part_size: int | None = None) -> list[str]:
    """Each part's base64 CRC64NVME, as a start request lists them."""
    size = part_size or part_size_for(len(data))
    return [crc64nvme_b64(data[i:i + size]) for i in range(0, max(1, len(data)), size)]


def start_body(data: bytes, **fields: Any) -> dict[str, Any]:
    """A start request's JSON for ``data``: its size and part checksums, and ``fields``."""
    return {"size": len(data), "partChecksums": part_checksums(data, fields.get("partSize")), **fields}


def part_of(data: bytes, session: dict[str, Any], number: int) -> bytes:
    size = session["partSize"]
    return data[(number - 1) * size:number * size]


def put_part(part: dict[str, Any], chunk: bytes) -> requests.Response:
    """One part to its URL with the headers the session names for it (its signed checksum)."""
    return requests.put(part["url"], data=chunk, headers=part["headers"], timeout=120)


def upload_parts(data: bytes, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Every part the session's URLs name; the part list a completion sends."""
    parts = []
    for part in session["parts"]:
        answer = put_part(part, part_of(data, session, part["partNumber"]))
        assert answer.status_code == 200, answer.text
        parts.append({"partNumber": part["partNumber"], "etag": answer.headers["ETag"]})
    return parts


def completion(data: bytes, parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"parts": parts, "checksum": crc64nvme_b64(data), **extra}
