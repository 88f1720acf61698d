"""``Idempotency-Key`` on every mutating route, with Powertools Idempotency.

A request that carries the header runs once per (tenant, caller, key): a retry gets the first
answer again and changes nothing; the same key with another method, path or body is 422; a
retry while the first is still running is 409. Only successful answers are kept (a failed
request may be retried with its key); records expire after 24 hours. Requests without the
header are not affected, and the Powertools module is imported only when the header is there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from ..core.errors import FolioError, IdempotencyInFlight, IdempotencyKeyReused, InvalidRequest
from .request import WebRequest, current_request

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXPIRES_AFTER_SECONDS = 24 * 3600
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def idempotency_middleware(app, next_middleware):
    """A Powertools resolver middleware (installed on every folio resolver)."""
    web = current_request(app)
    key = web.header("idempotency-key")
    if key is None or web.method not in MUTATING:
        return next_middleware(app)
    if not _KEY.match(key):
        raise InvalidRequest("Idempotency-Key must be 1 to 255 visible ASCII characters",
                             errors=[{"field": "Idempotency-Key", "message": "1-255 visible ASCII characters"}])
    caller = web.caller
    request = {
        "tenant": caller.tenant, "sub": caller.sub, "key": key,
        "fingerprint": [web.method, web.raw_path, web.raw_query, _body_digest(web)],
    }
    return _run_once(app, next_middleware, request)


def _body_digest(web: WebRequest) -> str:
    """The request's content, not its bytes: a client that retries may pick a new multipart
    boundary or re-serialize its JSON."""
    raw = web.body
    media = web.media_type
    digest = hashlib.sha256()
    try:
        if media == "multipart/form-data":
            for part in sorted(web.form().parts, key=lambda p: p.name):
                for value in (part.name, part.filename or "", part.media_type or ""):
                    digest.update(value.encode() + b"\0")
                digest.update(hashlib.sha256(part.data).digest())
            return "form:" + digest.hexdigest()
        if media.endswith("json") and raw.strip():
            canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
            return "json:" + hashlib.sha256(canonical.encode()).hexdigest()
    except (FolioError, ValueError):
        pass  # not parseable: the handler will answer 4xx; compare the bytes
    return "raw:" + hashlib.sha256(raw).hexdigest()


def _run_once(app, next_middleware, request: dict[str, Any]):
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )
    from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer

    from ..storage.idempotency import idempotency_store

    config = IdempotencyConfig(event_key_jmespath="[tenant, sub, key]", payload_validation_jmespath="fingerprint",
                               expires_after_seconds=EXPIRES_AFTER_SECONDS, raise_on_no_idempotency_key=True)
    if app.lambda_context is not None:
        config.register_lambda_context(app.lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=idempotency_store(), config=config,
                         output_serializer=CustomDictSerializer(to_dict=_response_to_dict, from_dict=_response_from_dict))
    def run(request: dict[str, Any]):
        return next_middleware(app)

    try:
        return run(request=request)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different request; use a new key") from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyInFlight("the first request with this Idempotency-Key is still running; retry shortly") from None


def _response_to_dict(response) -> dict[str, Any]:
    body = response.body
    binary = isinstance(body, bytes)
    return {"status_code": response.status_code, "headers": dict(response.headers),
            "body": base64.b64encode(body).decode() if binary else body, "binary": binary}


def _response_from_dict(data: dict[str, Any]):
    from aws_lambda_powertools.event_handler import Response

    body = base64.b64decode(data["body"]) if data.get("binary") else data["body"]
    headers = dict(data["headers"])
    headers["Idempotent-Replayed"] = "true"
    return Response(status_code=data["status_code"], body=body, headers=headers)
