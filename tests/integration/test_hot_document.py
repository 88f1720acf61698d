"""One document many clients write at once, under what AWS answers (transaction conflicts, about
one transaction in six cancelled by work outside the test: tests/support/aws_concurrency.py), with
real threads and real backoff: a write without a precondition ("apply this whatever comes first")
always lands, and a stateToken race has one winner and no 5xx (issue 27, item 9)."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from folio.core import Caller, DocumentKey, Edit, Precondition
from folio.core import service as core
from folio.core.errors import EditConflict, FolioError, PreconditionFailed

from ..support.aws_concurrency import AwsConcurrency

CALLER = Caller(tenant="acme", sub="u1", name="Ada")
WRITERS, PATCHES = 8, 15


@pytest.fixture
def conflicting(aws):
    """The AWS layer on folio's own DynamoDB client: held items conflict, and one transaction in
    six (chosen at random) is cancelled by a conflict from outside."""
    from folio.storage.clients import client
    from folio.storage.config import settings

    rng, lock = random.Random(27), threading.Lock()

    def fault(operation, _body):
        with lock:
            return "conflict" if operation == "TransactWriteItems" and rng.random() < 1 / 6 else None

    layer = AwsConcurrency(fault=fault).attach(client("dynamodb", settings()))
    with core.retry_budget.until(29):  # as the handler gives every invocation (web/resolver.py)
        yield layer
    layer.detach()


def run_all(jobs):
    """Each job on a thread of its own, all started together; each one's result or error."""
    start = threading.Barrier(len(jobs))

    def run(job):
        start.wait()
        try:
            return job()
        except FolioError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_unconditioned_patches_of_one_crm_document_all_land(aws, conflicting):
    from folio.dialects.crm.mapping import DocumentPatch, content_mark, stored_body
    from folio.storage.wiring import document_service

    documents = document_service()
    key = DocumentKey("acme", "crm", "1")
    documents.create(key, stored_body({"Header": "hot", "CustomFields": {}}), CALLER)

    def writer(w):
        def write():
            answers = []
            for p in range(PATCHES):
                patch = DocumentPatch([{"op": "add", "path": f"/CustomFields/w{w}p{p}", "value": f"{w}.{p}"}])
                try:
                    answers.append(document_service().update(key, Edit(patch.apply, mark=content_mark), CALLER))
                except FolioError as error:
                    answers.append(error)
            return answers
        return write

    answers = [a for per_writer in run_all([writer(w) for w in range(WRITERS)]) for a in per_writer]
    failed = [f"{type(a).__name__}: {a}" for a in answers if isinstance(a, Exception)]
    assert not failed, f"{len(failed)} of {len(answers)} failed: {failed[:3]}"
    final = documents.get(key)
    assert final.version == 1 + WRITERS * PATCHES
    assert final.body["CustomFields"] == {f"w{w}p{p}": f"{w}.{p}" for w in range(WRITERS) for p in range(PATCHES)}
    assert conflicting.stats["conflict"] > 0  # the layer did cancel transactions


def test_a_state_token_race_has_one_winner_and_no_5xx(aws, conflicting):
    """Rounds of eight updates of one attachment with the same stateToken: exactly one commits,
    every other one is told its token is stale (412) or it lost the race (409), never 503."""
    from folio.storage.wiring import document_service

    documents = document_service()
    key = DocumentKey("acme", "capture-attachment", "a1")
    doc = documents.create(key, {"title": "t0"}, CALLER)
    for round_ in range(6):
        token = doc.state_token

        def update(w, token=token):
            return lambda: document_service().update(
                key, Edit(lambda current, w=w: {**current.body, "title": f"r{round_}w{w}"}, always_new_version=True),
                CALLER, Precondition(state_token=token))

        answers = run_all([update(w) for w in range(WRITERS)])
        won = [a for a in answers if not isinstance(a, Exception)]
        lost = [a for a in answers if isinstance(a, Exception)]
        assert len(won) == 1, answers
        assert all(isinstance(a, (EditConflict, PreconditionFailed)) for a in lost), lost
        doc = documents.get(key)
        assert doc.version == round_ + 2 and doc.body == won[0].body


def test_every_invocation_has_the_budget_of_its_remaining_time(monkeypatch):
    """The entry point gives the invocation its context's remaining time, less the answer's reserve,
    and takes it back after the answer (a sweeper, a script: the counts bound them)."""
    import time

    from folio.local.events import LambdaContext
    from folio.web.resolver import http_api, lambda_entrypoint

    app = http_api(lambda _app: None)
    seen = {}

    @app.get("/budget")
    def budget():
        seen["left"] = core.retry_budget.deadline - time.monotonic()
        return {"ok": True}

    from folio.local.events import build_event

    event = build_event(method="GET", raw_path="/budget", route_key="GET /budget", path_parameters=None,
                        raw_query="", headers={}, body=b"", claims={"tenant": "acme", "sub": "u"}, scopes=None)
    answer = lambda_entrypoint(app)(event, LambdaContext("BudgetFunction", timeout_s=12))
    assert answer["statusCode"] == 200
    assert 12 - core.ANSWER_RESERVE_SECONDS - 1 < seen["left"] <= 12 - core.ANSWER_RESERVE_SECONDS
    assert core.retry_budget.deadline is None
    assert core.retry_budget.allows(5, 6) and not core.retry_budget.allows(6, 6)
