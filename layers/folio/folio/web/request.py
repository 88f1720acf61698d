"""The request object: one API Gateway HTTP API (payload 2.0) event, read once per invocation.

Handlers and dialects see a :class:`WebRequest`, never the event dictionary: caller,
preconditions, headers, query, body and path parameters are parsed here, each when first asked
for (a malformed If-Match fails only the operations that read it, as before).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cached_property
from collections.abc import Iterator
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Request

from ..core import Caller, Precondition
from ..core.limits import INT32_MAX, INT64_MAX
from .json_parsing import parse_json
from .media import bare_media_type
from ..core.errors import InvalidRequest, Unauthenticated, UnsupportedMediaType

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
        tenant=claims.get("tenant"),  # as given: Caller refuses anything but a tenant's string
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


def entity_tags(value: str) -> Iterator[str | None]:
    """The entity tags of an If-Match / If-None-Match value in order, as sent (``W/"x"``, ``"x"`` or
    ``*``); a None where the value stops being a list of them (RFC 9110 §8.8.3), and nothing after."""
    pos, value = 0, value.strip()
    while pos < len(value):
        m = _ETAG.match(value, pos)
        if not m or m.end() == pos:
            yield None
            return
        yield m.group(1)
        pos = m.end()


def _parse_etags(value: str, header: str) -> tuple[str, ...]:
    tags = tuple(entity_tags(value))
    if None in tags:
        raise InvalidRequest(
            f'{header} must be "*" or a list of quoted entity tags such as "3"',
            errors=[{"field": header, "message": "malformed entity tag"}],
        )
    if not tags:
        raise InvalidRequest(f"{header} is empty", errors=[{"field": header, "message": "empty"}])
    return tags


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


def bounded_int(text: str, maximum: int) -> int | None:
    """ASCII decimal digits as the integer they write when it is at most ``maximum``, else None.
    The digits are counted before int() reads them: it refuses more than 4300 (ValueError)."""
    if not text.isascii() or not text.isdigit():
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(maximum)):
        return None
    value = int(digits)
    return value if value <= maximum else None


def positive_id(raw: str | None, name: str, bits: int = 64) -> int:
    """A numeric id as the specs type them (int32/int64): a positive integer, else 400."""
    maximum = INT32_MAX if bits == 32 else INT64_MAX
    value = bounded_int(raw, maximum) if raw is not None else None
    if not value:
        shown = raw if raw is None or len(raw) <= 40 else raw[:40] + "..."
        raise InvalidRequest(f"{name} must be a positive {bits}-bit integer, got {shown!r}",
                             errors=[{"field": name, "message": f"must be an integer between 1 and {maximum}"}])
    return value


class WebRequest:
    """One HTTP request as folio reads it; built once per invocation by :func:`current_request`."""

    def __init__(self, event: dict[str, Any]):
        self._event = event
        self._form = None
        #: the route's path parameters, named as the template's route names them
        self.path: dict[str, str] = dict(event.get("pathParameters") or {})
        #: header names lower-cased
        self.headers: dict[str, str] = headers_of(event)
        self.query: dict[str, str] = dict(event.get("queryStringParameters") or {})
        context = event.get("requestContext") or {}
        self.method: str = str((context.get("http") or {}).get("method", "")).upper()
        self.raw_path: str = event.get("rawPath", "")
        self.raw_query: str = event.get("rawQueryString", "")
        self.request_id: str | None = context.get("requestId")

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> WebRequest:
        return cls(event)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @cached_property
    def caller(self) -> Caller:
        """The verified caller (401 when no verified token reached the function)."""
        return caller_from_event(self._event)

    @cached_property
    def claims(self) -> dict[str, Any]:
        """The verified token's claims as API Gateway passed them (empty when there are none)."""
        authorizer = (self._event.get("requestContext") or {}).get("authorizer") or {}
        return dict((authorizer.get("jwt") or {}).get("claims") or {})

    @cached_property
    def precondition(self) -> Precondition:
        """If-Match, If-None-Match and If-Unmodified-Since, parsed (400 when malformed)."""
        return precondition_from_event(self._event)

    @cached_property
    def body(self) -> bytes:
        """The raw body (base64 decoded; 400 when marked base64 but is not)."""
        return body_bytes(self._event)

    @property
    def has_body(self) -> bool:
        return bool(self._event.get("body"))

    def json(self) -> Any:
        """The body as JSON; 400 for empty, non-UTF-8, malformed or too deeply nested input."""
        return parse_json(self.body)

    def json_as(self, what: str, media_types: tuple[str, ...] = ("application/json",)) -> Any:
        """The body as JSON when its media type is one of ``media_types``, else 415 naming them."""
        if self.media_type not in media_types:
            raise UnsupportedMediaType(f"{what} is sent as {' or '.join(media_types)}, not "
                                       f"{self.media_type or 'without a Content-Type'}", accepted=media_types)
        return self.json()

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def media_type(self) -> str:
        """The media type of the body ('' when there is no Content-Type)."""
        return bare_media_type(self.content_type)

    def form(self):
        """The body as multipart/form-data (400/415 when it is not), parsed once: the
        Idempotency-Key fingerprint and the operation read the same parts."""
        if self._form is None:
            from .multipart import parse_form_data

            self._form = parse_form_data(self.content_type, self.body)
        return self._form

    @cached_property
    def base_url(self) -> str:
        """The public scheme://host the client called, for hypermedia links."""
        return base_url(self._event)


REQUEST_CONTEXT_KEY = "folio_request"


def _kept_in(context: dict, raw_event: dict[str, Any]) -> WebRequest:
    """The invocation's request object, built on first use and kept in the resolver's context
    (which Powertools clears after every invocation; the entry point puts it there first)."""
    request = context.get(REQUEST_CONTEXT_KEY)
    if request is None:
        request = context[REQUEST_CONTEXT_KEY] = WebRequest(raw_event)
    return request


def current_request(app) -> WebRequest:
    """The request object, for middlewares."""
    return _kept_in(app.context, app.current_event.raw_event)


def _resolved_request(request: Request) -> WebRequest:
    """The Depends() provider: the same object middlewares and the entry point see."""
    return _kept_in(request.context, request.resolved_event.raw_event)


#: A route handler's parameter ``request: CurrentRequest`` receives the request object.
CurrentRequest = Annotated[WebRequest, Depends(_resolved_request)]
