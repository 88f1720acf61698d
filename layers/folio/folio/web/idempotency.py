"""``Idempotency-Key`` on every mutating route, with Powertools Idempotency.

A request that carries the header runs once per (tenant, caller, key): a retry gets the first
answer again and changes nothing. The key is bound to the whole first request (its
:func:`fingerprint`): method, path, query, body, every header that selects the data or
conditions the write, and what the token grants. A retry that differs in any of them (another
``X-Domain-ID`` or ``X-Environment``, another ``If-Match``, a token without the first one's
domain or scope) is 422 and runs nothing: it is never answered with the first answer, and
never makes a second write under one key. So a replay only ever reaches a caller whose grant is
the one the first request was authorized with. A retry while the first is still running is 409.

Only successful answers are kept (a failed request may be retried with its key), of any size:
one too large for a record is kept in the bucket (:class:`folio.storage.idempotency.AnswerStore`).
Records expire after 24 hours (the table's TTL deletes them). Once the handler has committed,
its answer reaches the caller even when its record cannot be saved. Requests without the header
are not affected, and the Powertools module is imported only when the header is there.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from typing import Any

from aws_lambda_powertools import Logger

from ..core import Caller
from ..core.errors import (
    FolioError,
    IdempotencyInFlight,
    IdempotencyKeyReused,
    InvalidRequest,
    StorageUnavailable,
)
from .json_parsing import parse_json
from .request import WebRequest, current_request

logger = Logger(service="folio")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXPIRES_AFTER_SECONDS = 24 * 3600
#: Headers that select the data a request acts on or condition its write (lower-case).
SELECTING_HEADERS = ("x-domain-id", "x-environment", "if-match", "if-none-match", "if-unmodified-since",
                     "x-http-method-override")
#: What names whose record it is (the record's key), not what the caller may do.
_OWNER_FIELDS = ("tenant", "sub")
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
    caller = web.caller  # no token is a 401 before anything is looked up
    request = {"tenant": caller.tenant, "sub": caller.sub, "key": key, "fingerprint": fingerprint(web)}
    return _run_once(app, next_middleware, request)


def fingerprint(web: WebRequest) -> dict[str, Any]:
    """What a retry must repeat to be answered with the first answer."""
    return {
        "request": [web.method, web.raw_path, web.raw_query],
        "headers": {name: value.strip() for name in SELECTING_HEADERS if (value := web.header(name)) is not None},
        "media_type": web.media_type,
        "body": _body_digest(web),
        "caller": _grant(web.caller),
    }


def _grant(caller: Caller) -> dict[str, Any]:
    """Everything folio reads from the token besides whose record it is: the scopes, domains
    and steps that authorize the write, and the names it records as its author."""
    grant = {}
    for field in dataclasses.fields(caller):
        if field.name not in _OWNER_FIELDS:
            value = getattr(caller, field.name)
            grant[field.name] = sorted(value) if isinstance(value, frozenset) else value
    return grant


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
            canonical = json.dumps(parse_json(raw), sort_keys=True, separators=(",", ":"))
            return "json:" + hashlib.sha256(canonical.encode()).hexdigest()
    except (FolioError, ValueError):
        pass  # not usable: the handler will answer 4xx; compare the bytes
    return "raw:" + hashlib.sha256(raw).hexdigest()


class _Unkept(Exception):
    """Carries an error answer out of Powertools, which then forgets the request."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def _run_once(app, next_middleware, request: dict[str, Any]):
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )
    from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer

    from ..storage.idempotency import AnswerStore, idempotency_store

    config = IdempotencyConfig(event_key_jmespath="[tenant, sub, key]", payload_validation_jmespath="fingerprint",
                               expires_after_seconds=EXPIRES_AFTER_SECONDS, raise_on_no_idempotency_key=True)
    if app.lambda_context is not None:
        config.register_lambda_context(app.lambda_context)
    answers = AnswerStore()
    owner = [request["tenant"], request["sub"], request["key"]]
    serializer = CustomDictSerializer(to_dict=lambda response: answers.to_record(owner, _response_to_dict(response)),
                                      from_dict=lambda record: _response_from_dict(answers.from_record(record)))
    committed = []

    @idempotent_function(data_keyword_argument="request", persistence_store=idempotency_store(request["tenant"]),
                         config=config, output_serializer=serializer)
    def run(request: dict[str, Any]):
        response = next_middleware(app)
        if response.status_code >= 400:
            raise _Unkept(response)
        committed.append(response)
        return response

    try:
        return run(request=request)
    except _Unkept as unkept:
        return unkept.response
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different request (method, path, query, "
                                   "body, selecting headers or the token's grants); use a new key") from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyInFlight("the first request with this Idempotency-Key is still running; "
                                  "retry shortly") from None
    except IdempotencyPersistenceLayerError as e:
        if committed:  # the change is made: answering 5xx would invite a second one
            logger.exception("the answer was committed but its Idempotency-Key record was not saved")
            return committed[0]
        raise StorageUnavailable("the Idempotency-Key record could not be read or written; retry later") from e


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
