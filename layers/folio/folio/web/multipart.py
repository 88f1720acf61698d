"""One multipart/form-data parser for every multipart route (kyc, capture, dms).

requests-toolbelt's ``MultipartDecoder`` splits the body; the part headers are read with the
standard library's MIME parser, so parameters may come in any order, quoted or not, and
``filename*=UTF-8''...`` (RFC 2231/6266) wins over ``filename=``. Raw UTF-8 file names, as
browsers and curl send them, are kept. A body without a boundary, without its closing
delimiter (truncated), or with a part that has no name is a 400 that says so.

Documentation-style bodies are read too: a vendor's printed sample (capture's raw HTTP
example) shows the boundary itself as the delimiter line, no closing delimiter, and may lose
its blank lines or CRLFs when copied. When a body has no standard delimiter at all (or no CRLF
anywhere), lines equal to the boundary (with or without ``--``) delimit parts, a last delimiter
followed by nothing but blank lines closes the body, and a part without a blank line ends its
headers at the first line that is no ``Name: value`` header. A body whose last part is not
followed by a delimiter is still refused as truncated.

Known limit: the decoder splits on the boundary wherever it occurs, not only at line starts,
so a file that contains its own boundary (RFC 2046 forbids clients to choose such a
boundary) is refused with 400 rather than read; it is never silently cut.

The client's file name is metadata only and never becomes part of an S3 key. A name with a
control character (NUL included) or a path separator is refused (400): browsers and curl
send bare names, and anything else is a client trying something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value

from ..core.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from ..core.limits import MAX_FILE_BYTES
from .json_parsing import parse_json
from .media import bare_media_type

MAX_PARTS = 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Part:
    name: str
    data: bytes
    filename: str | None
    content_type: str | None  # as declared by the client, None when absent

    @property
    def media_type(self) -> str | None:
        return bare_media_type(self.content_type) or None

    def json_object(self, media_types: tuple[str | None, ...] = ("application/json",)) -> dict:
        """The part as a JSON object; 415 unless its type is one of ``media_types`` (None: no
        Content-Type), 400 unless it holds a JSON object."""
        if self.media_type not in media_types:
            named = [t for t in media_types if t]
            raise UnsupportedMediaType(
                f"the {self.name} part must be JSON ({', '.join(named)}{', or no Content-Type' if None in media_types else ''}),"
                f" not {self.media_type or 'without a Content-Type'}", accepted=tuple(named))
        value = parse_json(self.data, f"the {self.name} part")
        if not isinstance(value, dict):
            raise InvalidRequest(f"the {self.name} part must be a JSON object",
                                 errors=[{"field": self.name, "message": "must be an object"}])
        return value

    def within(self, max_bytes: int = MAX_FILE_BYTES, what: str | None = None) -> bytes:
        """The part's bytes, or 413 naming the limit (every dialect's file parts)."""
        if len(self.data) > max_bytes:
            what = what or f"the {self.name} part"
            raise PayloadTooLarge(f"{what} has {len(self.data)} bytes; at most {max_bytes} ({max_bytes / 2**20:g} MiB)",
                                  errors=[{"field": self.name, "message": f"larger than {max_bytes / 2**20:g} MiB"}])
        return self.data


class FormData:
    def __init__(self, parts: list[Part]):
        self.parts = parts
        self._by_name: dict[str, Part] = {}
        for part in parts:
            if part.name in self._by_name:
                raise InvalidRequest(f"the part {part.name!r} is given more than once",
                                     errors=[{"field": part.name, "message": "repeated part"}])
            self._by_name[part.name] = part

    def get(self, name: str) -> Part | None:
        return self._by_name.get(name)

    def only(self, *names: str) -> FormData:
        """400 naming every part that is none of ``names`` (each dialect's form, checked the same way)."""
        unknown = [p.name for p in self.parts if p.name not in names]
        if unknown:
            expected = f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else names[0]
            raise InvalidRequest(f"unknown multipart part(s) {', '.join(map(repr, unknown))}; expected {expected}",
                                 errors=[{"field": n, "message": "unknown part"} for n in unknown])
        return self

    def require(self, name: str) -> Part:
        part = self.get(name)
        if part is None:
            raise InvalidRequest(f"the multipart part {name!r} is required",
                                 errors=[{"field": name, "message": "required part"}])
        return part


def _header_params(name: str, value: str) -> Message:
    message = Message()
    message[name] = value
    return message


def _filename(disposition: Message) -> str | None:
    """``filename*`` (RFC 2231, decoded) when given, else ``filename`` (RFC 6266 §4.3)."""
    plain = None
    for key, value in disposition.get_params(header="content-disposition") or []:
        if key.lower() == "filename":
            if isinstance(value, tuple):
                return collapse_rfc2231_value(value)
            plain = plain if plain is not None else value
    return plain


def _decode_header(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def clean_filename(raw: str | None) -> str | None:
    """A client's file name, trimmed; 400 for control characters or path separators."""
    if raw is None:
        return None
    if _CONTROL.search(raw) or "/" in raw or "\\" in raw:
        raise InvalidRequest(f"the file name {raw!r} contains a path separator or a control character",
                             errors=[{"field": "filename", "message": "a bare file name is required"}])
    name = raw.strip()
    if len(name) > 255:
        raise InvalidRequest("the file name is longer than 255 characters",
                             errors=[{"field": "filename", "message": "at most 255 characters"}])
    return name or None


_HEADER_LINE = re.compile(rb"^[A-Za-z0-9!#$%&'*+.^_`|~-]+:")


def _documentation_style(body: bytes, boundary: bytes) -> bytes | None:
    """The standard form of a body written as documentation prints it (see the module docstring)."""
    lines = re.split(rb"\r?\n", body)
    delimiters = {boundary, b"--" + boundary}
    closers = {b"--" + boundary + b"--", boundary + b"--"}
    parts: list[list[bytes]] = []
    current: list[bytes] | None = None
    closed = False
    for line in lines:
        bare = line.strip()
        if bare in closers:
            closed = True
            break
        if bare in delimiters:
            if current is not None:
                parts.append(current)
            current = []
        elif current is None:
            if bare:
                return None  # content before the first delimiter: not this style
        else:
            current.append(line)
    if current is not None:
        if closed:
            parts.append(current)
        elif any(line.strip() for line in current):
            return None  # a last part that no delimiter ends: truncated
    if not parts:
        return None
    out = []
    for part in parts:
        if b"" in part:
            split = part.index(b"")
            headers, content = part[:split], part[split + 1:]
        else:
            split = next((i for i, line in enumerate(part) if not _HEADER_LINE.match(line)), len(part))
            headers, content = part[:split], part[split:]
        while content and not content[-1].strip():
            content = content[:-1]
        out.append(b"--" + boundary + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + b"\r\n".join(content) + b"\r\n")
    return b"".join(out) + b"--" + boundary + b"--\r\n"


def parse_form_data(content_type: str | None, body: bytes) -> FormData:
    from requests_toolbelt.multipart.decoder import (
        ImproperBodyPartContentException,
        MultipartDecoder,
        NonMultipartContentTypeException,
    )

    header = _header_params("content-type", content_type or "")
    if header.get_content_type() != "multipart/form-data" or not content_type:
        raise UnsupportedMediaType(
            f"the body must be multipart/form-data, not {content_type or 'without a Content-Type'}",
            accepted=("multipart/form-data",),
        )
    boundary = header.get_param("boundary", header="content-type")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise InvalidRequest("the multipart Content-Type has no usable boundary parameter (1 to 70 characters)")
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    if delimiter not in body or b"\r\n" not in body:
        body = _documentation_style(body, boundary.encode("latin-1", "replace")) or body
    if delimiter + b"--" not in body or not body.lstrip(b"\r\n").startswith(delimiter):
        raise InvalidRequest("the multipart body is truncated or does not use the declared boundary")
    try:
        decoded = MultipartDecoder(body, f"multipart/form-data; boundary={boundary}")
    except (ImproperBodyPartContentException, NonMultipartContentTypeException, ValueError) as e:
        raise InvalidRequest(f"the multipart body is malformed: {e}") from None
    if len(decoded.parts) > MAX_PARTS:
        raise InvalidRequest(f"at most {MAX_PARTS} multipart parts are accepted")
    parts = []
    for index, raw in enumerate(decoded.parts):
        headers = {_decode_header(k).lower(): _decode_header(v) for k, v in raw.headers.items()}
        disposition = _header_params("content-disposition", headers.get("content-disposition", ""))
        name = disposition.get_param("name", header="content-disposition")
        if disposition.get_content_disposition() != "form-data" or not isinstance(name, str) or not name:
            raise InvalidRequest(f"multipart part {index + 1} has no Content-Disposition: form-data with a name")
        parts.append(Part(
            name=name,
            data=raw.content,
            filename=clean_filename(_filename(disposition)),
            content_type=headers.get("content-type"),
        ))
    return FormData(parts)
