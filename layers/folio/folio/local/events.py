"""API Gateway HTTP API (payload format 2.0) events, built exactly as AWS builds them."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..web.media import bare_media_type

#: What API Gateway passes as text; every other body is base64-encoded.
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded", "application/graphql")

#: Lambda's synchronous invocation payload limit (request event), in bytes.
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024


def is_text(content_type: str | None) -> bool:
    ct = bare_media_type(content_type)
    return ct.startswith(_TEXT_TYPES) or ct.endswith("+json") or ct.endswith("+xml")


def claim_as_string(value: Any) -> str:
    """HTTP API hands claims to functions as strings; arrays become "[a b]"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(claim_as_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def build_event(
    *,
    method: str,
    raw_path: str,
    route_key: str,
    path_parameters: dict[str, str] | None,
    raw_query: str = "",
    headers: list[tuple[str, str]] | dict[str, str] | None = None,
    body: bytes = b"",
    claims: dict[str, Any] | None = None,
    scopes: tuple[str, ...] | None = None,
    source_ip: str = "127.0.0.1",
    domain_name: str = "127.0.0.1:3000",
    request_id: str | None = None,
) -> dict[str, Any]:
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in pairs:
        lname = name.lower()
        if lname == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        merged[lname] = f"{merged[lname]},{value}" if lname in merged else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    now = datetime.now(UTC)
    request_id = request_id or base64.b32encode(uuid.uuid4().bytes)[:16].decode()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "folio-local",
            "domainName": domain_name,
            "domainPrefix": domain_name.split(".")[0].split(":")[0],
            "http": {
                "method": method,
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if claims is not None:
        event["requestContext"]["authorizer"] = {
            "jwt": {
                "claims": {k: claim_as_string(v) for k, v in claims.items()},
                "scopes": list(scopes) if scopes else None,
            }
        }
    if body:
        if is_text(merged.get("content-type")):
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(body).decode()
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that code (and Powertools) read."""

    function_name: str
    memory_limit_in_mb: int = 256
    timeout_s: int = 29
    aws_request_id: str = ""
    function_version: str = "$LATEST"

    def __post_init__(self):
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def build_s3_event(*, bucket: str, key: str, size: int, etag: str, version_id: str | None, sequencer: str,
                   event_name: str = "ObjectCreated:Put", region: str = "us-east-1") -> dict[str, Any]:
    """An S3 event notification (one record), shaped as S3 delivers it to Lambda."""
    from urllib.parse import quote_plus

    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag, "sequencer": sequencer}
    if version_id:
        obj["versionId"] = version_id
    return {"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AROAFOLIOLOCAL:presigned-upload"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                             "x-amz-id-2": uuid.uuid4().hex},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "folio-local",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "FOLIOLOCAL"},
                       "arn": f"arn:aws:s3:::{bucket}"},
            "object": obj,
        },
    }]}
