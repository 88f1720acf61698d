"""No key hotter than one document (DESIGN §12), measured: `folio local --dynamodb-endpoint` points at
a layer in front of DynamoDB Local that records the partition key of every write, of the table and of
its index (tests/support/partition_writes.py), while real workloads run over HTTP.

- One tenant importing (crm creates with Idempotency-Key, kyc creates for many customers of one
  domain, dms creates in one project, one artu client's atomic batches of 34): the hottest key of the
  table or the index takes at most 0.1 writes per document created.
- Four tenants' atomic batches past one transaction, and their deletes: no key is written by more than
  a quarter of them.

The same figures, per key class, are printed by ``make bench`` (bench/run.py).
"""

import pytest

from ..support.partition_heat import one_tenant_imports, shared_work
from folio.storage.keys import LIST_INDEX

from ..support.partition_writes import PartitionWrites, Space

pytestmark = pytest.mark.e2e

#: DESIGN §12: writes on the hottest key per document a tenant creates
MAX_WRITES_PER_DOCUMENT = 0.1


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, dynamodb_local, template):
    from ..conftest import LocalServer

    proxy = PartitionWrites(dynamodb_local.endpoint_url, template)
    server = LocalServer(tmp_path_factory.mktemp("folio-local-heat"), "--dynamodb-endpoint", proxy.url)
    yield server, proxy
    server.stop()
    proxy.stop()


def test_the_recorder_counts_table_and_index_writes_failed_conditions_included(recorded):
    """The layer itself: a create writes its document's partition and one list shard of the index; a
    write refused by its condition still counts on its partition (it takes write units)."""
    import requests

    server, proxy = recorded
    headers = {"Authorization": "Bearer " + server.token(tenant="recorder")}
    proxy.reset()
    created = requests.post(f"{server.url}/api/v1/Document", json={"Header": "one"}, headers=headers)
    assert created.status_code == 201, created.text
    doc_id = created.json()["DocumentId"]
    table = {key: n for (space, key), n in proxy.writes.items() if space.index is None}
    index = {key: n for (space, key), n in proxy.writes.items() if space == Space("DocumentsTable", LIST_INDEX)}
    assert any(key.endswith(f"#{doc_id}") and key.startswith("recorder#") for key in table), table
    assert len(index) == 1 and next(iter(index)).startswith("recorder#crm"), index
    proxy.reset()
    stale = requests.patch(f"{server.url}/api/v1/Document/{doc_id}", json={"Header": "two"},
                           headers={**headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    refused = requests.patch(f"{server.url}/api/v1/Document/{doc_id}", json=[{"op": "test", "path": "/Header",
                                                                               "value": "one"}],
                             headers={**headers, "Content-Type": "application/json-patch+json"})
    assert refused.status_code == 200  # a no-op patch commits nothing
    assert not [k for (space, k) in proxy.writes if space.index is not None]  # nothing changed: no index write


def test_one_tenant_importing_puts_at_most_a_tenth_of_a_write_per_document_on_any_key(recorded):
    server, proxy = recorded
    heats = one_tenant_imports(server, proxy, documents=200, batches=20)
    report = {h.workload: (round(h.per_document, 3), h.hottest) for h in heats}
    for heat in heats:
        assert heat.per_document <= MAX_WRITES_PER_DOCUMENT, report
        # every class of key was seen (the workload reached the index, the counters, the records)
        assert "document partition" in heat.classes and f"{LIST_INDEX} list shard" in heat.classes, heat.classes
    crm = heats[0]
    assert "idempotency record" in crm.classes and crm.classes["idempotency record"][0] <= 3, crm.classes
    assert crm.classes["id counter"][0] <= 3, crm.classes  # 200 ids: two blocks of 100 (and a retry)
    artu = heats[3]
    assert "batch intents" in artu.classes, artu.classes  # past one transaction: intents, over shards


def test_four_tenants_batches_and_deletes_share_no_key_beyond_a_quarter_of_them(recorded):
    server, proxy = recorded
    # 48 of each: random shards (batch ids, document ids) put more than 12 of 48 on one of 16 shards
    # with a chance under 1 in 10,000
    shared = shared_work(server, proxy, tenants=4, batches=12, deletes=12)
    assert set(shared.widest) == {"batch", "delete"}
    for kind in ("batch", "delete"):
        assert shared.share(kind) <= 0.25, (kind, shared.widest[kind], shared.operations[kind])
        # the keys several tenants' work meets (intent and purge shards): far fewer of it each
        assert shared.share(kind, shared_only=True) <= 0.25, (kind, shared.widest_shared, shared.operations[kind])
    assert "batch intents" in shared.widest_shared["batch"][1] and "purges" in shared.widest_shared["delete"][1]
