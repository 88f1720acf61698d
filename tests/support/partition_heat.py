"""Workloads over HTTP against `folio local` whose DynamoDB writes :class:`PartitionWrites` counts
(DESIGN §12): what ``tests/e2e/test_partition_heat.py`` asserts and ``make bench`` prints.

Each workload is one tenant importing, as a large customer would: crm creates each with an
``Idempotency-Key``; kyc creates for many customers of one domain; dms creates in one project; one artu
client's atomic batches of 34 (past one transaction: intent and locks). :func:`shared_work` runs four
tenants' atomic batches and their deletes one request at a time, so each key's writers are known.
"""

from __future__ import annotations

import concurrent.futures
import json
import uuid
from dataclasses import dataclass

import requests
from requests_toolbelt import MultipartEncoder

from .partition_writes import PartitionWrites, key_class

ARTU_CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
#: artu items per atomic batch: past one transaction of 100 actions, so an intent and locks
ARTU_BATCH = 34
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Heat:
    """One workload's figures: documents created, the hottest key's writes, and per key class the most
    writes one key of it took (``classes``: class -> (writes, key))."""

    workload: str
    documents: int
    hottest: tuple[str, int]
    classes: dict[str, tuple[int, str]]

    @property
    def per_document(self) -> float:
        return self.hottest[1] / self.documents


def _bearer(server, tenant: str, **kwargs) -> dict[str, str]:
    return {"Authorization": "Bearer " + server.token(tenant=tenant, **kwargs)}


def _check(answer: requests.Response, *ok: int) -> requests.Response:
    if answer.status_code not in ok:
        raise AssertionError(f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text[:500]}")
    return answer


def crm_create(server, tenant: str, n: int) -> None:
    _check(requests.post(f"{server.url}/api/v1/Document", json={"Header": f"Imported {n}", "OurRef": f"IMP-{n}"},
                         headers={**_bearer(server, tenant), "Idempotency-Key": f"import-{tenant}-{n}"}), 201)


def kyc_create(server, tenant: str, n: int) -> None:
    encoder = MultipartEncoder(fields=[
        ("document", json.dumps({"type": "PASSPORT", "number": f"P{n}", "issueDate": "2019-01-01"})),
        ("front", ("passport.png", PNG, "image/png"))])
    _check(requests.post(f"{server.url}/api/customer/{1000 + n}/document", data=encoder,
                         headers={"Content-Type": encoder.content_type, "X-Domain-ID": "7", **_bearer(server, tenant)}),
           201)


def dms_create(server, tenant: str, n: int) -> None:
    encoder = MultipartEncoder(fields={"file": (f"doc-{n}.pdf", b"%PDF-1.4 import", "application/pdf"),
                                       "name": f"Imported {n}"})
    _check(requests.post(f"{server.url}/api/v2/clients/1/dms/projects/2/documents", data=encoder,
                         headers={"Content-Type": encoder.content_type, **_bearer(server, tenant)}), 201)


def artu_batch(server, tenant: str, n: int, size: int = ARTU_BATCH) -> list[str]:
    """One atomic batch of ``size`` new documents of one client: their ids."""
    items = [{"clientId": ARTU_CLIENT, "externalId": f"imp-{n}-{i}-{uuid.uuid4().hex[:8]}", "type": "ine"}
             for i in range(size)]
    answer = _check(requests.put(f"{server.url}/documents/batch/external", json={"items": items, "atomic": True},
                                 headers={**_bearer(server, tenant), "X-Environment": "live"}), 200)
    return [entry["data"]["id"] for entry in answer.json()["data"]]


def artu_delete(server, tenant: str, document_id: str) -> None:
    _check(requests.delete(f"{server.url}/documents/{document_id}",
                           headers={**_bearer(server, tenant), "X-Environment": "live"}), 200, 204)


def _figures(proxy: PartitionWrites, workload: str, documents: int) -> Heat:
    (space, key), count = proxy.hottest()
    return Heat(workload, documents, (f"{space} {key}", count), proxy.by_class())


def one_tenant_imports(server, proxy: PartitionWrites, documents: int = 200, batches: int = 20,
                       workers: int = 4) -> list[Heat]:
    """The four imports, each on a tenant of its own, and each key's writes while it ran."""
    heats = []
    for name, create in (("crm create with Idempotency-Key", crm_create), ("kyc create, one domain", kyc_create),
                         ("dms create, one project", dms_create)):
        tenant = f"heat-{name.split()[0]}-{uuid.uuid4().hex[:6]}"
        proxy.reset()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda n: create(server, tenant, n), range(documents)))
        heats.append(_figures(proxy, name, documents))
    tenant = f"heat-artu-{uuid.uuid4().hex[:6]}"
    proxy.reset()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda n: artu_batch(server, tenant, n), range(batches)))
    heats.append(_figures(proxy, f"artu atomic batches of {ARTU_BATCH}, one client", batches * ARTU_BATCH))
    return heats


@dataclass
class Shared:
    """Four tenants' work, one request at a time: per kind of operation, how many there were and the
    most of them one key was written by (and that key)."""

    operations: dict[str, int]
    widest: dict[str, tuple[int, str]]
    #: the same, over the keys more than one tenant's work wrote (a tenant's own keys, such as its list
    #: shards, are written by its own quarter of the work by construction)
    widest_shared: dict[str, tuple[int, str]]

    def share(self, kind: str, shared_only: bool = False) -> float:
        found = (self.widest_shared if shared_only else self.widest).get(kind)
        return found[0] / self.operations[kind] if found else 0.0


def shared_work(server, proxy: PartitionWrites, tenants: int = 4, batches: int = 8, deletes: int = 8) -> Shared:
    """Each of ``tenants`` tenants runs ``batches`` atomic batches and then deletes ``deletes`` of the
    documents they created. Every request is sent alone and named, so each key's writers are known."""
    proxy.reset()
    names = [f"share-{t}-{uuid.uuid4().hex[:6]}" for t in range(tenants)]
    created: dict[str, list[str]] = {}
    for b in range(batches):
        for tenant in names:
            proxy.begin(f"batch {tenant} {b}")
            created.setdefault(tenant, []).extend(artu_batch(server, tenant, b))
    for d in range(deletes):
        for tenant in names:
            proxy.begin(f"delete {tenant} {d}")
            artu_delete(server, tenant, created[tenant][d * 3])
    proxy.begin(None)
    counts = {"batch": tenants * batches, "delete": tenants * deletes}
    widest: dict[str, tuple[int, str]] = {}
    widest_shared: dict[str, tuple[int, str]] = {}
    for (space, key), operations in proxy.operations.items():
        tenants_writing = {op.split()[1] for op in operations}
        for kind in counts:
            writers = sum(1 for op in operations if op.startswith(kind + " "))
            named = (writers, f"{space} {key} ({key_class(space, key)})")
            if writers and (kind not in widest or writers > widest[kind][0]):
                widest[kind] = named
            if writers and len(tenants_writing) > 1 and (kind not in widest_shared or writers > widest_shared[kind][0]):
                widest_shared[kind] = named
    return Shared(counts, widest, widest_shared)
