"""The storage core on moto and DynamoDB Local: versions, history, conditional writes, retries, files."""

import hashlib
import threading

import pytest
from botocore.exceptions import ClientError

from folio.core import Caller, DocumentKey, Edit, NewFile, Precondition
from folio.core.errors import Contention, EditConflict, PreconditionFailed
from folio.local.template import Template
from folio.storage.keys import partition_key
from folio.storage.wiring import document_service

from ..conftest import TEMPLATE

ADA = Caller(tenant="acme", sub="ada")


def history(aws, key):
    items = aws["dynamodb"].query(
        TableName=aws["table"], KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": partition_key(key)}})["Items"]
    return sorted(i["sk"]["S"] for i in items)


def test_table_and_bucket_are_built_from_the_template(aws):
    resources = Template(TEMPLATE).resources
    table = aws["dynamodb"].describe_table(TableName=aws["table"])["Table"]
    assert table["KeySchema"] == resources["DocumentsTable"]["Properties"]["KeySchema"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    if aws["engine"] == "dynamodb-local":
        # DynamoDB Local has no point-in-time recovery at all; create_resources leaves it out by this code
        with pytest.raises(ClientError) as missing:
            aws["dynamodb"].describe_continuous_backups(TableName=aws["table"])
        assert missing.value.response["Error"]["Code"] == "UnknownOperationException"
    else:
        backups = aws["dynamodb"].describe_continuous_backups(TableName=aws["table"])
        assert backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert aws["s3"].get_bucket_versioning(Bucket=aws["bucket"])["Status"] == "Enabled"
    block = aws["s3"].get_public_access_block(Bucket=aws["bucket"])["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_create_and_update_keep_every_version(aws):
    docs = document_service()
    key = DocumentKey("acme", "test", str(docs.next_id("acme", "test")))
    docs.create(key, {"n": 0}, ADA)
    for i in range(1, 4):
        docs.update(key, lambda d, i=i: {"n": i}, ADA)
    assert docs.get(key).version == 4 and docs.get(key).body == {"n": 3}
    assert history(aws, key) == ["HEAD"] + [f"V#{v:010d}" for v in range(1, 5)]
    assert docs.get_version(key, 2).body == {"n": 1}


def test_ids_come_from_an_atomic_counter_per_tenant_and_kind(aws):
    docs = document_service()
    assert [docs.next_id("acme", "x") for _ in range(3)] == [1, 2, 3]
    assert docs.next_id("other", "x") == 1
    docs.reserve_id("acme", "x", 10)
    docs.reserve_id("acme", "x", 5)  # never moves down
    assert docs.next_id("acme", "x") == 11


def test_create_of_an_existing_document_is_a_conflict(aws):
    docs = document_service()
    key = DocumentKey("acme", "test", "1")
    docs.create(key, {}, ADA)
    with pytest.raises(EditConflict):
        docs.create(key, {"other": True}, ADA)
    with pytest.raises(PreconditionFailed):
        docs.create(key, {}, ADA, Precondition(if_none_match_any=True))
    assert docs.get(key).body == {}


def test_stale_precondition_is_412_and_lost_race_with_precondition_is_409(aws):
    docs = document_service()
    key = DocumentKey("acme", "test", "1")
    docs.create(key, {"n": 0}, ADA)
    with pytest.raises(PreconditionFailed):
        docs.update(key, lambda d: {"n": 1}, ADA, Precondition(if_match=('"7"',)))

    def racing_change(d):  # another writer commits between our read and our write
        if d.version == 1:
            docs.update(key, lambda _: {"n": "theirs"}, ADA)
        return {"n": "ours"}

    with pytest.raises(EditConflict):
        docs.update(key, racing_change, ADA, Precondition(if_match=('"1"',)))
    assert docs.get(key).body == {"n": "theirs"}


def test_write_without_precondition_reapplies_after_a_lost_race(aws):
    docs = document_service()
    key = DocumentKey("acme", "test", "1")
    docs.create(key, {"items": []}, ADA)
    calls = []

    def append_mine(d):
        calls.append(d.version)
        if len(calls) == 1:
            docs.update(key, lambda cur: {"items": cur.body["items"] + ["theirs"]}, ADA)
        return {"items": d.body["items"] + ["mine"]}

    result = docs.update(key, append_mine, ADA)
    assert calls == [1, 2]  # re-read and re-applied to the new head
    assert result.body == {"items": ["theirs", "mine"]} and result.version == 3


def test_bounded_retries_end_in_contention(aws):
    docs = document_service()
    docs.max_attempts = 3
    key = DocumentKey("acme", "test", "1")
    docs.create(key, {"n": 0}, ADA)

    def always_loses(d):
        docs.update(key, lambda cur: {"n": cur.body["n"] + 1}, ADA)
        return {"n": -1}

    with pytest.raises(Contention):
        docs.update(key, always_loses, ADA)
    assert docs.get(key).body == {"n": 3}


def test_concurrent_writers_through_a_single_threaded_aws_lose_nothing(template, tmp_path):
    """Against the embedded (single-threaded) moto server, as folio local runs it."""
    import os

    from folio.local.aws import EmbeddedAws
    from folio.storage.clients import reset_clients

    saved = dict(os.environ)
    aws = EmbeddedAws().start()
    try:
        aws.create_resources(template)
        for name, value in template.functions["CrmPatchDocumentFunction"].environment.items():
            os.environ[name] = str(value)
        docs = document_service()
        key = DocumentKey("acme", "test", "1")
        docs.create(key, {"items": []}, ADA)

        def writer(n):
            for i in range(5):
                document_service().update(key, lambda d, v=f"{n}-{i}": {"items": d.body["items"] + [v]}, ADA)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        final = docs.get(key)
        assert sorted(final.body["items"]) == sorted(f"{n}-{i}" for n in range(6) for i in range(5))
        assert final.version == 31
    finally:
        aws.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_clients()


def test_files_are_pinned_to_their_s3_version_with_sha256(aws):
    docs = document_service()
    key = DocumentKey("acme", "files", "1")
    v1 = docs.create(key, {}, ADA, new_files={"front": NewFile(b"first", "image/png", "a.png")})
    v2 = docs.update(key, Edit(lambda d: d.body, new_files={"front": NewFile(b"second", "image/png", "../../b.png")}), ADA)
    r1, r2 = v1.files["front"], v2.files["front"]
    assert r1.key == r2.key == "acme/files/1/front"  # folio's key, not the client's file name
    assert r1.version_id != r2.version_id
    assert docs.read_file(r1) == b"first" and docs.read_file(r2) == b"second"
    assert r2.sha256 == hashlib.sha256(b"second").hexdigest() and r2.size == 6 and r2.file_name == "../../b.png"
    assert docs.get_version(key, 1).files["front"] == r1


def test_a_failed_metadata_write_deletes_the_new_s3_version(aws):
    docs = document_service()
    key = DocumentKey("acme", "files", "1")
    docs.create(key, {}, ADA, new_files={"front": NewFile(b"first", "image/png")})
    with pytest.raises(PreconditionFailed):
        docs.update(key, Edit(lambda d: d.body, new_files={"front": NewFile(b"never", "image/png")}), ADA,
                    Precondition(if_match=('"9"',)))

    def loses_race(d):
        if d.version == 1:
            docs.update(key, lambda cur: {"x": 1}, ADA)
        return {"y": 1}

    with pytest.raises(EditConflict):
        docs.update(key, Edit(loses_race, new_files={"front": NewFile(b"orphan", "image/png")}), ADA,
                    Precondition(if_match=('"1"',)))
    versions = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix="acme/files/1/")["Versions"]
    assert len(versions) == 1  # only the committed one remains
    assert docs.read_file(docs.get(key).files["front"]) == b"first"
