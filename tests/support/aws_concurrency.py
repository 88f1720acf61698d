"""What AWS's DynamoDB answers under concurrency, between folio's client and an engine that runs
one transaction at a time (moto, DynamoDB Local): neither ever answers a transaction conflict.

It sits on botocore's ``before-send`` event in front of moto's own handler (which it calls itself
when it lets a request through: botocore runs every ``before-send`` handler, so moto would
otherwise execute a request this layer refused), so folio's requests are serialized exactly as
for AWS and its answers are parsed, retried and classified by folio's own code from AWS's wire
shapes (DESIGN §2, AWS's "Transaction conflict handling"):

* a ``TransactWriteItems`` holds its items while it is in flight; another one touching a held
  item is cancelled: HTTP 400 ``TransactionCanceledException`` with ``TransactionConflict`` at
  that item's index and ``None`` at the others;
* a ``PutItem``/``UpdateItem``/``DeleteItem`` of a held item fails with
  ``TransactionConflictException``;
* chosen calls can be throttled (``ProvisionedThroughputExceededException``, or a cancellation
  with ``ThrottlingError`` for a transaction) or fail with HTTP 500 ``InternalServerError``;
* a chosen write can take effect and its answer be lost ("lost-answer": HTTP 500 after the
  engine executed it); a ``TransactWriteItems`` sent again with the same ``ClientRequestToken``
  (botocore resends the same body) then answers what the first one did, without executing
  again, as AWS's transaction idempotency does for 10 minutes.

``on_call(phase, operation)`` lets a scheduler run other actors at each call ("before"), while a
transaction is in flight ("in-flight") and after a call took effect ("after").
"""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse

_TYPE = "com.amazonaws.dynamodb.v20120810#"
SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
KEY_NAMES = ("pk", "sk")  # template.yaml's key schema


class _Raw:
    """The raw body botocore reads an AWSResponse from."""

    def __init__(self, body: bytes):
        self._body = io.BytesIO(body)

    def stream(self, **_kwargs):
        yield self._body.read()


def aws_error(url: str, status: int, error_type: str, message: str, **extra: Any) -> AWSResponse:
    """An error exactly as DynamoDB's JSON protocol sends it."""
    body = json.dumps({"__type": _TYPE + error_type, "message": message, **extra}).encode()
    return AWSResponse(url, status, {"Content-Type": "application/x-amz-json-1.0",
                                     "x-amzn-RequestId": uuid.uuid4().hex, "Content-Length": str(len(body))},
                       _Raw(body))


def cancellation(url: str, reasons: list[str | None], message: str) -> AWSResponse:
    codes = [r or "None" for r in reasons]
    return aws_error(url, 400, "TransactionCanceledException",
                     f"Transaction cancelled, please refer cancellation reasons for specific reasons "
                     f"[{', '.join(codes)}]",
                     CancellationReasons=[{"Code": c} if c == "None" else {"Code": c, "Message": message}
                                          for c in codes])


def item_keys(operation: str, body: dict[str, Any]) -> list[str]:
    """The items a write (or a transactional read) names, as ``table|key`` strings, in the order of its actions."""
    def key(table: str, item: dict[str, Any]) -> str:
        return table + "|" + json.dumps({k: item[k] for k in KEY_NAMES if k in item}, sort_keys=True)

    if operation in ("TransactWriteItems", "TransactGetItems"):
        out = []
        for action in body.get("TransactItems", []):
            (_, spec), = action.items()
            out.append(key(spec["TableName"], spec.get("Item") or spec.get("Key")))
        return out
    if operation in SINGLE_WRITES:
        return [key(body["TableName"], body.get("Item") or body.get("Key"))]
    return []


class AwsConcurrency:
    """Attach to a boto3 DynamoDB client; every call then meets AWS's concurrency semantics."""

    def __init__(self, *, on_call: Callable[[str, str], None] | None = None,
                 fault: Callable[[str, dict[str, Any]], str | None] | None = None):
        self.on_call = on_call
        #: ``fault(operation, body)`` -> None, "throttle", "server-error" or "conflict" (a transaction
        #: cancelled by a conflict with something outside the test, as AWS may)
        self.fault = fault
        self.stats: Counter[str] = Counter()
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()
        self._engine_lock = threading.Lock()
        self._clients: list[Any] = []
        self._done_tokens: set[str] = set()  # ClientRequestTokens of transactions executed

    def attach(self, client) -> AwsConcurrency:
        from moto.core.models import botocore_stubber

        client.meta.events.unregister("before-send", botocore_stubber)
        client.meta.events.register_first("before-send.dynamodb", self._before_send)
        client.meta.events.register("after-call.dynamodb", self._after_call)
        client.meta.events.register("after-call-error.dynamodb", self._after_error)
        self._clients.append(client)
        return self

    def detach(self) -> None:
        from moto.core.models import botocore_stubber

        for client in self._clients:
            client.meta.events.register("before-send", botocore_stubber)
            client.meta.events.unregister("before-send.dynamodb", self._before_send)
            client.meta.events.unregister("after-call.dynamodb", self._after_call)
            client.meta.events.unregister("after-call-error.dynamodb", self._after_error)
        self._clients.clear()

    def reset(self) -> None:
        """Forget counts, held items and transaction tokens (a new schedule)."""
        self.stats.clear()
        with self._lock:
            self._held.clear()
            self._done_tokens.clear()

    def hold(self, table: str, pk: str, sk: str, owner: int = 0) -> None:
        """Hold an item as a transaction of someone else would while in flight, until released."""
        with self._lock:
            self._held[item_keys("PutItem", {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": sk}}})[0]] = owner

    def release(self, owner: int | None = None) -> None:
        """Drop the items ``owner`` (this thread by default) holds: its transaction ended, or it died."""
        owner = threading.get_ident() if owner is None else owner
        with self._lock:
            for key in [k for k, o in self._held.items() if o == owner]:
                del self._held[key]

    # ---- botocore events
    def _before_send(self, request, event_name: str = "", **_kwargs):
        answer = self._answer(request)
        if answer == "lost-answer":
            self._engine(event_name, request)
            return aws_error(request.url, 500, "InternalServerError", "Internal server error")
        if answer is not None:
            return answer
        return self._engine(event_name, request)

    def _engine(self, event_name: str, request):
        """moto's answer, or None (botocore sends the request to the real engine)."""
        from moto.core.models import botocore_stubber

        token = json.loads(request.body or b"{}").get("ClientRequestToken")
        with self._engine_lock:  # moto is not thread-safe: one call in it at a time, as folio local does
            response = botocore_stubber(event_name=event_name, request=request)
        if token and response is None:
            return None  # a real engine: it keeps tokens itself
        if token and response is not None and response.status_code == 200:
            with self._lock:
                self._done_tokens.add(token)
        return response

    def _answer(self, request):
        target = request.headers.get("X-Amz-Target") or ""
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        self.release()  # a resend by botocore's retry: the previous attempt is over
        if self.on_call:
            self.on_call("before", operation)
        body = json.loads(request.body or b"{}")
        token = body.get("ClientRequestToken")
        if token and token in self._done_tokens:  # AWS: the same transaction again answers as it did
            self.stats["idempotent-replay"] += 1
            return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0",
                                                  "x-amzn-RequestId": uuid.uuid4().hex}, _Raw(b"{}"))
        fault = self.fault(operation, body) if self.fault else None
        if fault == "lost-answer":
            self.stats[fault] += 1
            return fault
        if fault:
            self.stats[fault] += 1
            return self._fault(request.url, operation, fault, len(body.get("TransactItems", [])))
        keys = item_keys(operation, body)
        me = threading.get_ident()
        with self._lock:
            busy = [self._held.get(k, me) != me for k in keys]
            if operation == "TransactWriteItems" and not any(busy):
                for k in keys:
                    self._held[k] = me
        if operation == "TransactWriteItems":
            if any(busy):
                self.stats["transaction-conflict"] += 1
                return cancellation(request.url, ["TransactionConflict" if b else None for b in busy],
                                    "Transaction is ongoing for the item")
            if self.on_call:
                self.on_call("in-flight", operation)
        elif operation == "TransactGetItems" and any(busy):
            # AWS: a transactional read of an item a transaction is writing is cancelled the same way
            self.stats["transaction-conflict"] += 1
            return cancellation(request.url, ["TransactionConflict" if b else None for b in busy],
                                "Transaction is ongoing for the item")
        elif operation in SINGLE_WRITES and any(busy):
            self.stats["transaction-conflict"] += 1
            return aws_error(request.url, 400, "TransactionConflictException", "Transaction is ongoing for the item")
        return None

    def _after_call(self, model=None, **_kwargs):
        self.release()
        if self.on_call:
            self.on_call("after", model.name if model is not None else "")

    def _after_error(self, **_kwargs):
        self.release()

    @staticmethod
    def _fault(url: str, operation: str, fault: str, actions: int) -> AWSResponse:
        if fault == "server-error":
            return aws_error(url, 500, "InternalServerError", "Internal server error")
        if operation == "TransactWriteItems":
            reason = "ThrottlingError" if fault == "throttle" else "TransactionConflict"
            return cancellation(url, [reason] + [None] * max(0, actions - 1),
                                "Throughput exceeds the current capacity" if fault == "throttle"
                                else "Transaction is ongoing for the item")
        if fault == "conflict":
            return aws_error(url, 400, "TransactionConflictException", "Transaction is ongoing for the item")
        return aws_error(url, 400, "ProvisionedThroughputExceededException",
                         "The level of configured provisioned throughput for the table was exceeded.")
