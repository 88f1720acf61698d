"""Media types, as every part of a request names them, and how a stored file of each type is served.

A stored file's type is the one the client declared, parsed (:func:`parse_media_type`): exactly one
RFC 9110 ``type/subtype``, lower-cased, with only ``charset`` kept (for ``text/*``, where it says how
the bytes read). Serving it, a browser must never run it as part of folio's origin: only the
:data:`INERT_TYPES` (and any ``audio/*`` or ``video/*``), which a browser shows without running
anything, are served ``inline``; every other type (``text/html``, ``image/svg+xml``,
``application/xhtml+xml``, ``text/xml``, ``application/javascript``, a type no one has heard of...)
is served as an ``attachment``. Every file answer also carries ``X-Content-Type-Options: nosniff``
and :func:`content_security_policy`.
"""

from __future__ import annotations

import re

#: Types a browser displays (or hands to a viewer, or downloads) without running anything in the page.
INERT_TYPES = frozenset({
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif", "image/bmp",
    "image/tiff", "application/pdf", "text/plain", "text/csv", "application/octet-stream", "application/zip",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
})
#: Top-level types that are inert whatever their subtype.
INERT_TOP_LEVEL = ("audio", "video")

#: What a served file may do: load nothing, and run sandboxed (no script, no form, an opaque origin).
SANDBOX_POLICY = "default-src 'none'; sandbox"
#: A PDF loads nothing either, but is not sandboxed: Safari and Firefox refuse to render a PDF in a
#: sandboxed document (the viewer is script), and the PDF's own script runs in the viewer's sandbox.
PDF_POLICY = "default-src 'none'"

# RFC 9110 §5.6.2 token, §5.6.4 quoted-string, §8.3.1 media-type (one value: no list, no comma).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
_PARAMETER = rf"[ \t]*;(?:[ \t]*({_TOKEN})=({_TOKEN}|{_QUOTED}))?"
_MEDIA_TYPE = re.compile(rf"[ \t]*({_TOKEN})/({_TOKEN})((?:{_PARAMETER})*)[ \t]*")
_PARAMETERS = re.compile(_PARAMETER)
_BACKSLASH_ESCAPE = re.compile(r"\\(.)")


def bare_media_type(content_type: str | None) -> str:
    """A Content-Type without its parameters, lower-cased ('' when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_media_type(value: str) -> str | None:
    """``value`` as the one media type it names, normalised (``type/subtype``, lower-case, plus
    ``; charset=...`` for text); None unless it is exactly one valid media type."""
    match = _MEDIA_TYPE.fullmatch(value)
    if match is None:
        return None
    media_type = f"{match[1]}/{match[2]}".lower()
    if match[1].lower() == "text":
        for name, raw in (m.groups() for m in _PARAMETERS.finditer(match[3])):
            if name and name.lower() == "charset":
                charset = _BACKSLASH_ESCAPE.sub(r"\1", raw[1:-1]) if raw.startswith('"') else raw
                if re.fullmatch(_TOKEN, charset):
                    return f"{media_type}; charset={charset.lower()}"
                break
    return media_type


def is_inert(media_type: str) -> bool:
    """Whether a browser shows a file of this (parsed) type without running anything."""
    bare = bare_media_type(media_type)
    return bare in INERT_TYPES or bare.split("/", 1)[0] in INERT_TOP_LEVEL


def content_security_policy(media_type: str) -> str:
    """The Content-Security-Policy a stored file of this (parsed) type is served with."""
    return PDF_POLICY if bare_media_type(media_type) == "application/pdf" else SANDBOX_POLICY


def served_as(stored_type: str) -> tuple[str, str, str]:
    """The Content-Type, the Content-Disposition type (``inline`` only for an inert type) and the
    Content-Security-Policy of a stored file. A stored type that does not parse (recorded before
    types were parsed) is served as bytes to save."""
    media_type = parse_media_type(stored_type)
    if media_type is None:
        return "application/octet-stream", "attachment", SANDBOX_POLICY
    return media_type, "inline" if is_inert(media_type) else "attachment", content_security_policy(media_type)
