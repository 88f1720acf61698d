"""boto3 clients, one per service and endpoint, and how an AWS error is told apart: by its code
and cancellation reasons, never by its message. ``ClientError`` never leaves storage: it becomes
a domain error here."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session
from aws_lambda_powertools import Logger
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..core.errors import FolioError, PayloadTooLarge, StorageUnavailable
from .config import Settings

logger = Logger(service="folio")

#: What botocore raises: an error AWS answered, or one on the way (a timeout, a connection).
AWS_ERRORS = (ClientError, BotoCoreError)

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()
_loader: Any = None  # botocore's service models, read once per process


def new_session() -> boto3.session.Session:
    """A session of its own for each client (credentials as the environment says now), sharing one
    loader of botocore's service models: reading them again cost ~0.15 s a client, at every
    :func:`reset_clients` (every test)."""
    global _loader
    core = botocore.session.Session()
    if _loader is None:
        _loader = core.get_component("data_loader")
    else:
        core.register_component("data_loader", _loader)
    return boto3.session.Session(botocore_session=core)


def client(service: str, cfg: Settings):
    """folio's client of ``service``, created on first use (after moto is up in tests) and kept."""
    endpoint_url = cfg.endpoint_url(service)
    cache_key = f"{service}|{endpoint_url}|{cfg.region}"
    found = _clients.get(cache_key)
    if found is None:
        with _clients_lock:
            found = _clients.get(cache_key)
            if found is None:
                config = Config(
                    retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=3,
                    read_timeout=10,
                    s3={"addressing_style": "path"} if endpoint_url else None,
                    signature_version="s3v4" if service == "s3" else None,  # presigned URLs: SigV4
                )
                found = new_session().client(
                    service, region_name=cfg.region, endpoint_url=endpoint_url, config=config
                )
                _clients[cache_key] = found
    return found


def prime_clients(cfg: Settings) -> None:
    """Create the clients a function makes, so botocore reads their service models and endpoint
    rules now (~0.15 s a client) into the loader every later client shares: a SnapStart snapshot
    keeps them. Nothing is sent, so nothing unique is taken; the after-restore hook drops these
    clients (their connections and credentials) and the first request makes new ones cheaply."""
    client("dynamodb", cfg)
    client("s3", cfg)
    if cfg.event_bus_name:
        client("events", cfg)
    if cfg.list_cursor_secret:
        client("secretsmanager", cfg)


_on_reset: list = []


def on_reset(forget) -> None:
    """Have :func:`reset_clients` also call ``forget()``: state that belongs to one AWS, or that no two
    environments restored from one snapshot may share (blocks of ids)."""
    _on_reset.append(forget)


def reset_clients() -> None:
    """Forget cached clients and what :func:`on_reset` registered (tests that start a fresh moto, an
    environment restored from a snapshot)."""
    with _clients_lock:
        _clients.clear()
    for forget in _on_reset:
        forget()


def admin_client(service: str, endpoint_url: str, region: str, *, access_key: str | None = None,
                 secret_key: str | None = None):
    """A client of a local AWS-compatible endpoint, for creating its tables and buckets (folio local)."""
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint_url,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        config=Config(s3={"addressing_style": "path"}),
    )


def error_code(error: BaseException) -> str | None:
    """The code of an error AWS answered (``ResourceInUseException``, ...); None for anything else."""
    if not isinstance(error, ClientError):
        return None
    return error.response.get("Error", {}).get("Code")


# ---------------------------------------------------------------- DynamoDB errors, by code and reason

#: Error codes after which nothing was executed and the same call may simply be sent again.
_TRANSIENT_CODES = frozenset({
    "TransactionConflictException", "ProvisionedThroughputExceededException", "ThrottlingException",
    "RequestLimitExceeded", "LimitExceededException",
})
#: TransactionCanceledException reasons that mean "not executed, try again".
_TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                                "RequestLimitExceeded"})
#: Reasons that mean the request itself can never be executed as it is (an item or collection too large).
_REFUSED_REASONS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})


def _cancellation_codes(error: ClientError) -> list[str]:
    return [(reason or {}).get("Code") or "None" for reason in error.response.get("CancellationReasons") or []]


class Failure:
    """How an AWS error is to be handled, decided from its code and cancellation reasons only."""

    CONDITION = "condition"  # another writer got there first: the caller decides
    TRANSIENT = "transient"  # nothing executed; the same write may be sent again
    REFUSED = "refused"  # the request can never be executed as it is (a limit)
    FAILED = "failed"  # AWS failed or the outcome is unknown: retry later, from the top

    @staticmethod
    def of(error: Exception) -> tuple[str, list[int]]:
        """The kind of failure, and the actions it names (a condition's or a limit's)."""
        if not isinstance(error, ClientError):
            return Failure.FAILED, []  # a timeout or a connection error: botocore already retried
        code = error_code(error) or ""
        if code == "ConditionalCheckFailedException":
            return Failure.CONDITION, [0]
        if code == "TransactionCanceledException":
            codes = _cancellation_codes(error)
            failed = [i for i, c in enumerate(codes) if c == "ConditionalCheckFailed"]
            if failed:
                return Failure.CONDITION, failed
            if any(c in _REFUSED_REASONS for c in codes):
                return Failure.REFUSED, [i for i, c in enumerate(codes) if c in _REFUSED_REASONS]
            if any(c in _TRANSIENT_REASONS for c in codes):
                return Failure.TRANSIENT, []
            return Failure.FAILED, []
        if code in _TRANSIENT_CODES:
            return Failure.TRANSIENT, []
        if code == "ValidationException":
            # folio writes every expression itself and sizes every item and transaction before
            # sending it, so what the store still refuses is a size it counts differently
            return Failure.REFUSED, []
        return Failure.FAILED, []


def is_conflict(error: Exception) -> bool:
    """A transient failure that is a transaction conflict (another transaction on the same item, over
    in milliseconds), not a throttle: worth waiting out within the invocation's retry budget, where a
    throttled table is only made hotter by every function waiting on it."""
    code = error_code(error)
    if code == "TransactionConflictException":
        return True
    if code == "TransactionCanceledException":
        codes = set(_cancellation_codes(error))
        return "TransactionConflict" in codes and not codes & (_TRANSIENT_REASONS - {"TransactionConflict"})
    return False


def domain_error(error: Exception, what: str) -> FolioError:
    """A domain error for a failure that is not a condition. Its message never names the AWS error
    code (a client learns nothing of folio's AWS from a 503): the log does."""
    kind, _ = Failure.of(error)
    logger.warning("AWS call failed", extra={"what": what, "failure": kind, "aws_error_code": error_code(error),
                                             "aws_error": type(error).__name__})
    if kind == Failure.REFUSED:
        return PayloadTooLarge(f"{what}: the request exceeds a limit of the document store "
                               f"(400 KB per item, 4 MB per transaction)")
    return StorageUnavailable(f"{what} did not complete; retry later")
