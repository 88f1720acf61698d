"""HTTP caching of every answer (RFC 9110 §13 and §15.4.5, RFC 9111): Cache-Control and Vary decided
once here, and a conditional GET answered 304 when its validators still match.

* ``Cache-Control``: an error is ``no-store`` (it describes no stored representation); a dialect
  whose every answer is personal data (kyc: identity documents and their images) is ``no-store``,
  so no browser or proxy keeps an identity image on disk; everything else, files included, is
  ``private, no-cache``: only the caller's own cache may keep it, and only to revalidate it with
  its ETag on every use (a deleted or changed document is never served from a cache unasked). A
  redirect to S3 keeps the ``no-store`` it has (its URL is a credential).
* ``Vary``: ``Authorization`` (the token names the tenant and its rights) and the headers a dialect's
  answers depend on (kyc's ``X-Domain-ID``, artu's ``X-Environment``).
* Conditional GET (and HEAD): ``If-None-Match`` (``*`` or a list of entity tags) is compared weakly
  for documents and strongly for files (a file's ETag is its checksum: byte-identity), and wins over
  ``If-Modified-Since`` (RFC 9110 §13.2.2), which applies where an answer has ``Last-Modified``
  (crm). A list, which has no version, gets a weak ETag of its body. A 304 carries the ETag,
  Cache-Control, Vary, Content-Location and Expires the 200 would have, and no body. A redirect
  to a file carries the file's ETag, so a client holding the file gets its 304 without a redirect.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from .request import body_bytes, entity_tags

NO_STORE = "no-store"
REVALIDATE = "private, no-cache"
#: What a 304 keeps of the 200 it stands for (RFC 9110 §15.4.5); Last-Modified only without an ETag.
_KEPT_BY_304 = ("etag", "cache-control", "vary", "content-location", "expires", "date")


@dataclass(frozen=True)
class CachePolicy:
    """A dialect's: whether all its answers are personal data, and the headers they vary by."""

    personal: bool = False
    vary: tuple[str, ...] = ()


DEFAULT_POLICY = CachePolicy()
_POLICY_ATTRIBUTE = "folio_cache_policy"


def use_policy(app: Any, policy: CachePolicy) -> None:
    """Set the resolver's policy (a dialect's error-map install does, for every handler of it)."""
    setattr(app, _POLICY_ATTRIBUTE, policy)


def policy_of(app: Any) -> CachePolicy:
    return getattr(app, _POLICY_ATTRIBUTE, DEFAULT_POLICY)


def none_match(value: str, etag: str, *, strong: bool) -> bool:
    """Whether an If-None-Match value matches ``etag``: weak comparison, or strong (neither weak).
    Where the value stops being a list of entity tags nothing more matches: the full answer, never
    an error."""
    for tag in entity_tags(value):
        if tag is None:
            return False
        if tag == "*":
            return True
        if strong and (tag.startswith("W/") or etag.startswith("W/")):
            continue
        if tag.removeprefix("W/") == etag.removeprefix("W/"):
            return True
    return False


def _http_date(text: str):
    """An HTTP-date in any of its three forms (asctime's carries no zone: it is GMT), or None."""
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # an invalid date is ignored (RFC 9110 §13.1.3)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _not_modified_since(since: str, last_modified: str) -> bool:
    asked, modified = _http_date(since), _http_date(last_modified)
    return asked is not None and modified is not None and modified <= asked


def finish(answer: dict[str, Any], method: str, request_headers: dict[str, str], policy: CachePolicy) -> dict[str, Any]:
    """``answer`` (a payload-2.0 response) with its caching headers, or the 304 it becomes."""
    status = int(answer.get("statusCode", 200))
    headers: dict[str, Any] = {}
    for name, value in (answer.get("headers") or {}).items():  # one name per header, whatever its case
        same = next((known for known in headers if known.lower() == name.lower()), None)
        if same is None:
            headers[name] = value
        elif name.lower() == "vary":
            headers[same] = f"{headers[same]}, {value}"
    names = {name.lower(): name for name in headers}

    def get(name: str) -> str | None:
        return headers.get(names[name]) if name in names else None

    def put(name: str, value: str) -> None:
        headers.pop(names.pop(name.lower(), name), None)
        headers[name] = value
        names[name.lower()] = name

    is_file = get("content-disposition") is not None or (status == 302 and get("etag") is not None)
    if status >= 400:
        put("Cache-Control", NO_STORE)
    elif get("cache-control") is None:
        put("Cache-Control", NO_STORE if policy.personal else REVALIDATE)
    vary = [v.strip() for v in (get("vary") or "").split(",") if v.strip()]
    for name in ("Authorization", *policy.vary):
        if name.lower() not in {v.lower() for v in vary}:
            vary.append(name)
    put("Vary", ", ".join(vary))
    if method not in ("GET", "HEAD") or status not in (200, 206, 302):
        return {**answer, "headers": headers}
    if status == 200 and get("etag") is None:
        put("ETag", f'W/"{hashlib.sha256(body_bytes(answer)).hexdigest()[:32]}"')
    etag, if_none_match = get("etag"), request_headers.get("if-none-match")
    if if_none_match is not None:
        unchanged = etag is not None and none_match(if_none_match, etag, strong=is_file)
    else:
        since, last_modified = request_headers.get("if-modified-since"), get("last-modified")
        unchanged = since is not None and last_modified is not None and _not_modified_since(since, last_modified)
    if not unchanged:
        return {**answer, "headers": headers}
    kept = {names[n]: headers[names[n]] for n in _KEPT_BY_304 if n in names}
    if etag is None and get("last-modified") is not None:
        kept[names["last-modified"]] = get("last-modified")
    return {"statusCode": 304, "headers": kept, "body": "", "isBase64Encoded": False}


def as_get(event: dict[str, Any]) -> dict[str, Any]:
    """A HEAD request's event as the GET it mirrors (RFC 9110 §9.3.2): the same route, answered the same."""
    context = event.get("requestContext") or {}
    http = {**(context.get("http") or {}), "method": "GET"}
    route_key = str(event.get("routeKey", ""))
    get_key = "GET " + route_key.split(" ", 1)[-1] if route_key.startswith("HEAD ") else route_key
    return {**event, "routeKey": get_key, "requestContext": {**context, "http": http, "routeKey": get_key}}


def without_body(answer: dict[str, Any]) -> dict[str, Any]:
    """The GET's answer to a HEAD: every header (Content-Length the GET's body's), no body."""
    headers = dict(answer.get("headers") or {})
    if answer.get("body") and not any(name.lower() == "content-length" for name in headers):
        headers["Content-Length"] = str(len(body_bytes(answer)))
    return {**answer, "headers": headers, "body": "", "isBase64Encoded": False}
