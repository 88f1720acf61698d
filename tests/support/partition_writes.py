"""A layer in front of DynamoDB that records the partition key of every write (DESIGN §12).

:class:`PartitionWrites` is an HTTP proxy: point ``folio local --dynamodb-endpoint`` (or any boto3
client) at :attr:`PartitionWrites.url` and every call goes on to the real engine (DynamoDB Local)
unchanged, its answer back unchanged. Each write is counted on the partition it lands on, as
DynamoDB bills and throttles it:

- the table: the partition key of every item a PutItem, UpdateItem, DeleteItem, BatchWriteItem or
  TransactWriteItems names (a ConditionCheck too: it takes write units on its item), counted when
  sent, so a conditional write that fails counts as well;
- each global secondary index, as template.yaml defines it: an item that changes is written to the
  index partition of its old image's index key (when it had one) and of its new image's (when it has
  one), so a document leaving one list shard for another writes both. The images are read before and
  after the call, the three steps under one lock, so they are exact (the proxy sends one write at a
  time; DynamoDB Local runs one at a time anyway).

The index definitions come from template.yaml, so the recorder cannot drift from the infrastructure.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


@dataclass(frozen=True)
class Space:
    """Where writes land: a table (``index`` None) or one of its global secondary indexes."""

    table: str  # the template's logical id
    index: str | None = None

    def __str__(self) -> str:
        return self.table if self.index is None else f"{self.table}/{self.index}"


@dataclass(frozen=True)
class TableKeys:
    """One table of the template: its key attributes and each global index's partition key attribute."""

    logical_id: str
    hash_key: str
    range_key: str | None
    indexes: dict[str, str]  # index name -> its partition key attribute

    @classmethod
    def from_template(cls, logical_id: str, props: dict[str, Any]) -> TableKeys:
        schema = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
        indexes = {}
        for index in props.get("GlobalSecondaryIndexes") or []:
            indexes[index["IndexName"]] = next(k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "HASH")
        return cls(logical_id, schema["HASH"], schema.get("RANGE"), indexes)

    def key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in (self.hash_key, self.range_key) if name}


def template_tables(template) -> dict[str, TableKeys]:
    """The template's tables by the physical name folio local gives them."""
    return {template.local_name(lid): TableKeys.from_template(lid, res["Properties"])
            for lid, res in template.of_type("AWS::DynamoDB::Table").items()}


def _value(attribute: dict[str, Any] | None) -> str | None:
    if not attribute:
        return None
    (_, value), = attribute.items()
    return str(value)


class PartitionWrites:
    """The proxy and what it counted: ``writes[(space, partition key value)]`` and the operations
    each key was written by (:meth:`begin` names the operation the calls that follow belong to)."""

    def __init__(self, upstream: str, template):
        self.upstream = urlsplit(upstream)
        self.tables = template_tables(template)
        self.writes: Counter[tuple[Space, str]] = Counter()
        self.operations: dict[tuple[Space, str], set[str]] = {}
        self._operation: str | None = None
        self._lock = threading.Lock()
        self._readers: dict[str, Any] = {}
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- what was counted
    def reset(self) -> None:
        with self._lock:
            self.writes.clear()
            self.operations.clear()
            self._operation = None

    def begin(self, operation: str | None) -> None:
        """The calls from now on belong to ``operation`` (one HTTP request of a workload, sent alone)."""
        with self._lock:
            self._operation = operation

    def hottest(self) -> tuple[tuple[Space, str], int]:
        """The key written most, and how many times."""
        return self.writes.most_common(1)[0]

    def by_class(self) -> dict[str, tuple[int, str]]:
        """Per class of key (:func:`key_class`): the most writes one key of it took, and that key."""
        out: dict[str, tuple[int, str]] = {}
        for (space, key), count in self.writes.items():
            name = key_class(space, key)
            if name not in out or count > out[name][0]:
                out[name] = (count, f"{space} {key}")
        return out

    # ---- recording
    def _record(self, space: Space, key: str | None) -> None:
        if key is None:
            return
        self.writes[(space, key)] += 1
        if self._operation is not None:
            self.operations.setdefault((space, key), set()).add(self._operation)

    def _named_items(self, operation: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
        """``(table name, item key, changes the item)`` of every item a write names."""
        named = []
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            table = self.tables.get(body.get("TableName"))
            if table:
                named.append((body["TableName"], table.key_of(body.get("Item") or body["Key"]), True))
        elif operation == "BatchWriteItem":
            for name, requests in (body.get("RequestItems") or {}).items():
                table = self.tables.get(name)
                for request in requests if table else []:
                    (kind, spec), = request.items()
                    named.append((name, table.key_of(spec.get("Item") or spec["Key"]), True))
        elif operation == "TransactWriteItems":
            for action in body.get("TransactItems") or []:
                (kind, spec), = action.items()
                table = self.tables.get(spec.get("TableName"))
                if table:
                    named.append((spec["TableName"], table.key_of(spec.get("Item") or spec["Key"]),
                                  kind != "ConditionCheck"))
        return named

    def _images(self, credential: str, named: list[tuple[str, dict[str, Any], bool]]) -> list[dict[str, Any] | None]:
        reader = self._reader(credential)
        images = []
        for name, key, changes in named:
            if not changes or not self.tables[name].indexes:
                images.append(None)
                continue
            images.append(reader.get_item(TableName=name, Key=key, ConsistentRead=True).get("Item"))
        return images

    def _reader(self, credential: str):
        """A client of the upstream with the caller's access key (DynamoDB Local keeps a database per key)."""
        found = self._readers.get(credential)
        if found is None:
            import boto3

            found = boto3.session.Session().client(
                "dynamodb", endpoint_url=self.upstream.geturl(), region_name="us-east-1",
                aws_access_key_id=credential, aws_secret_access_key="proxy")
            self._readers[credential] = found
        return found

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes):
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes):
        operation = (headers.get("X-Amz-Target") or headers.get("x-amz-target") or "").rsplit(".", 1)[-1]
        forwarded = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection", "content-length")}
        if operation not in WRITES:
            return self._forward(method, path, forwarded, body)
        request = json.loads(body or b"{}")
        credential = re.search(r"Credential=([^/]+)/", headers.get("Authorization") or headers.get("authorization") or "")
        credential = credential.group(1) if credential else "proxy"
        with self._lock:
            named = self._named_items(operation, request)
            before = self._images(credential, named)
            answer = self._forward(method, path, forwarded, body)
            after = self._images(credential, named)
            for (name, key, changes), old, new in zip(named, before, after):
                table = self.tables[name]
                self._record(Space(table.logical_id), _value(key[table.hash_key]))
                if not changes or old == new:
                    continue
                for index, attribute in table.indexes.items():
                    keys = {_value((image or {}).get(attribute)) for image in (old, new)} - {None}
                    for value in keys:
                        self._record(Space(table.logical_id, index), value)
        return answer

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # every DynamoDB call is a POST
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers, payload = proxy.handle("POST", self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args):
                pass

        return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is no error of the proxy
            super().handle_error(request, client_address)


#: Classes of partition key, in the order the report shows them.
KEY_CLASSES = (
    ("idempotency record", re.compile(r"#idempotency")),
    ("id counter", re.compile(r"#counter$")),
    ("batch intents", re.compile(r"^folio#batch-intents")),
    ("purges", re.compile(r"^folio#purges")),
    ("sweep checkpoints", re.compile(r"^folio#sweeps")),
)


def key_class(space: Space, key: str) -> str:
    """What a partition key is, by its shape: ``ByCollection list shard`` for the index, else one of
    :data:`KEY_CLASSES` or ``document partition``."""
    if space.index is not None:
        return f"{space.index} list shard"
    for name, pattern in KEY_CLASSES:
        if pattern.search(key):
            return name
    return "document partition"
