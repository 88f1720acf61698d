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


def part_of(data: bytes, session: dict[str, Any], number: int) -> bytes:
    size = session["partSize"]
    return data[(number - 1) * size:number * size]


def put_part(url: str, chunk: bytes, checksum: str | None = None) -> requests.Response:
    headers = {"x-amz-checksum-crc64nvme": checksum if checksum is not None else crc64nvme_b64(chunk)}
    return requests.put(url, data=chunk, headers=headers, timeout=120)


def upload_parts(data: bytes, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Every part the session's URLs name; the part list a completion sends."""
    parts = []
    for part in session["parts"]:
        answer = put_part(part["url"], part_of(data, session, part["partNumber"]))
        assert answer.status_code == 200, answer.text
        parts.append({"partNumber": part["partNumber"], "etag": answer.headers["ETag"]})
    return parts


def completion(data: bytes, parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"parts": parts, "checksum": crc64nvme_b64(data), **extra}
