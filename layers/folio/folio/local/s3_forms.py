"""S3's POST Object (a presigned form upload, as artu's upload-url gives) in folio local. moto
stores a form's file but checks none of its policy, so folio local checks it as S3 does: not
expired, every field the policy binds equal to the one sent, the file within
``content-length-range``; anything else is refused before moto sees it (DESIGN 8: the local
gateway enforces the limits AWS would)."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

#: How S3 answers a form that breaks its policy (its code, and the XML body's message).
_REFUSED = "403 Forbidden"
_TOO_LARGE = "400 Bad Request"


@dataclass(frozen=True)
class FormUpload:
    """A POST Object form: its bucket, its key, and the size of its file."""

    bucket: str
    key: str
    size: int


def _error(code: str, message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>").encode()


def read_form(environ) -> tuple[FormUpload | None, tuple[str, bytes] | None]:
    """For a multipart POST to a bucket: the upload, and S3's refusal (status, body) when the
    form breaks its policy; (None, None) for any other request. The body is buffered and put
    back, so moto reads it as sent."""
    path = environ.get("PATH_INFO", "").strip("/")
    if (environ.get("REQUEST_METHOD") != "POST" or not path or "/" in path
            or not environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")):
        return None, None
    from werkzeug.formparser import parse_form_data

    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    parsed = {**environ, "wsgi.input": io.BytesIO(body)}
    _stream, form, files = parse_form_data(parsed)
    environ["wsgi.input"] = io.BytesIO(body)
    if "file" not in files or "key" not in form:
        return None, None
    data = files["file"].read()
    upload = FormUpload(path, form["key"], len(data))
    return upload, _refusal(upload, {k.lower(): v for k, v in form.items()})


def _refusal(upload: FormUpload, fields: dict[str, str]) -> tuple[str, bytes] | None:
    """S3's answer to a form that breaks its policy, or None. A form without a policy is left to moto."""
    if "policy" not in fields:
        return None
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        return _REFUSED, _error("InvalidPolicyDocument", "Invalid Policy: could not read the policy")
    if expires < datetime.now(UTC):
        return _REFUSED, _error("AccessDenied", "Invalid according to Policy: Policy expired.")
    sent = {**fields, "bucket": upload.bucket}
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            condition = ["eq", *(f"${name}" for name in condition), *condition.values()]
        operator, *args = condition
        if operator == "content-length-range":
            low, high = args
            if upload.size > high:
                return _TOO_LARGE, _error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if upload.size < low:
                return _TOO_LARGE, _error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
        elif operator == "eq" and sent.get(args[0].lstrip("$").lower()) != args[1]:
            return _REFUSED, _error("AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")
        elif operator == "starts-with" and not (sent.get(args[0].lstrip("$").lower()) or "").startswith(args[1]):
            return _REFUSED, _error("AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")
    return None
