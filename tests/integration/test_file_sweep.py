"""The sweeper of unreferenced file versions, on moto's S3 and each DynamoDB engine: what no version
of a document references goes once older than the grace; everything else stays."""

import importlib.util
import json
from datetime import UTC, datetime, timedelta

import pytest

from folio.core import Caller, DocumentKey, Edit, FileRef, NewFile
from folio.core.file_sweep import STOP_MARGIN_SECONDS, FileSweeper, document_of_file_key
from folio.core.uploads import SESSION_SECONDS

from ..conftest import ROOT

CALLER = Caller(tenant="acme", sub="u1", name="Ada")
GRACE = timedelta(hours=72)


@pytest.fixture
def world(aws):
    """The services over the test's table and bucket, and a raw S3 client to leave orphans with."""
    from folio.storage.wiring import batch_service, document_service, file_store

    return {"documents": document_service(), "batches": batch_service(), "files": file_store(), **aws}


def sweeper(*, hours_from_now: float, aliases=(), objects=None):
    """The sweeper as the function builds it (its checkpoint too), its clock ``hours_from_now`` ahead
    of the objects' time; ``objects``: another listing of the bucket (see :func:`recorded_listing`)."""
    from folio.storage.object_versions import DocumentRecords, ObjectVersions, SweepCheckpoints

    now = datetime.now(UTC) + timedelta(hours=hours_from_now)
    return FileSweeper(objects or ObjectVersions(), DocumentRecords(), grace=GRACE, aliases=aliases,
                       checkpoints=SweepCheckpoints(), clock=lambda: now)


def recorded_listing():
    """The bucket's listing, recording where each listing started (``starts``) and every key it gave."""
    from folio.storage.object_versions import ObjectVersions

    class Recorded(ObjectVersions):
        starts: list[str | None] = []
        keys: list[str] = []

        def versions(self, after_key=None):
            self.starts.append(after_key)
            for version in super().versions(after_key):
                self.keys.append(version.key)
                yield version

    listing = Recorded()
    listing.starts, listing.keys = [], []
    return listing


def checkpoint():
    """The file sweep's checkpoint, as the table holds it."""
    from folio.storage.object_versions import SweepCheckpoints

    return SweepCheckpoints().read()


def budget(versions: int):
    """A ``time_left`` with room for ``versions`` object versions, then under the stop margin."""
    left = iter([999] * versions + [STOP_MARGIN_SECONDS - 1] * 1000)
    return lambda: next(left)


def documents_with_strays(world, count: int = 5) -> list[DocumentKey]:
    """crm documents 1..count, each file key holding its referenced version and a newer stray one."""
    keys = [DocumentKey("acme", "crm-document", str(n)) for n in range(1, count + 1)]
    for key in keys:
        world["documents"].create(key, {}, CALLER, new_files={"content": NewFile(b"kept", "text/plain")})
        orphan(world, key.file_key("content"))
    return keys


def orphan(world, key: str, data: bytes = b"orphan") -> str:
    """An object version no document points at (a write whose commit failed, say): its version id."""
    return world["s3"].put_object(Bucket=world["bucket"], Key=key, Body=data)["VersionId"]


def versions_in_bucket(world) -> set[tuple[str, str]]:
    out = world["s3"].list_object_versions(Bucket=world["bucket"])
    return {(v["Key"], v["VersionId"]) for v in out.get("Versions", []) + out.get("DeleteMarkers", [])}


def referenced(doc) -> set[tuple[str, str]]:
    return {(ref.key, ref.version_id) for ref in doc.files.values()}


def test_only_old_unreferenced_versions_go(world):
    documents = world["documents"]
    key = DocumentKey.of("acme", "kyc-document", "retail", "doc-1")  # an id of two parts
    doc = documents.create(key, {"n": 0}, CALLER, new_files={"front": NewFile(b"front v1", "image/png")})
    stray_same_key = orphan(world, key.file_key("front"))
    stray_other_slot = orphan(world, key.file_key("back"))
    stray_no_document = orphan(world, DocumentKey("acme", "crm-document", "404").file_key("content"))
    idempotency = orphan(world, "~idempotency/some-function/answer")
    unnamed = orphan(world, "loose.txt")
    before = versions_in_bucket(world)

    young = sweeper(hours_from_now=1).sweep()
    assert young.removed == [] and young.young == len(before) - 1  # ~idempotency/ is not even listed
    assert versions_in_bucket(world) == before

    report = sweeper(hours_from_now=73).sweep()
    gone = {(key.file_key("front"), stray_same_key), (key.file_key("back"), stray_other_slot),
            (DocumentKey("acme", "crm-document", "404").file_key("content"), stray_no_document)}
    assert set(report.removed) == gone
    assert versions_in_bucket(world) == before - gone
    assert referenced(doc) <= versions_in_bucket(world)
    assert ("~idempotency/some-function/answer", idempotency) in versions_in_bucket(world)
    assert ("loose.txt", unnamed) in versions_in_bucket(world) and report.unnamed == 1
    assert report.referenced == 1 and report.resume_after is None
    assert documents.read_file(doc.files["front"]) == b"front v1"

    again = sweeper(hours_from_now=73).sweep()
    assert again.removed == [] and again.failed == 0


def test_every_referenced_version_of_a_long_history_stays(world):
    documents = world["documents"]
    key = DocumentKey.of("acme", "dms-document", "client-1", "project-1", "doc-1")
    docs = [documents.create(key, {"v": 1}, CALLER, new_files={"file": NewFile(b"v1", "text/plain")})]
    strays = []
    for n in range(2, 9):
        docs.append(documents.update(key, Edit(lambda d, n=n: {"v": n},
                                               new_files={"file": NewFile(f"v{n}".encode(), "text/plain")}), CALLER))
        if n % 3 == 0:
            strays.append((key.file_key("file"), orphan(world, key.file_key("file"), b"lost")))
    kept = set().union(*(referenced(doc) for doc in docs))
    assert len(kept) == 8

    report = sweeper(hours_from_now=100).sweep()

    assert sorted(report.removed) == sorted(strays)
    assert versions_in_bucket(world) == kept
    assert report.documents_read == 1  # one history read for all of the document's versions
    for doc in docs:
        assert documents.read_file(doc.files["file"]) == f"v{doc.body['v']}".encode()


def test_a_version_a_pending_batch_holds_stays(world):
    """A locked head's pending record is read with the history: a file it names is not removed."""
    from folio.core import Document
    from folio.core.ports import VersionWrite
    from folio.storage.batches import BatchTable

    documents = world["documents"]
    key = DocumentKey("acme", "capture-attachment", "att-1")
    doc = documents.create(key, {"n": 1}, CALLER, new_files={"content": NewFile(b"one", "text/plain")})
    stored = world["files"].put(key.file_key("content"), b"two", "text/plain")
    pending = Document(key, 2, {"n": 2}, {"content": FileRef(stored.key, stored.version_id, stored.size,
                                                              stored.sha256, stored.content_type)},
                       doc.created_at, doc.updated_at, doc.created_by, doc.updated_by)
    table, write = BatchTable(), VersionWrite(key, 2, pending.to_record())
    table.put_intent("tx-1", [write], started=int(datetime.now(UTC).timestamp()))
    table.lock("tx-1", [write])
    stray = orphan(world, key.file_key("content"))

    report = sweeper(hours_from_now=100).sweep()

    assert report.removed == [(key.file_key("content"), stray)]
    assert (stored.key, stored.version_id) in versions_in_bucket(world)


def test_an_artu_upload_is_found_through_its_documents_id(world):
    """artu's upload key names the document by id (an alias): its recorded file stays, a stray goes."""
    from folio.core.batches import BatchItem
    from folio.dialects.artu.mapping import alias, document_key, item_change, upload_key

    spec = importlib.util.spec_from_file_location("sweep_files_app", ROOT / "functions/sweep_files/app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)

    key, new_id = document_key("acme", "test", "3c90c3cc-0d44-4b50-8888-8dd25736052a", "ext-1"), "doc-uuid-1"
    world["batches"].commit_atomic([BatchItem(key, item_change({"clientId": "c", "externalId": "ext-1"}, new_id),
                                              alias=alias("acme", "test", new_id))], CALLER)
    upload = upload_key("acme", "test", new_id)
    stored = world["files"].put(upload, b"%PDF-1.7", "application/pdf")
    ref = FileRef(stored.key, stored.version_id, stored.size, stored.sha256, stored.content_type)
    world["documents"].update(key, Edit(lambda d: {**d.body, "status": "uploaded"}, attach_files={"file": ref}), CALLER)
    stray = orphan(world, upload)

    assert document_of_file_key(upload) != key  # the path alone names no document that has it
    report = sweeper(hours_from_now=100, aliases=[app.artu_upload_alias]).sweep()
    assert report.removed == [(upload, stray)]
    assert (upload, stored.version_id) in versions_in_bucket(world)


def test_delete_markers_stay(world):
    key = DocumentKey("acme", "crm-document", "7").file_key("content")
    orphan(world, key)
    marker = world["s3"].delete_object(Bucket=world["bucket"], Key=key)["VersionId"]

    report = sweeper(hours_from_now=100).sweep()

    assert report.delete_markers == 1 and len(report.removed) == 1
    assert versions_in_bucket(world) == {(key, marker)}


def test_a_run_short_of_time_stops_cleanly_and_the_next_continues(world):
    """Each key holds a referenced version and a newer stray one; the first run has time for five
    versions, so it stops within the third key, and a run given its resume_after finishes the rest."""
    keys = documents_with_strays(world)

    first = sweeper(hours_from_now=100).sweep(time_left=budget(5))

    assert len(first.removed) == 3 and first.listed == 5
    assert first.resume_after == keys[1].file_key("content")  # the last key it finished
    rest = sweeper(hours_from_now=100).sweep(after_key=first.resume_after)
    assert len(rest.removed) == 2 and rest.resume_after is None
    assert {key for key, _ in versions_in_bucket(world)} == {key.file_key("content") for key in keys}
    assert len(versions_in_bucket(world)) == len(keys)


def test_a_scheduled_run_continues_at_the_checkpoint_and_the_pass_after_starts_at_the_top(world):
    """The first run's time runs out within the third key: its checkpoint names the second; the next
    run (no key given) lists only what follows it and completes the pass; the run after that starts
    pass 2 from the top."""
    keys = documents_with_strays(world)
    files = [key.file_key("content") for key in keys]
    assert checkpoint() is None

    first = sweeper(hours_from_now=100).run(time_left=budget(5))

    assert (first.started_after, first.pass_number, first.checkpoint_saved) == (None, 1, True)
    assert first.listed == 5 and len(first.removed) == 3 and first.resume_after == files[1]
    one = checkpoint()
    assert (one.run, one.pass_number, one.resume_after, one.complete, one.pass_completed) == (1, 1, files[1], False, None)
    assert (one.runs, one.listed, one.removed, one.failed) == (1, 5, 3, 0)

    listing = recorded_listing()
    second = sweeper(hours_from_now=100, objects=listing).run()

    assert listing.starts == [files[1]] and all(key > files[1] for key in listing.keys)  # nothing listed again
    # the third key again (its referenced version: the first run removed its stray), then the rest
    assert listing.keys == [files[2]] + [files[3]] * 2 + [files[4]] * 2
    assert (second.started_after, second.pass_number, second.checkpoint_saved) == (files[1], 1, True)
    assert second.listed == 5 and len(second.removed) == 2 and second.resume_after is None
    assert len(versions_in_bucket(world)) == len(keys)  # every stray gone, every referenced version kept
    two = checkpoint()
    assert (two.run, two.pass_number, two.resume_after, two.complete) == (2, 1, None, True)
    assert two.pass_started == one.pass_started and two.pass_completed == two.updated
    assert (two.runs, two.listed, two.removed, two.failed) == (2, 10, 5, 0)

    listing = recorded_listing()
    third = sweeper(hours_from_now=100, objects=listing).run()

    assert listing.starts == [None] and listing.keys == files  # a new pass, from the top
    assert (third.started_after, third.pass_number, third.checkpoint_saved) == (None, 2, True)
    assert third.listed == 5 and third.referenced == 5 and third.removed == [] and third.resume_after is None
    three = checkpoint()
    assert (three.run, three.pass_number, three.complete, three.runs, three.listed) == (3, 2, True, 1, 5)
    assert three.pass_started > two.pass_started


def test_a_run_that_finishes_no_key_keeps_its_pass(world):
    """A run out of time at its first version records a pass under way from the top (``""``): the
    next run continues that pass, not a new one."""
    keys = documents_with_strays(world, 2)

    first = sweeper(hours_from_now=100).run(time_left=budget(0))

    assert first.listed == 0 and first.resume_after == "" and first.checkpoint_saved
    assert (checkpoint().resume_after, checkpoint().pass_number) == ("", 1)
    second = sweeper(hours_from_now=100).run()
    assert (second.started_after, second.pass_number, second.listed, len(second.removed)) == ("", 1, 4, 2)
    assert checkpoint().complete and checkpoint().runs == 2 and len(versions_in_bucket(world)) == len(keys)


def test_of_two_runs_that_read_the_same_checkpoint_only_one_moves_it(world):
    """Run A reads the checkpoint; run B reads the same one, completes the pass and records it; A then
    runs out of time and its write, conditional on the checkpoint it read, changes nothing."""
    keys = documents_with_strays(world)
    files = [key.file_key("content") for key in keys]
    sweeper(hours_from_now=100).run(time_left=budget(5))
    read = checkpoint()
    overlapping = {}

    def a_time_left():
        if "b" not in overlapping:  # A has read the checkpoint and listed its first version
            overlapping["b"] = sweeper(hours_from_now=100).run()
        return STOP_MARGIN_SECONDS - 1

    a = sweeper(hours_from_now=100).run(time_left=a_time_left)
    b = overlapping["b"]

    assert b.started_after == a.started_after == read.resume_after == files[1]
    assert b.checkpoint_saved is True and b.resume_after is None and len(b.removed) == 2
    assert a.checkpoint_saved is False and a.resume_after == files[1] and a.removed == []
    stored = checkpoint()
    assert (stored.run, stored.pass_number, stored.complete, stored.runs, stored.removed) == (2, 1, True, 2, 5)
    assert stored.updated > read.updated
    assert len(versions_in_bucket(world)) == len(keys)


def test_a_resume_after_in_the_event_wins_over_the_checkpoint(world, template):
    """An operator's invocation with a key starts after it, and records where it stopped as any run does."""
    from folio.local.runtime import FunctionRuntime

    keys = documents_with_strays(world)
    files = [key.file_key("content") for key in keys]
    sweeper(hours_from_now=100).run(time_left=budget(5))
    assert checkpoint().resume_after == files[1]
    event = json.loads((ROOT / "events/sweep_files.json").read_text())
    event["detail"] = {"resumeAfter": files[3]}

    answer = FunctionRuntime(template).invoke("SweepFilesFunction", event)

    assert answer["startedAfter"] == files[3] and answer["listed"] == 2 and answer["young"] == 2, answer
    assert answer["complete"] is True and answer["pass"] == 1 and answer["checkpointSaved"] is True, answer
    assert checkpoint().complete and checkpoint().run == 2


def test_the_grace_must_outlive_an_upload_session(world):
    from folio.storage.object_versions import DocumentRecords, ObjectVersions

    with pytest.raises(ValueError, match="upload session"):
        FileSweeper(ObjectVersions(), DocumentRecords(), grace=timedelta(seconds=SESSION_SECONDS))


@pytest.mark.parametrize("file_key, document", [
    ("acme/kyc-document/retail/doc-1/front", DocumentKey("acme", "kyc-document", "retail/doc-1")),
    ("acme/crm-document/7/content", DocumentKey("acme", "crm-document", "7")),
    ("acme/crm-document/content", None), ("acme//7/content", None), ("~idempotency/x", None), ("loose.txt", None),
])
def test_a_file_key_names_its_document(file_key, document):
    assert document_of_file_key(file_key) == document
    if document is not None:
        assert document.file_key(file_key.rsplit("/", 1)[1]) == file_key


def test_the_scheduled_function_sweeps_with_the_templates_grace(world, template):
    from folio.local.runtime import FunctionRuntime

    orphan(world, DocumentKey("acme", "crm-document", "9").file_key("content"))
    event = json.loads((ROOT / "events/sweep_files.json").read_text())

    answer = FunctionRuntime(template).invoke("SweepFilesFunction", event)

    assert answer["complete"] is True and answer["young"] == 1 and answer["removed"] == 0, answer
    assert answer["startedAfter"] is None and answer["pass"] == 1 and answer["checkpointSaved"] is True, answer
    assert checkpoint().complete


#: The IAM action of each AWS operation the sweeper calls (ListObjectVersions is authorized as
#: s3:ListBucketVersions; a DeleteObject naming a version as s3:DeleteObjectVersion).
IAM_ACTIONS = {"ListObjectVersions": "s3:ListBucketVersions", "DeleteObject": "s3:DeleteObjectVersion",
               "Query": "dynamodb:Query", "GetItem": "dynamodb:GetItem", "PutItem": "dynamodb:PutItem"}


def test_the_function_is_granted_exactly_what_a_sweep_calls(world, template):
    """Every path a scheduled run takes (its checkpoint, a removal, a referenced file, an artu alias):
    each call is granted, and nothing is granted that no call needs."""
    from folio.storage.clients import client
    from folio.storage.config import settings

    spec = importlib.util.spec_from_file_location("sweep_files_app", ROOT / "functions/sweep_files/app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    key = DocumentKey("acme", "crm-document", "1")
    world["documents"].create(key, {}, CALLER, new_files={"content": NewFile(b"kept", "text/plain")})
    orphan(world, key.file_key("content"))
    orphan(world, "acme/artu-test/doc-uuid-1/artu-upload")
    called: set[str] = set()

    def record(model, params, **kwargs):
        called.add(IAM_ACTIONS.get(model.name, model.name))

    clients = [client("dynamodb", settings()), client("s3", settings())]
    for aws_client in clients:
        aws_client.meta.events.register("before-parameter-build", record)
    try:
        report = sweeper(hours_from_now=100, aliases=[app.artu_upload_alias]).run()
    finally:
        for aws_client in clients:
            aws_client.meta.events.unregister("before-parameter-build", record)

    assert len(report.removed) == 2
    statements = template.resources["SweepFilesFunction"]["Properties"]["Policies"][0]["Statement"]
    assert {action for s in statements for action in s["Action"]} == called
