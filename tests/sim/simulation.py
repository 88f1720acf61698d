"""Deterministic simulation of folio's core and atomic batch protocol under AWS's concurrency.

One *schedule* (a seed) draws a small world (a few documents, a few actors, each with one to
three requests; in a third of them also an upload session that actors complete, with or without
a precondition, and abort, all at once), runs the actors interleaved at every AWS call by :class:`Scheduler`, with
transaction conflicts from :class:`AwsConcurrency` (transactions hold their items while in
flight), injected throttles, 500s and spurious conflicts, and actors killed between any two
calls; then an oracle checks what the store and every answer say (see :func:`check`).

The engine is moto in process: it runs one request at a time, which is exactly what the
scheduler lets through; every schedule gets a table of its own.
"""

from __future__ import annotations

import json
import random
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any

from .scheduler import Scheduler, VirtualClock

TENANT = "sim"
KIND = "doc"
#: The document an upload session of a schedule writes (apart from the others: its oracle is its own).
SESSION_DOC = "upl"
BUCKET = "sim-files"
CALLER_CLAIMS = {"tenant": TENANT, "sub": "sim-user"}
OK, CRASHED = 200, "crashed"


@dataclass
class Request:
    rid: str
    actor: str
    kind: str  # atomic | each | update | create
    docs: list[str]
    impossible: bool = False
    #: a precondition's round: (doc, the version whose If-Match/stateToken it sent)
    round: tuple[str, int] | None = None
    outcome: int | str | None = None
    versions: dict[str, int] = field(default_factory=dict)  # doc -> the version a 2xx answered
    item_outcomes: dict[str, int] = field(default_factory=dict)  # commit_each: doc -> status
    error: str | None = None
    early: list[str] = field(default_factory=list)  # answered 2xx before it was applied


@dataclass
class Observation:
    reader: str
    doc: str
    version: int | None
    writer: str | None
    start: int
    end: int


@dataclass
class Report:
    seed: int
    problems: list[str]
    requests: int
    steps: int
    stats: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


class World:
    """moto, one table per schedule, the layer that answers as AWS does, folio's services."""

    def __init__(self):
        import boto3
        from moto import mock_aws

        from folio.storage.clients import client, reset_clients
        from folio.storage.config import settings

        self._mock = mock_aws()
        self._mock.start()
        reset_clients()
        self.cfg = settings()
        self.client = boto3.client("dynamodb", region_name=self.cfg.region)
        from ..support.aws_concurrency import AwsConcurrency

        self.layer = AwsConcurrency().attach(client("dynamodb", self.cfg))
        self.s3 = boto3.client("s3", region_name=self.cfg.region)
        self.s3.create_bucket(Bucket=BUCKET)
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        # botocore's retry quota (500 tokens per client) is state one schedule would hand the next,
        # so a replay could differ; a Lambda's one request never drains it: keep it full
        from botocore.retries import quota

        self._acquire = quota.RetryQuota.acquire
        quota.RetryQuota.acquire = lambda self_, amount: True

    def table_for(self, seed: int) -> str:
        name = f"sim-{seed}-{uuid.uuid4().hex[:8]}"
        self.client.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        return name

    def drop(self, name: str) -> None:
        self.client.delete_table(TableName=name)

    def close(self) -> None:
        from botocore.retries import quota

        quota.RetryQuota.acquire = self._acquire
        self.layer.detach()
        self._mock.stop()


def _status(error: BaseException) -> int:
    from folio.web.problems import PROBLEM_STATUS, classify

    return classify(error, PROBLEM_STATUS)[0]


def run_schedule(seed: int, world: World) -> Report:
    """Draw the world of ``seed``, run it, sweep, and check it."""
    import dataclasses

    from folio.core import batches
    from folio.core import service as core
    from folio.core.batches import BatchItem, BatchService
    from folio.core import Caller, DocumentKey, DocumentService, Precondition
    from folio.core.errors import FolioError
    from folio.storage import table as storage
    from folio.storage.batches import BatchTable
    from folio.storage.documents import DocumentTable

    rng = random.Random(seed)
    clock = VirtualClock()
    table_name = world.table_for(seed)
    cfg = dataclasses.replace(world.cfg, table_name=table_name, bucket_name=BUCKET,
                              parallel_reads=False)  # one thread at a time
    crash_probability = rng.choice([0.0, 0.01, 0.03])
    fault_probability = rng.choice([0.0, 0.02, 0.05])
    scheduler = Scheduler(rng, clock, crash_probability=crash_probability,
                          on_actor_end=lambda actor: world.layer.release(actor.thread.ident))
    fault_rng = random.Random(rng.getrandbits(64))

    def fault(operation: str, body: dict) -> str | None:
        if scheduler.current is None or scheduler.quiet or fault_rng.random() >= fault_probability:
            return None
        kinds = ["throttle", "server-error"]
        if operation in ("TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem"):
            kinds += ["conflict", "lost-answer"]
        return fault_rng.choice(kinds)

    def on_call(phase: str, operation: str) -> None:
        if phase == "after" and rng.random() < 0.5:
            return  # not every call ends in a switch: keeps schedules short
        scheduler.yield_point(f"{phase} {operation}")

    world.layer.on_call, world.layer.fault = on_call, fault
    world.layer.reset()
    id_rng = random.Random(rng.getrandbits(64))
    saved = core.pause, batches.pause, batches.uuid.uuid4, storage.TRANSIENT_ATTEMPTS
    # how often storage resends what AWS did not execute: 1 lets every conflict reach the protocol
    storage.TRANSIENT_ATTEMPTS = rng.choice([1, 2, storage.TRANSIENT_ATTEMPTS])

    def pause(attempt: int) -> None:
        clock.advance(min(1.0, 0.01 * 2 ** attempt))
        scheduler.yield_point("backoff")

    core.pause = batches.pause = pause
    batches.uuid.uuid4 = lambda: uuid.UUID(int=id_rng.getrandbits(128), version=4)
    try:
        return _run(seed, rng, clock, cfg, scheduler, world,
                    BatchItem, BatchService, Caller, DocumentKey, DocumentService, Precondition, FolioError,
                    BatchTable, DocumentTable)
    finally:
        core.pause, batches.pause, batches.uuid.uuid4, storage.TRANSIENT_ATTEMPTS = saved
        world.layer.on_call = world.layer.fault = None
        world.drop(table_name)


def _run(seed, rng, clock, cfg, scheduler, world, BatchItem, BatchService, Caller, DocumentKey,
         DocumentService, Precondition, FolioError, BatchTable, DocumentTable) -> Report:
    caller = Caller(tenant=TENANT, sub="sim-user")
    batch_table = BatchTable(cfg)
    batch_table.max_actions = rng.choice([4, 6, 10, 100])
    batch_table.max_bytes = rng.choice([60_000, batch_table.max_bytes])
    batch_service = BatchService(batch_table, clock=clock, max_attempts=rng.choice([2, 4, 8]), stale_after=60)
    # half the worlds give the document service what artu's S3-upload function has: a way to
    # finish the batch holding a head
    resolve = (lambda txid, key: batch_service.recover(txid, [key])) if rng.random() < 0.5 else None
    doc_service = DocumentService(DocumentTable(cfg), clock=clock, max_attempts=rng.choice([3, 10, 30]),
                                  resolve_lock=resolve)
    ids = [f"d{i}" for i in range(rng.randint(2, 6))]
    keys = {i: DocumentKey(TENANT, KIND, i) for i in ids}

    def pad() -> str:
        roll = rng.random()
        return "x" * (380_000 if roll < 0.02 else rng.randint(5_000, 25_000) if roll < 0.15 else rng.randint(0, 40))

    # a committed start: some documents exist before the actors run (no faults, no interleaving)
    for i in ids:
        if rng.random() < 0.6:
            doc_service.create(keys[i], {"w": "seed", "pad": ""}, caller)

    requests: list[Request] = []
    observations: list[Observation] = []
    counter = {"n": 0}

    def new_request(actor: str, kind: str, docs: list[str], **kwargs) -> Request:
        counter["n"] += 1
        request = Request(f"r{counter['n']}", actor, kind, docs, **kwargs)
        requests.append(request)
        return request

    def batch_items(request: Request, impossible: bool) -> list:
        pads = {d: pad() for d in request.docs}
        if impossible:
            pads[request.docs[-1]] = "x" * 420_000
        return [BatchItem(keys[d], lambda current, d=d: {"w": request.rid, "pad": pads[d]},
                          label={"externalId": d}) for d in request.docs]

    def applied_now(request: Request) -> None:
        """Right when a 2xx is answered, before anyone else runs: the raw heads (no recovery)
        must already hold what it answered, or a later version."""
        scheduler.quiet = True
        try:
            heads = batch_table.get_heads([keys[d] for d in request.versions])
        finally:
            scheduler.quiet = False
        for d, version in request.versions.items():
            head = heads.get(keys[d])
            if head is None or head.version < version:
                request.early.append(f"{d}: answered v{version}, head at {head and head.version}")

    def settle(request: Request, run) -> None:
        try:
            run()
            if request.outcome is None:
                request.outcome = OK
            applied_now(request)
        except FolioError as error:
            request.outcome = _status(error)
            request.error = f"{type(error).__name__}: {error.message}"
        except BaseException as error:
            if type(error).__name__ == "Crash":
                request.outcome = CRASHED
                raise
            request.outcome = 500
            request.error = "".join(traceback.format_exception(error))
            raise

    def atomic_batch(actor: str) -> None:
        docs = rng.sample(ids, rng.randint(1, len(ids)))
        impossible = rng.random() < 0.05
        request = new_request(actor, "atomic", docs, impossible=impossible)
        items = batch_items(request, impossible)

        def run():
            for d, doc in zip(docs, batch_service.commit_atomic(items, caller)):
                request.versions[d] = doc.version
        settle(request, run)

    def each_batch(actor: str) -> None:
        docs = rng.sample(ids, rng.randint(1, len(ids)))
        request = new_request(actor, "each", docs)
        items = batch_items(request, False)

        def run():
            for d, result in zip(docs, batch_service.commit_each(items, caller)):
                if isinstance(result, FolioError):
                    request.item_outcomes[d] = _status(result)
                else:
                    request.item_outcomes[d] = OK
                    request.versions[d] = result.version
        settle(request, run)

    def writer(actor: str) -> None:
        d = rng.choice(ids)
        style = rng.choice(["none", "if-match", "state-token"])
        current = batch_service.read(keys[d]) if style != "none" else None
        body_pad = pad()
        if style != "none" and current is None:
            request = new_request(actor, "create", [d])

            def run():
                created = doc_service.create(keys[d], {"w": request.rid, "pad": body_pad}, caller,
                                             Precondition(if_none_match_any=True))
                request.versions[d] = created.version
            settle(request, run)
            return
        precondition = Precondition()
        if style == "if-match":
            precondition = Precondition(if_match=(current.etag,))
        elif style == "state-token":
            precondition = Precondition(state_token=current.state_token)
        request = new_request(actor, "update", [d], round=(d, current.version) if current else None)

        def run():
            updated = doc_service.update(keys[d], lambda c: {**c.body, "w": request.rid, "pad": body_pad},
                                         caller, precondition)
            request.versions[d] = updated.version
        settle(request, run)

    def reader(actor: str) -> None:
        for d in rng.sample(ids, rng.randint(1, len(ids))):
            start = scheduler.step
            doc = batch_service.read(keys[d])
            observations.append(Observation(actor, d, doc.version if doc else None,
                                            doc.body.get("w") if doc else None, start, scheduler.step))

    def sweeper(actor: str) -> None:
        batch_service.sweep()

    kinds = [(atomic_batch, 4), (each_batch, 1), (writer, 3), (reader, 2), (sweeper, 1)]
    session = UploadWorld(seed, rng, cfg, clock, caller, doc_service, world.s3) if rng.random() < 0.35 else None
    if session is not None:
        keys[SESSION_DOC] = session.key

        def completer(actor: str) -> None:
            request = new_request(actor, "complete", [SESSION_DOC])
            if_match = rng.random() < 0.4
            settle(request, lambda: request.versions.update({SESSION_DOC: session.complete(request.rid, if_match)}))

        def aborter(actor: str) -> None:
            settle(new_request(actor, "abort", [SESSION_DOC]), session.abort)

        kinds += [(completer, 3), (aborter, 2)]
    for n in range(rng.randint(3, 7)):
        program = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds], k=rng.randint(1, 3))
        name = f"a{n}"

        def body(program=program, name=name):
            for step in program:
                step(name)
        scheduler.spawn(name, body, can_crash=True)
    scheduler.run()

    problems = [f"actor {a.name} raised {''.join(traceback.format_exception(a.error))}"
                for a in scheduler.actors if a.error is not None and not isinstance(a.error, FolioError)]
    # the writers are gone: a sweep well after every function's timeout finishes what they left
    clock.advance(600)
    try:
        batch_service.sweep()
    except Exception as error:  # noqa: BLE001 - reported
        problems.append(f"the final sweep failed: {error!r}")
    problems += check(requests, observations, batch_table, keys, ids)
    if session is not None:
        problems += session.check([r for r in requests if r.kind in ("complete", "abort")])
    return Report(seed, problems, len(requests), scheduler.step, dict(world.layer.stats))


class UploadWorld:
    """One upload session of one file (its one part already in S3, as a client leaves it) for the
    document SESSION_DOC at version 1, completed and aborted by the actors at once."""

    def __init__(self, seed, rng, cfg, clock, caller, doc_service, s3):
        from folio.core import DocumentKey
        from folio.core.uploads import Part, UploadService, UploadTarget
        from folio.storage.uploads import MultipartStore, UploadTable

        from ..support.uploads import crc64nvme_b64

        self.key = DocumentKey(TENANT, "upl", f"s{seed}-{uuid.uuid4().hex[:8]}")
        self.caller, self.documents, self.s3 = caller, doc_service, s3
        doc_service.create(self.key, {"w": "seed"}, caller)
        self.uploads = UploadService(UploadTable(cfg), MultipartStore(cfg), clock, doc_service.holding,
                                     doc_service.abandon)
        data = f"the file of schedule {seed}".encode()
        self.checksum = crc64nvme_b64(data)
        started, _ = self.uploads.start(UploadTarget(self.key, "file", "sim", metadata={"fields": {"n": seed}}),
                                        caller, file_name="f.txt", content_type="text/plain", size=len(data),
                                        max_bytes=1 << 20, part_checksums=[self.checksum])
        self.upload_id, self.object_key = started.upload_id, started.object_key
        sent = s3.upload_part(Bucket=BUCKET, Key=started.object_key, UploadId=started.multipart_id, PartNumber=1,
                              Body=data, ChecksumAlgorithm="CRC64NVME", ChecksumCRC64NVME=self.checksum)
        self.parts = [Part(1, sent["ETag"])]

    def _session(self):
        return self.uploads.table.get_session(TENANT, self.upload_id)

    def complete(self, rid: str, if_match: bool) -> int:
        """A completion as a dialect's: the file and a body naming the request, with If-Match "1" or none."""
        from folio.core import Edit, Precondition

        precondition = Precondition(if_match=('"1"',)) if if_match else Precondition()

        def commit(ref):
            edit = Edit(lambda c: {**c.body, "w": rid}, new_files={"file": ref},
                        already_applied=lambda d: d.files.get("file") == ref)
            return self.documents.update(self.key, edit, self.caller, precondition)

        return self.uploads.complete(self._session(), self.parts, self.checksum, commit,
                                     lambda version: self.documents.get_version(self.key, version)).version

    def abort(self) -> None:
        self.uploads.abort(self._session())

    def check(self, requests: list[Request]) -> list[str]:
        """Exactly one of abort and commit wins; a 2xx completion names the one version that attached
        the file; a 204 abort leaves no version attaching it and no object; the document never names
        an object that is not there; and a retry after everything answers that version, or 4xx."""
        from folio.core.errors import FolioError

        problems = [f"{r.rid} ({r.kind}) answered {r.outcome}: {r.error}" for r in requests
                    if r.outcome == 500 or (isinstance(r.outcome, int) and r.outcome >= 500 and r.outcome != 503)]
        try:  # everyone is gone: a retry long after every claim lapsed
            final, final_error = self.complete("final", False), None
        except FolioError as error:
            final, final_error = None, error
        except Exception as error:  # noqa: BLE001 - reported
            return problems + [f"the final retry raised {error!r}"]
        history = self.documents.history(self.key)
        attaching = [d.version for before, d in zip([None, *history], history)
                     if d.files.get("file") and d.files["file"].key == self.object_key
                     and (before is None or before.files.get("file") != d.files["file"])]
        if len(attaching) > 1:
            problems.append(f"the session's file was committed {len(attaching)} times: versions {attaching}")
        attached = attaching[0] if attaching else None
        aborted = [r.rid for r in requests if r.kind == "abort" and r.outcome == OK]
        completed = {r.rid: r.versions.get(SESSION_DOC) for r in requests if r.kind == "complete" and r.outcome == OK}
        if aborted and (completed or attached):
            problems.append(f"abort {aborted} answered 204 but the file was committed (v{attached}, {completed})")
        for rid, version in completed.items():
            if version != attached:
                problems.append(f"{rid} answered v{version}, the file was attached by v{attached}")
        if attached is not None and final != attached:
            problems.append(f"a retry answered {final or final_error!r}, not the committed v{attached}")
        state = self._session().state
        if attached is None and final is None and not isinstance(final_error, FolioError):
            problems.append(f"a retry of a session never committed answered {final_error!r}")
        objects = {v["VersionId"] for v in self.s3.list_object_versions(Bucket=BUCKET, Prefix=self.object_key)
                   .get("Versions", []) if v["Key"] == self.object_key}
        for doc in history:
            ref = doc.files.get("file")
            if ref is not None and ref.version_id not in objects:
                problems.append(f"v{doc.version} names object version {ref.version_id}, which S3 does not hold")
        if aborted and objects:
            problems.append(f"abort {aborted} answered 204 but S3 still holds {sorted(objects)}")
        if state == "ABORTED" and attached is not None:
            problems.append(f"the session reads ABORTED but v{attached} committed its file")
        return problems


def check(requests: list[Request], observations: list[Observation], table, keys, ids) -> list[str]:
    """The oracle (issue 11): what every answer claimed against what the store holds."""
    problems: list[str] = []
    history: dict[str, dict[int, str]] = {}
    for d in ids:
        versions = {v: json.loads(record)["body"].get("w") for v, record in table.history(keys[d])}
        history[d] = versions
        numbers = sorted(versions)
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{d}: versions are not contiguous: {numbers}")
        head = table.get_heads([keys[d]]).get(keys[d])
        if numbers and (head is None or head.version != numbers[-1]):
            problems.append(f"{d}: head at {head and head.version}, history ends at {numbers[-1]}")
        elif head is not None and head.record is not None and numbers \
                and json.loads(head.record)["body"].get("w") != versions[numbers[-1]]:
            problems.append(f"{d}: head and last history item differ")
    applied: dict[str, dict[str, int]] = {}
    for d, versions in history.items():
        for v, w in versions.items():
            applied.setdefault(w, {})[d] = v

    requests = [r for r in requests if r.kind not in ("complete", "abort")]  # UploadWorld.check's
    for r in requests:
        mine = applied.get(r.rid, {})
        if r.early:
            problems.append(f"{r.rid} ({r.kind}) answered 2xx before it was applied: {r.early}")
        if r.outcome == 500 or (isinstance(r.outcome, int) and r.outcome >= 500 and r.outcome != 503):
            problems.append(f"{r.rid} ({r.kind}) answered {r.outcome}: {r.error}")
        if r.impossible and r.outcome not in (413, CRASHED):
            problems.append(f"{r.rid} can never succeed but answered {r.outcome} ({r.error})")
        if r.kind == "each":
            for d, status in r.item_outcomes.items():
                if status == OK and mine.get(d) != r.versions.get(d):
                    problems.append(f"{r.rid} item {d} answered version {r.versions.get(d)}, store has {mine.get(d)}")
                if isinstance(status, int) and 400 <= status < 500 and d in mine:
                    problems.append(f"{r.rid} item {d} answered {status} but was applied")
            continue
        if r.outcome == OK:
            for d in r.docs:
                if mine.get(d) != r.versions.get(d):
                    problems.append(f"{r.rid} ({r.kind}) answered 2xx with {d} v{r.versions.get(d)}, "
                                    f"store has {mine.get(d)}")
        elif isinstance(r.outcome, int) and 400 <= r.outcome < 500 and mine:
            problems.append(f"{r.rid} ({r.kind}) answered {r.outcome} ({r.error}) but is applied: {mine}")
        if r.kind == "atomic" and mine and set(mine) != set(r.docs):
            problems.append(f"{r.rid} atomic batch half applied: {sorted(mine)} of {sorted(r.docs)} ({r.outcome})")

    for r in requests:  # a precondition lost (412) or a lost race (409) only if something changed
        if r.round is not None and r.outcome in (409, 412) and max(history[r.round[0]], default=0) <= r.round[1]:
            problems.append(f"{r.rid} answered {r.outcome} ({r.error}) but {r.round[0]} never moved past "
                            f"v{r.round[1]}")

    rounds: dict[tuple[str, int], list[str]] = {}
    for r in requests:
        if r.round is not None and r.outcome == OK:
            rounds.setdefault(r.round, []).append(r.rid)
    for round_, winners in rounds.items():
        if len(winners) > 1:
            problems.append(f"precondition round {round_} has {len(winners)} winners: {winners}")

    for o in observations:
        if o.version is not None and history[o.doc].get(o.version) != o.writer:
            problems.append(f"{o.reader} read {o.doc} v{o.version} by {o.writer}, which is not committed history")
    for r in requests:
        mine = applied.get(r.rid, {})
        if r.kind != "atomic" or not mine:
            continue
        seen = [o.end for o in observations if o.doc in mine and o.version is not None and o.version >= mine[o.doc]]
        if not seen:
            continue
        visible_from = min(seen)
        for o in observations:
            if o.doc in mine and o.start > visible_from and (o.version or 0) < mine[o.doc]:
                problems.append(f"{o.reader} read {o.doc} v{o.version} at step {o.start}, after batch {r.rid} "
                                f"was visible (step {visible_from}) with {o.doc} v{mine[o.doc]}: a fractured read")

    leftovers = []
    for page in table._db.get_paginator("scan").paginate(TableName=table._name):
        for item in page["Items"]:
            pk, sk = item["pk"]["S"], item["sk"]["S"]
            if "txlock" in item or sk.startswith("PENDING#") or pk == "folio#batch-intents" \
                    or (sk == "HEAD" and "record" not in item):
                leftovers.append(f"{pk}/{sk}")
    if leftovers:
        problems.append(f"after the sweep, left behind: {leftovers}")
    return problems


def replay_command(seed: int) -> str:
    return f"make simulate SEED={seed}"
