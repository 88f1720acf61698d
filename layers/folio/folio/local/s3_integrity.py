"""folio local's embedded S3 checks checksums and presigned signatures as S3 does (DESIGN §7, §9).

moto's S3 stores a part or object whatever its ``x-amz-checksum-*`` says, completes a multipart
upload whatever its full-object checksum says and serves any presigned URL. End-to-end tests of
integrity and of URLs bound to one key, upload and part mean nothing on that, so this WSGI
middleware, around moto's server, answers as S3 does before moto sees the request:

- PutObject and UploadPart: the body's checksum (a header, or the trailer of botocore's
  ``aws-chunked`` encoding, which is decoded here so that moto stores the bytes) against the one
  declared; a mismatch is ``BadDigest`` and nothing is stored. A part of an upload created with a
  checksum algorithm carries that algorithm's checksum (or none, for a FULL_OBJECT upload: S3
  computes it).
- CompleteMultipartUpload: the parts' checksums named in the body and the whole object's
  checksum (``x-amz-checksum-*`` with ``x-amz-checksum-type``), computed over the parts named, in
  order; a refusal leaves the upload open. The answer, HeadObject and GetObject
  (``ChecksumMode=ENABLED``) give the checksum and its type.
- A request signed in its query (SigV4 ``X-Amz-Signature``): the signature recomputed with folio
  local's credentials over the method, path, query and signed headers; expiry; ``x-amz-*``
  headers that were not signed. Header-signed requests (boto3 in process) are not checked.

Path-style addressing only: that is what folio's clients use against a local endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import zlib
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes
from xml.etree import ElementTree
from xml.sax.saxutils import escape

#: S3's checksum algorithms, and the size of each one's digest.
DIGEST_SIZES = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32}
#: Algorithms whose whole-object checksum S3 computes over a multipart upload (FULL_OBJECT).
FULL_OBJECT_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME")
#: The longest validity of a presigned URL S3 accepts (a week).
MAX_PRESIGNED_SECONDS = 7 * 24 * 3600
SIGV4 = "AWS4-HMAC-SHA256"
#: Where a POST Object form, read and checked here, is left for the middleware inside (ObjectCreatedTap).
FORM_UPLOAD = "folio.s3.form_upload"
_CHUNK = 1 << 20
_STATUS = {400: "400 Bad Request", 403: "403 Forbidden"}
_INVALID_PART = ("One or more of the specified parts could not be found.  The part may not have been uploaded, "
                 "or the specified entity tag may not match the part's entity tag.")


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str


class Refusal(Exception):
    """S3's answer to a request it refuses: the HTTP status, its error code, message and details."""

    def __init__(self, status: int, code: str, message: str, **details: Any):
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details

    def answer(self) -> tuple[str, bytes]:
        return _STATUS[self.status], s3_error(self.code, self.message, **self.details)


def s3_error(code: str, message: str, **details: Any) -> bytes:
    """S3's error document."""
    extra = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in details.items())
    request_id = os.urandom(8).hex().upper()
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"{extra}<RequestId>{request_id}</RequestId><HostId>folio-local</HostId></Error>").encode()


# ---------------------------------------------------------------- checksums


class Checksum:
    """A running checksum of one of S3's algorithms, fed chunk by chunk (never the whole body at once)."""

    def __init__(self, algorithm: str):
        self.algorithm = algorithm
        self._hash = hashlib.new(algorithm.lower()) if algorithm.startswith("SHA") else None
        self._crc = 0

    def update(self, data) -> None:
        if self._hash is not None:
            self._hash.update(data)
        elif self.algorithm == "CRC32":
            self._crc = zlib.crc32(data, self._crc)
        else:
            from awscrt import checksums  # folio local's dev dependency: S3's CRC32C and CRC64NVME

            self._crc = (checksums.crc32c if self.algorithm == "CRC32C" else checksums.crc64nvme)(data, self._crc)

    def digest(self) -> bytes:
        if self._hash is not None:
            return self._hash.digest()
        return self._crc.to_bytes(DIGEST_SIZES[self.algorithm], "big")

    def b64(self) -> str:
        return base64.b64encode(self.digest()).decode()


def _decoded(value: str, algorithm: str, header: str) -> bytes:
    """The digest a base64 checksum value names; InvalidRequest when it is not one of ``algorithm``'s."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        raw = b""
    if len(raw) != DIGEST_SIZES[algorithm]:
        raise Refusal(400, "InvalidRequest", f"Value for {header} header is invalid.")
    return raw


def _bad_digest(algorithm: str) -> Refusal:
    return Refusal(400, "BadDigest", f"The {algorithm} you specified did not match the calculated checksum.")


def _single_checksum_refusal() -> Refusal:
    return Refusal(400, "InvalidRequest",
                   "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")


def _checksum_headers(environ) -> dict[str, str]:
    """The ``x-amz-checksum-<algorithm>`` headers of a request, by algorithm."""
    found = {a: environ[f"HTTP_X_AMZ_CHECKSUM_{a}"] for a in DIGEST_SIZES if f"HTTP_X_AMZ_CHECKSUM_{a}" in environ}
    if len(found) > 1:
        raise _single_checksum_refusal()
    return found


def _type_mismatch(expected: str | None, actual: str | None) -> Refusal:
    return Refusal(400, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: "
                   f"{(expected or 'null').lower()}, actual checksum Type: {(actual or 'null').lower()}")


# ---------------------------------------------------------------- SigV4 in the query


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _query_pairs(raw_query: str) -> list[tuple[str, str]]:
    return [(unquote(k), unquote(v)) for k, _, v in (p.partition("=") for p in raw_query.split("&") if p)]


def _uri_encode(value: str | bytes, safe: str = "-_.~") -> str:
    return quote(value, safe=safe)


def _header(environ, name: str) -> str | None:
    key = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}.get(
        name, "HTTP_" + name.upper().replace("-", "_"))
    return environ.get(key)


def _raw_path(environ) -> bytes:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return unquote_to_bytes(raw.split("?", 1)[0])
    return environ.get("PATH_INFO", "/").encode("latin-1")


def check_presigned(environ, credentials: Credentials, now: datetime) -> None:
    """Raise S3's Refusal unless the request's query signature (SigV4) is one folio local made and still valid."""
    params = dict(_query_pairs(environ.get("QUERY_STRING", "")))
    required = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders",
                "X-Amz-Expires")
    if any(not params.get(name) for name in required) or params["X-Amz-Algorithm"] != SIGV4:
        raise Refusal(400, "AuthorizationQueryParametersError",
                      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                      "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
    scope = params["X-Amz-Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise Refusal(400, "AuthorizationQueryParametersError",
                      "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "
                      '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".')
    try:
        expires_in = int(params["X-Amz-Expires"])
        signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise Refusal(400, "AuthorizationQueryParametersError",
                      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" and X-Amz-Expires "
                      "a number of seconds") from None
    if not 0 <= expires_in <= MAX_PRESIGNED_SECONDS:
        raise Refusal(400, "AuthorizationQueryParametersError",
                      f"X-Amz-Expires must be less than a week (in seconds) that is; {MAX_PRESIGNED_SECONDS}")
    if scope[0] != credentials.access_key:
        raise Refusal(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                      AWSAccessKeyId=scope[0])
    signed = params["X-Amz-SignedHeaders"].lower().split(";")
    unsigned = sorted({k[5:].lower().replace("_", "-") for k in environ if k.startswith("HTTP_X_AMZ_")}
                      - set(signed) - {"x-amz-content-sha256"})
    if unsigned:
        raise Refusal(403, "AccessDenied", "There were headers present in the request which were not signed",
                      HeadersNotSigned=", ".join(unsigned))
    query = "&".join(f"{k}={v}" for k, v in sorted((_uri_encode(k), _uri_encode(v))
                                                   for k, v in _query_pairs(environ.get("QUERY_STRING", ""))
                                                   if k != "X-Amz-Signature"))
    headers = "".join(f"{name}:{' '.join((_header(environ, name) or '').split())}\n" for name in signed)
    canonical = "\n".join([environ["REQUEST_METHOD"], _uri_encode(_raw_path(environ), safe="/~"), query, headers,
                           ";".join(signed), params.get("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")])
    string_to_sign = "\n".join([SIGV4, params["X-Amz-Date"], "/".join(scope[1:]),
                                hashlib.sha256(canonical.encode()).hexdigest()])
    expected = hmac.new(signing_key(credentials.secret_key, *scope[1:4]), string_to_sign.encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
        raise Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                      "signature you provided. Check your key and signing method.", AWSAccessKeyId=scope[0],
                      StringToSign=string_to_sign, SignatureProvided=params["X-Amz-Signature"],
                      CanonicalRequest=canonical)
    expires_at = signed_at + timedelta(seconds=expires_in)
    if now > expires_at:
        raise Refusal(403, "AccessDenied", "Request has expired", **{
            "X-Amz-Expires": expires_in, "Expires": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ")})


# ---------------------------------------------------------------- bodies


class _Input:
    """The request body as the client sent it, never read past its Content-Length (a socket would block)."""

    def __init__(self, environ):
        self._stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        self.remaining = int(length) if length else (None if environ.get("wsgi.input_terminated") else 0)

    def read(self, size: int) -> bytes:
        if self.remaining is not None:
            size = min(size, self.remaining)
        data = self._stream.read(size) if size else b""
        if self.remaining is not None:
            self.remaining -= len(data)
        return data

    def readline(self, limit: int = 4096) -> bytes:
        if self.remaining is not None:
            limit = min(limit, self.remaining)
        data = self._stream.readline(limit) if limit else b""
        if self.remaining is not None:
            self.remaining -= len(data)
        return data

    def drain(self) -> None:
        while self.read(_CHUNK):
            pass


class _Body:
    """The verified body handed to moto: chunks given up as they are read, so that the bytes are
    held once (moto's own copy grows as this one shrinks)."""

    def __init__(self, chunks: deque[bytes]):
        self._chunks = chunks

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            data = b"".join(self._chunks)
            self._chunks.clear()
            return data
        out = []
        while size > 0 and self._chunks:
            chunk = self._chunks.popleft()
            if len(chunk) > size:
                self._chunks.appendleft(memoryview(chunk)[size:])
                chunk = memoryview(chunk)[:size]
            out.append(bytes(chunk))
            size -= len(chunk)
        return b"".join(out)


def _incomplete() -> Refusal:
    return Refusal(400, "IncompleteBody",
                   "You did not provide the number of bytes specified by the Content-Length HTTP header")


def _read_plain(body: _Input, sink: Checksum | None) -> tuple[deque[bytes], int]:
    chunks: deque[bytes] = deque()
    size = 0
    while data := body.read(_CHUNK):
        if sink is not None:
            sink.update(data)
        chunks.append(data)
        size += len(data)
    if body.remaining:
        raise _incomplete()
    return chunks, size


def _read_aws_chunked(body: _Input, sink: Checksum | None) -> tuple[deque[bytes], int, dict[str, str]]:
    """Decode botocore's ``aws-chunked`` body (``size[;chunk-signature=..]\\r\\n data \\r\\n ... 0\\r\\n
    trailers \\r\\n``): the data chunks, their size and the trailers (chunk signatures are not checked)."""
    chunks: deque[bytes] = deque()
    size = 0
    while True:
        line = body.readline()
        try:
            chunk_size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _incomplete() from None
        if chunk_size == 0:
            break
        left = chunk_size
        while left:
            data = body.read(min(left, _CHUNK))
            if not data:
                raise _incomplete()
            if sink is not None:
                sink.update(data)
            chunks.append(data)
            left -= len(data)
        size += chunk_size
        if body.read(2) != b"\r\n":
            raise _incomplete()
    trailers: dict[str, str] = {}
    while (line := body.readline().strip()):
        name, _, value = line.decode("latin-1").partition(":")
        trailers[name.strip().lower()] = value.strip()
    body.drain()
    return chunks, size, trailers


# ---------------------------------------------------------------- moto's multipart uploads


def _moto_upload(bucket: str, upload_id: str):
    """moto's record of a multipart upload (its metadata and parts), or None."""
    from moto.s3.models import s3_backends

    for account in list(s3_backends.keys()):
        for backend in list(s3_backends[account].values()):
            found = backend.buckets.get(bucket)
            if found is not None:
                return found.multiparts.get(upload_id)
    return None


def _upload_checksum(upload) -> tuple[str | None, str]:
    """An upload's checksum algorithm (None: none asked for) and type, as S3 defaults it."""
    algorithm = (upload.metadata.get("x-amz-checksum-algorithm") or "").upper() or None
    kind = (upload.metadata.get("x-amz-checksum-type") or "").upper()
    return algorithm, kind or ("FULL_OBJECT" if algorithm in (None, "CRC64NVME") else "COMPOSITE")


def _feed(part, sinks: list[Checksum]) -> None:
    """Feed a stored part's bytes to ``sinks`` a chunk at a time (moto keeps a part in a spooled file)."""
    buffer, lock = getattr(part, "_value_buffer", None), getattr(part, "lock", None)
    if buffer is None or lock is None:
        value = part.value
        for sink in sinks:
            sink.update(value)
        return
    with lock:
        buffer.seek(0)
        while data := buffer.read(_CHUNK):
            for sink in sinks:
                sink.update(data)


def _named_parts(body: bytes) -> list[tuple[int, str, dict[str, str]]]:
    """CompleteMultipartUpload's parts: number, ETag and checksums by algorithm (ValueError when unreadable)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as e:
        raise ValueError(str(e)) from e
    parts = []
    for element in root:
        if element.tag.rsplit("}", 1)[-1] != "Part":
            continue
        fields = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in element}
        checksums = {a: fields[f"Checksum{a}"] for a in DIGEST_SIZES if fields.get(f"Checksum{a}")}
        parts.append((int(fields["PartNumber"]), fields.get("ETag", ""), checksums))
    return parts


# ---------------------------------------------------------------- the middleware


class S3Integrity:
    """WSGI middleware around moto's server: S3's checks of checksums and presigned URLs (module doc)."""

    def __init__(self, app, credentials: Credentials, read_form=None, clock=lambda: datetime.now(UTC)):
        """``read_form(environ, credentials)``: a POST Object form and S3's refusal of it (:mod:`.s3_forms`)."""
        self.app = app
        self.credentials = credentials
        self.read_form = read_form or (lambda environ, credentials: (None, None))
        self.clock = clock

    def __call__(self, environ, start_response):
        body = _Input(environ)
        sent = environ["wsgi.input"]
        try:
            return self._serve(environ, start_response, body)
        except Refusal as refusal:
            if environ["wsgi.input"] is sent:  # unless a form was read whole: the client may still be
                body.drain()  # sending, so read the rest, that it may read the answer
            status, document = refusal.answer()
            start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(document)))])
            return [document]

    def _serve(self, environ, start_response, body: _Input):
        method = environ.get("REQUEST_METHOD", "")
        query = dict(_query_pairs(environ.get("QUERY_STRING", "")))
        if "X-Amz-Signature" in query:
            check_presigned(environ, self.credentials, self.clock())
        form, refused = self.read_form(environ, self.credentials)
        if refused is not None:
            raise refused
        if form is not None:
            environ[FORM_UPLOAD] = form
            return self.app(environ, start_response)
        bucket, _, key = environ.get("PATH_INFO", "").lstrip("/").partition("/")
        if not bucket or not key or "HTTP_X_AMZ_TARGET" in environ:
            return self.app(environ, start_response)
        subresources = {k for k in query if not k.startswith("X-Amz-")} - {"uploadId", "partNumber", "versionId", "x-id"}
        if method == "PUT" and "HTTP_X_AMZ_COPY_SOURCE" not in environ and not subresources:
            return self._put(environ, start_response, body, bucket, query)
        if method == "POST" and "uploads" in query:
            return self._create_upload(environ, start_response)
        if method == "POST" and "uploadId" in query:
            return self._complete(environ, start_response, body, bucket, query["uploadId"])
        if method in ("GET", "HEAD") and environ.get("HTTP_X_AMZ_CHECKSUM_MODE", "").upper() == "ENABLED":
            return self.app(environ, _with_checksum_type(start_response))
        return self.app(environ, start_response)

    def _put(self, environ, start_response, body: _Input, bucket: str, query: dict[str, str]):
        """PutObject or UploadPart: the body checked against its checksum before moto stores it."""
        declared = _checksum_headers(environ)
        trailer = [name.strip().lower() for name in environ.get("HTTP_X_AMZ_TRAILER", "").split(",") if name.strip()]
        trailed = [n.removeprefix("x-amz-checksum-").upper() for n in trailer if n.startswith("x-amz-checksum-")]
        if any(a not in DIGEST_SIZES for a in trailed) or len(declared) + len(trailed) > 1:
            raise _single_checksum_refusal() if len(declared) + len(trailed) > 1 else Refusal(
                400, "InvalidRequest", "The value specified in the x-amz-trailer header is not supported")
        given = next(iter(declared), None) or (trailed[0] if trailed else None)
        sdk = environ.get("HTTP_X_AMZ_SDK_CHECKSUM_ALGORITHM", "").upper() or None
        if sdk and (sdk not in DIGEST_SIZES or (given and given != sdk)):
            raise Refusal(400, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.")
        algorithm = given or sdk
        if "uploadId" in query and "partNumber" in query:
            upload = _moto_upload(bucket, query["uploadId"])
            if upload is None:
                return self.app(environ, start_response)  # moto answers NoSuchUpload
            expected, kind = _upload_checksum(upload)
            if expected and algorithm and algorithm != expected:
                raise _type_mismatch(expected, algorithm)
            if expected and not algorithm and kind == "COMPOSITE":
                raise _type_mismatch(expected, None)
            algorithm = algorithm or expected  # a FULL_OBJECT upload's part without one: S3 computes it
        content_encoding = environ.get("HTTP_CONTENT_ENCODING", "")
        chunked = ("aws-chunked" in content_encoding.lower()
                   or environ.get("HTTP_X_AMZ_CONTENT_SHA256", "").startswith("STREAMING-"))
        if algorithm is None and not chunked:
            return self.app(environ, start_response)  # nothing to verify: moto reads the body itself
        for name, value in declared.items():
            _decoded(value, name, f"x-amz-checksum-{name.lower()}")
        sink = Checksum(algorithm) if algorithm else None
        if chunked:
            chunks, size, trailers = _read_aws_chunked(body, sink)
            decoded_length = environ.get("HTTP_X_AMZ_DECODED_CONTENT_LENGTH")
            if decoded_length and int(decoded_length) != size:
                raise _incomplete()
            for name in trailed:
                if f"x-amz-checksum-{name.lower()}" not in trailers:
                    raise Refusal(400, "MalformedTrailerError", "The request contained trailing data that was not "
                                  "well-formed or did not conform to our published schema.")
                declared[name] = trailers[f"x-amz-checksum-{name.lower()}"]
            encodings = [e for e in content_encoding.split(",") if e.strip() and e.strip().lower() != "aws-chunked"]
            environ.pop("HTTP_CONTENT_ENCODING", None)
            if encodings:
                environ["HTTP_CONTENT_ENCODING"] = ",".join(encodings)
            environ["HTTP_X_AMZ_CONTENT_SHA256"] = "UNSIGNED-PAYLOAD"
            for name in ("HTTP_X_AMZ_DECODED_CONTENT_LENGTH", "HTTP_X_AMZ_TRAILER"):
                environ.pop(name, None)
        else:
            chunks, size = _read_plain(body, sink)
        if sink is not None:
            if algorithm in declared and _decoded(declared[algorithm], algorithm,
                                                  f"x-amz-checksum-{algorithm.lower()}") != sink.digest():
                raise _bad_digest(algorithm)
            # moto stores and echoes a checksum only when told the algorithm and its value
            environ[f"HTTP_X_AMZ_CHECKSUM_{algorithm}"] = sink.b64()
            environ["HTTP_X_AMZ_SDK_CHECKSUM_ALGORITHM"] = algorithm
        environ["wsgi.input"] = _Body(chunks)
        environ["CONTENT_LENGTH"] = str(size)  # the bytes stored (what ObjectCreatedTap reports)
        return self.app(environ, start_response)

    def _create_upload(self, environ, start_response):
        """CreateMultipartUpload: S3's refusal of an algorithm and type that do not go together, and its
        answer's checksum type (moto leaves it out)."""
        algorithm = environ.get("HTTP_X_AMZ_CHECKSUM_ALGORITHM", "").upper() or None
        kind = environ.get("HTTP_X_AMZ_CHECKSUM_TYPE", "").upper() or None
        if kind and not algorithm:
            raise Refusal(400, "InvalidRequest",
                          "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
        if kind not in (None, "FULL_OBJECT", "COMPOSITE"):
            raise Refusal(400, "InvalidRequest", "Value for x-amz-checksum-type header is invalid.")
        if algorithm and algorithm not in DIGEST_SIZES:
            raise Refusal(400, "InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with "
                          "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
        if (kind == "FULL_OBJECT" and algorithm not in FULL_OBJECT_ALGORITHMS) or (
                kind == "COMPOSITE" and algorithm == "CRC64NVME"):
            raise Refusal(400, "InvalidRequest",
                          f"The {kind} checksum type cannot be used with the {algorithm.lower()} checksum algorithm.")
        if not algorithm:
            return self.app(environ, start_response)
        kind = kind or ("FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE")

        def answer(status, headers, exc_info=None):
            if not any(name.lower() == "x-amz-checksum-type" for name, _ in headers):
                headers = [*headers, ("x-amz-checksum-type", kind)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, answer)

    def _complete(self, environ, start_response, body: _Input, bucket: str, upload_id: str):
        """CompleteMultipartUpload: the parts' and the whole object's checksums, computed over the parts
        named, in order; any refusal leaves the upload open. What moto refuses itself (an unknown
        upload or part, a wrong ETag, parts out of order) is left to moto."""
        document = b"".join(iter(lambda: body.read(_CHUNK), b""))
        environ["wsgi.input"] = io.BytesIO(document)
        environ["CONTENT_LENGTH"] = str(len(document))
        upload = _moto_upload(bucket, upload_id)
        try:
            named = _named_parts(document)
        except (ValueError, KeyError):
            return self.app(environ, start_response)
        numbers = [number for number, _, _ in named]
        if (upload is None or not named or numbers != sorted(set(numbers))
                or any(number not in upload.parts or upload.parts[number].etag.strip('"') != etag.strip('"')
                       for number, etag, _ in named)):
            return self.app(environ, start_response)
        algorithm, kind = _upload_checksum(upload)
        whole = _checksum_headers(environ)
        asked_kind = environ.get("HTTP_X_AMZ_CHECKSUM_TYPE", "").upper() or None
        if asked_kind and asked_kind != kind:
            raise Refusal(400, "BadDigest", f"The upload was created using the {kind} checksum type. "
                          f"The complete request must use the same checksum type ({asked_kind} given).")
        if algorithm and kind == "COMPOSITE":
            for number, _, checksums in named:
                if algorithm not in checksums:
                    raise Refusal(400, "InvalidRequest", f"The upload was created using a {algorithm.lower()} "
                                  "checksum. The complete request must include the checksum for each part. "
                                  f"It was missing for part {number} in the request.")
        if algorithm and whole and algorithm not in whole:
            raise _type_mismatch(algorithm, next(iter(whole)))
        object_algorithm = algorithm or next((a for a in whole if a in FULL_OBJECT_ALGORITHMS), None)
        full = Checksum(object_algorithm) if object_algorithm and kind == "FULL_OBJECT" else None
        composite = []
        for number, _, checksums in named:
            per_part = {a: Checksum(a) for a in {*checksums, *([algorithm] if algorithm else [])}}
            _feed(upload.parts[number], [*per_part.values(), *([full] if full else [])])
            for name, value in checksums.items():
                if algorithm and name != algorithm:
                    raise Refusal(400, "InvalidPart", _INVALID_PART, PartNumber=number)
                try:
                    matches = _decoded(value, name, f"Checksum{name}") == per_part[name].digest()
                except Refusal:
                    matches = False
                if not matches:
                    raise Refusal(400, "InvalidPart", _INVALID_PART, PartNumber=number)
            if algorithm and kind == "COMPOSITE":
                composite.append(per_part[algorithm].digest())
        value = None
        if full is not None:
            value = full.b64()
        elif composite:
            combined = Checksum(algorithm)
            combined.update(b"".join(composite))
            value = f"{combined.b64()}-{len(composite)}"
        if object_algorithm in whole and value is not None:
            stated = whole[object_algorithm].strip()
            if stated.split("-", 1)[0] != value.split("-", 1)[0]:
                raise _bad_digest(object_algorithm.lower())
        if value is None:
            return self.app(environ, start_response)
        extra = f"<Checksum{object_algorithm}>{value}</Checksum{object_algorithm}><ChecksumType>{kind}</ChecksumType>"
        return _completed_with(self.app, environ, start_response, extra.encode())


def _completed_with(app, environ, start_response, extra: bytes):
    """moto's CompleteMultipartUpload answer with S3's checksum elements, which moto leaves out."""
    seen: dict[str, Any] = {}

    def capture(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers
        return lambda data: None

    answer = b"".join(app(environ, capture))
    end = b"</CompleteMultipartUploadResult>"
    if str(seen["status"]).startswith("200") and end in answer and b"<ChecksumType>" not in answer:
        answer = answer.replace(end, extra + end)
    headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
    start_response(seen["status"], [*headers, ("Content-Length", str(len(answer)))])
    return [answer]


def _with_checksum_type(start_response):
    """HeadObject/GetObject with ChecksumMode=ENABLED: S3 names the checksum's type; moto's HEAD does
    not. A CRC64NVME checksum is always of the FULL_OBJECT type."""

    def answer(status, headers, exc_info=None):
        names = {name.lower() for name, _ in headers}
        if "x-amz-checksum-crc64nvme" in names and "x-amz-checksum-type" not in names:
            headers = [*headers, ("x-amz-checksum-type", "FULL_OBJECT")]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    return answer
