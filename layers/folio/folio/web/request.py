"""Reading API Gateway HTTP API (payload 2.0) events and writing answers, for every dialect."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..core import Caller, Precondition
from ..core.errors import InvalidRequest, Unauthenticated

_ETAG = re.compile(r'\s*((?:W/)?"[^"]*"|\*)\s*(?:,|$)')


def headers_of(event: dict[str, Any]) -> dict[str, str]:
    """Header names lower-cased (API Gateway already does; direct invocations may not)."""
    return {k.lower(): v for k, v in (event.get("headers") or {}).items()}


def body_bytes(event: dict[str, Any]) -> bytes:
    """The raw body. Powertools' decoded_body assumes UTF-8 text, which breaks binaries."""
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as e:
            raise InvalidRequest("the body is marked base64 but is not valid base64") from e
    return body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)


#: JSON nested deeper than this is refused: nothing legitimate needs it, and deep values would
#: exhaust the recursion of copying, validating and storing them.
MAX_JSON_DEPTH = 64


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def json_body(event: dict[str, Any]) -> Any:
    """The body as JSON; 400 for empty, non-UTF-8, malformed or too deeply nested input."""
    return parse_json(body_bytes(event))


def parse_json(raw: bytes, what: str = "the request body") -> Any:
    """JSON from bytes (a body or a multipart part); 400 naming ``what`` when it is not usable."""
    if not raw.strip():
        raise InvalidRequest(f"{what} is empty; a JSON document is required")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidRequest(f"{what} is not valid UTF-8 (byte {e.start})") from e
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as e:
        raise InvalidRequest(f"{what} is JSON nested too deeply") from e
    except json.JSONDecodeError as e:
        raise InvalidRequest(f"{what} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from e
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise InvalidRequest(f"{what} is JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _reject_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def bare_media_type(content_type: str | None) -> str:
    """A Content-Type without its parameters, lower-cased ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def media_type(event: dict[str, Any]) -> str:
    """The request's media type ('' when there is no Content-Type)."""
    return bare_media_type(headers_of(event).get("content-type"))


def _claim_list(value: Any) -> list[str] | None:
    """HTTP API passes every claim as a string; arrays arrive as "[a b]"."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [part for part in re.split(r"[\s,]+", text) if part]


def caller_from_event(event: dict[str, Any]) -> Caller:
    """The verified caller, from requestContext.authorizer.jwt.claims."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    jwt = authorizer.get("jwt") or {}
    claims = jwt.get("claims") or {}
    if not claims:
        raise Unauthenticated("no verified token reached the function")
    scopes = jwt.get("scopes") or _claim_list(claims.get("scope")) or []
    domains = _claim_list(claims.get("folio:domains"))
    return Caller(
        tenant=str(claims.get("tenant", "")),
        sub=str(claims.get("sub", "")),
        name=claims.get("name"),
        email=claims.get("email"),
        given_name=claims.get("given_name"),
        family_name=claims.get("family_name"),
        scopes=frozenset(scopes),
        domains=frozenset(domains) if domains is not None else None,
        steps=frozenset(_claim_list(claims.get("folio:steps")) or []),
    )


def _parse_http_date(value: str, header: str) -> tuple[datetime, bool]:
    """An HTTP-date (RFC 9110), or an ISO-8601 date-time as the vendors' own dates are."""
    text = value.strip()
    try:
        parsed = parsedate_to_datetime(text)
        seconds_only = True
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            seconds_only = False
        except ValueError:
            raise InvalidRequest(
                f"{header} is not a date: use an HTTP-date such as 'Tue, 15 Nov 1994 08:12:31 GMT' or ISO-8601",
                errors=[{"field": header, "message": "not a date"}],
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, seconds_only


def _parse_etags(value: str, header: str) -> tuple[str, ...]:
    tags, pos = [], 0
    value = value.strip()
    while pos < len(value):
        m = _ETAG.match(value, pos)
        if not m or m.end() == pos:
            raise InvalidRequest(
                f'{header} must be "*" or a list of quoted entity tags such as "3"',
                errors=[{"field": header, "message": "malformed entity tag"}],
            )
        tags.append(m.group(1))
        pos = m.end()
    if not tags:
        raise InvalidRequest(f"{header} is empty", errors=[{"field": header, "message": "empty"}])
    return tuple(tags)


def precondition_from_event(event: dict[str, Any]) -> Precondition:
    headers = headers_of(event)
    if_match = headers.get("if-match")
    if_none_match = headers.get("if-none-match")
    since = headers.get("if-unmodified-since")
    none_match_any = False
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise InvalidRequest(
                "If-None-Match is supported only as '*' (create only if absent)",
                errors=[{"field": "If-None-Match", "message": "only * is supported"}],
            )
        none_match_any = True
    parsed_since, seconds_only = (None, True)
    if since is not None:
        parsed_since, seconds_only = _parse_http_date(since, "If-Unmodified-Since")
    return Precondition(
        if_match=_parse_etags(if_match, "If-Match") if if_match is not None else None,
        if_none_match_any=none_match_any,
        if_unmodified_since=parsed_since,
        since_has_seconds_only=seconds_only,
    )


def base_url(event: dict[str, Any]) -> str:
    """The public scheme://host the client called, for hypermedia links."""
    headers = headers_of(event)
    host = headers.get("host") or (event.get("requestContext") or {}).get("domainName") or "localhost"
    proto = headers.get("x-forwarded-proto", "https").split(",")[0].strip() or "https"
    return f"{proto}://{host}"


def positive_id(raw: str | None, name: str, bits: int = 64) -> int:
    """A numeric path id as the specs type them (int32/int64): a positive integer, else 400."""
    maximum = 2 ** (bits - 1) - 1
    if raw is None or not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= maximum:
        raise InvalidRequest(f"{name} must be a positive {bits}-bit integer, got {raw!r}",
                             errors=[{"field": name, "message": f"must be an integer between 1 and {maximum}"}])
    return int(raw)


def query_param(event: dict[str, Any], name: str) -> str | None:
    return (event.get("queryStringParameters") or {}).get(name)


def iso_utc(value: datetime, timespec: str = "milliseconds") -> str:
    """An ISO-8601 date-time in UTC with ``Z``, as the vendors write theirs (precision per dialect)."""
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None,
                  content_type: str = "application/json"):
    """A JSON answer (non-ASCII kept as UTF-8)."""
    from aws_lambda_powertools.event_handler import Response

    return Response(status_code=status, content_type=content_type, body=json.dumps(value, ensure_ascii=False),
                    headers=headers or {})


def content_disposition(disposition: str, file_name: str | None) -> str:
    """``inline``/``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*`` (RFC 6266)."""
    if not file_name:
        return disposition
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in file_name)
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def file_response(data: bytes, content_type: str, etag: str, file_name: str | None = None):
    """The exact bytes of one stored file version, with its type, a strong ETag and its name."""
    from aws_lambda_powertools.event_handler import Response

    return Response(
        status_code=200,
        content_type=content_type,
        body=data,  # bytes: the resolver answers base64 with isBase64Encoded
        headers={"ETag": etag, "Content-Disposition": content_disposition("inline", file_name),
                 "X-Content-Type-Options": "nosniff"},
    )
