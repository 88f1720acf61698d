"""S3's POST Object (a presigned form upload, as artu's upload-url gives) in folio local. moto
stores a form's file but checks none of its policy, so folio local checks it as S3 does: signed
with folio local's credentials (SigV4 over the policy), not expired, every field the policy binds
equal to the one sent, the file within ``content-length-range``; anything else is refused before
moto sees it (DESIGN 8: the local gateway enforces the limits AWS would)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from .s3_integrity import SIGV4, Credentials, Refusal, signing_key


@dataclass(frozen=True)
class FormUpload:
    """A POST Object form: its bucket, its key, and the size of its file."""

    bucket: str
    key: str
    size: int


def read_form(environ, credentials: Credentials) -> tuple[FormUpload | None, Refusal | None]:
    """For a multipart POST to a bucket: the upload, and S3's refusal when the form's signature
    or policy does not hold; (None, None) for any other request. The body is buffered and put
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
    return upload, _refusal(upload, {k.lower(): v for k, v in form.items()}, credentials)


def _signature_refusal(fields: dict[str, str], credentials: Credentials) -> Refusal | None:
    """S3's answer to a form whose SigV4 signature (of the base64 policy) is not folio local's."""
    scope = fields.get("x-amz-credential", "").split("/")
    if fields.get("x-amz-algorithm") != SIGV4 or len(scope) != 5 or not fields.get("x-amz-signature"):
        return Refusal(403, "AccessDenied", "Invalid according to Policy: a SigV4 form needs x-amz-algorithm "
                       f"{SIGV4}, x-amz-credential, x-amz-date and x-amz-signature")
    if scope[0] != credentials.access_key:
        return Refusal(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                       AWSAccessKeyId=scope[0])
    expected = hmac.new(signing_key(credentials.secret_key, *scope[1:4]), fields["policy"].encode(),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["x-amz-signature"]):
        return Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                       "signature you provided. Check your key and signing method.", AWSAccessKeyId=scope[0],
                       StringToSign=fields["policy"], SignatureProvided=fields["x-amz-signature"])
    return None


def _refusal(upload: FormUpload, fields: dict[str, str], credentials: Credentials) -> Refusal | None:
    """S3's answer to a form that breaks its signature or policy, or None. A form without a policy is left to moto."""
    if "policy" not in fields:
        return None
    if (refused := _signature_refusal(fields, credentials)) is not None:
        return refused
    try:
        policy = json.loads(base64.b64decode(fields["policy"]))
        expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: could not read the policy")
    if expires < datetime.now(UTC):
        return Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    sent = {**fields, "bucket": upload.bucket}
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            condition = ["eq", *(f"${name}" for name in condition), *condition.values()]
        operator, *args = condition
        if operator == "content-length-range":
            low, high = args
            if upload.size > high:
                return Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if upload.size < low:
                return Refusal(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
        elif operator == "eq" and sent.get(args[0].lstrip("$").lower()) != args[1]:
            return Refusal(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")
        elif operator == "starts-with" and not (sent.get(args[0].lstrip("$").lower()) or "").startswith(args[1]):
            return Refusal(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")
    return None
