"""One multipart/form-data parser for every multipart route (kyc, capture, dms).

defnull's ``multipart`` (its sans-io ``PushMultipartParser``) reads the body as a stream of
events and enforces the limits as it reads: at most ``MAX_PARTS`` parts, ``MAX_PART_HEADERS``
headers per part and ``MAX_PART_HEADER_BYTES`` per header line, so a hostile body is refused
at the first part over a limit, before the rest is looked at. Each part's headers are checked
when they end, before its content is read. A part's content is a slice of the body (one copy).

The part headers are read with the standard library's MIME parser, so parameters may come in
any order, quoted or not, and ``filename*=UTF-8''...`` (RFC 2231/6266) wins over ``filename=``.
Raw UTF-8 file names, as browsers and curl send them, are kept. A body without a boundary,
without its closing delimiter (truncated), or with a part that has no name is a 400 that says so.

Documentation-style bodies (of at most 64 KiB) are read too: a vendor's printed sample (capture's raw HTTP
example) shows the boundary itself as the delimiter line, no closing delimiter, and may lose
its blank lines or CRLFs when copied. When a body has no standard delimiter at all (or no CRLF
anywhere), lines equal to the boundary (with or without ``--``) delimit parts, a last delimiter
followed by nothing but blank lines closes the body, and a part without a blank line ends its
headers at the first line that is no ``Name: value`` header. A body whose last part is not
followed by a delimiter is still refused as truncated.

A delimiter followed by anything but ``--`` or CRLF (a file that contains its own boundary,
which RFC 2046 forbids clients to choose) is refused with 400 rather than read; a file is
never silently cut.

The client's file name is metadata only and never becomes part of an S3 key. A name with a
control character (NUL included) or a path separator is refused (400): browsers and curl
send bare names, and anything else is a client trying something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value

from multipart import MultipartError, MultipartSegment, ParserLimitReached, PushMultipartParser

from ..core.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from ..core.limits import MAX_FILE_BYTES
from .json_parsing import parse_json
from .media import bare_media_type

#: The most parts a form may have (the largest form, dms's, has a file and a few fields).
MAX_PARTS = 16
#: The most header lines one part may have (RFC 7578 defines three) ...
MAX_PART_HEADERS = 8
#: ... and the longest of them, in bytes.
MAX_PART_HEADER_BYTES = 4096
#: The largest body read as documentation prints it: printed samples are small, and rewriting
#: a body line by line costs more than parsing it.
MAX_DOCUMENTATION_BODY_BYTES = 64 * 1024
_LIMITS = (f"at most {MAX_PARTS} parts, {MAX_PART_HEADERS} headers per part"
           f" and {MAX_PART_HEADER_BYTES} bytes per header line")
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


_HEADER_LINE = re.compile(rb"[A-Za-z0-9!#$%&'*+.^_`|~-]+:")
_EMPTY_LINE = re.compile(rb"(?:\A|\n)(?:\r?\n|\Z)")


def _over_the_limits() -> InvalidRequest:
    return InvalidRequest(f"the multipart body is over a limit: {_LIMITS}")


def _documentation_style(body: bytes, boundary: bytes) -> bytes | None:
    """The standard form of a body written as documentation prints it (see the module docstring).

    Delimiter lines are found by one regular expression and each part is rewritten with
    whole-buffer operations, so the work stays linear and stops at the part limit."""
    ws = rb"[ \t\r\x0b\x0c]*"
    delimiter_lines = re.compile(rb"^" + ws + rb"(?:--)?" + re.escape(boundary) + rb"(--)?" + ws + rb"$", re.M)
    starts: list[re.Match] = []
    closer = None
    for match in delimiter_lines.finditer(body):
        if match.group(1):
            closer = match
            break
        if not starts and body[:match.start()].strip():
            return None  # content before the first delimiter: not this style
        starts.append(match)
        if len(starts) > MAX_PARTS + 1:  # the last may be followed by blank lines only
            raise _over_the_limits()
    if not starts:
        return None
    ends = [m.start() for m in starts[1:]] + [closer.start() if closer else len(body)]
    spans = [body[m.end():end] for m, end in zip(starts, ends)]
    if closer is None:
        if spans[-1].strip():
            return None  # a last part that no delimiter ends: truncated
        spans.pop()
    if not spans:
        return None
    out = []
    for span in spans:
        out.append(b"--" + boundary + b"\r\n" + _standard_part(span) + b"\r\n")
    return b"".join(out) + b"--" + boundary + b"--\r\n"


def _standard_part(span: bytes) -> bytes:
    """One part between two delimiter lines as CRLF lines: headers, a blank line, the content
    without its trailing blank lines."""
    text = span[1:] if span.startswith(b"\n") else span
    if not text:
        return b"\r\n\r\n"  # no lines at all
    if text.endswith(b"\n"):
        text = text[:-2] if text.endswith(b"\r\n") else text[:-1]
    blank = _EMPTY_LINE.search(text)
    if blank:
        headers, content = text[:blank.start()], text[blank.end():]
    else:
        position, count = 0, 0
        while position < len(text) and count <= MAX_PART_HEADERS:  # more than that: the parser refuses
            if not _HEADER_LINE.match(text, position):
                break
            end = text.find(b"\n", position)
            position, count = (len(text) if end < 0 else end) + 1, count + 1
        headers, content = text[:max(0, position - 1)], text[position:]
    headers = headers[:-1] if headers.endswith(b"\r") else headers
    content = _crlf_lines(content)
    kept = content.rstrip()
    end = content.find(b"\r\n", len(kept)) if kept else 0
    content = content[:end] if end >= 0 else content  # without its trailing blank lines
    return _crlf_lines(headers) + b"\r\n\r\n" + content


def _crlf_lines(text: bytes) -> bytes:
    """Every line break (LF or CRLF) as CRLF."""
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class _FormDataParser(PushMultipartParser):
    """defnull's parser, leaving the part headers to folio's checks (``_part_head``), which name
    what is wrong in folio's words."""

    def _create_segment(self, headerlist: list[tuple[str, str]]) -> MultipartSegment:
        return MultipartSegment(headerlist)


def _part_head(index: int, segment: MultipartSegment) -> tuple[str, str | None, str | None]:
    """(name, file name, declared Content-Type) of a part, checked before its content is read."""
    headers = {k.lower(): _decode_header(v.encode("latin-1")) for k, v in segment.headerlist}
    disposition = _header_params("content-disposition", headers.get("content-disposition", ""))
    name = disposition.get_param("name", header="content-disposition")
    if disposition.get_content_disposition() != "form-data" or not isinstance(name, str) or not name:
        raise InvalidRequest(f"multipart part {index} has no Content-Disposition: form-data with a name")
    return name, clean_filename(_filename(disposition)), headers.get("content-type")


def parse_form_data(content_type: str | None, body: bytes) -> FormData:
    header = _header_params("content-type", content_type or "")
    if header.get_content_type() != "multipart/form-data" or not content_type:
        raise UnsupportedMediaType(
            f"the body must be multipart/form-data, not {content_type or 'without a Content-Type'}",
            accepted=("multipart/form-data",),
        )
    boundary = header.get_param("boundary", header="content-type")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise InvalidRequest("the multipart Content-Type has no usable boundary parameter (1 to 70 characters)")
    raw_boundary = boundary.encode("latin-1", "replace")
    delimiter = b"--" + raw_boundary
    if len(body) <= MAX_DOCUMENTATION_BODY_BYTES and (delimiter not in body or b"\r\n" not in body):
        body = _documentation_style(body, raw_boundary) or body
    if delimiter + b"--" not in body or not re.match(rb"[\r\n]*" + re.escape(delimiter), body):
        raise InvalidRequest("the multipart body is truncated or does not use the declared boundary")
    parts: list[Part] = []
    head: tuple[str, str | None, str | None] = ("", None, None)
    chunks: list[bytes] = []
    try:
        with _FormDataParser(raw_boundary, header_charset="latin-1", max_segment_count=MAX_PARTS,
                             max_header_count=MAX_PART_HEADERS, max_header_size=MAX_PART_HEADER_BYTES) as parser:
            for event in parser.parse(body):  # the whole body is one chunk: no copy of it
                if isinstance(event, MultipartSegment):
                    head, chunks = _part_head(len(parts) + 1, event), []
                elif event is None:
                    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                    parts.append(Part(name=head[0], data=data, filename=head[1], content_type=head[2]))
                else:
                    chunks.append(event)
    except ParserLimitReached:
        raise _over_the_limits() from None
    except MultipartError as e:
        raise InvalidRequest(f"the multipart body is malformed: {e}") from None
    return FormData(parts)
