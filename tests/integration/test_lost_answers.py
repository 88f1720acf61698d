"""A write whose answer is lost and that the SDK sends again (a read timeout, a reset connection) is
one version, not two: the resend of a committed transaction fails its conditions, and folio must tell
its own commit from a concurrent writer's rather than apply the edit again (on both engines)."""

from __future__ import annotations

import copy

import boto3

from folio.core import Caller, DocumentKey
from folio.storage.clients import client
from folio.storage.config import settings
from folio.storage.wiring import document_service

ADA = Caller(tenant="acme", sub="ada")


class SentTwice:
    """Before folio's next TransactWriteItems, the same request goes to the engine once already, as a
    first attempt whose answer never came back; botocore then sends it as if retrying."""

    def __init__(self, aws):
        cfg = settings()
        self.side = boto3.client("dynamodb", region_name=cfg.region, endpoint_url=cfg.endpoint_url("dynamodb"))
        self.db = client("dynamodb", cfg)
        self.armed = 0
        self.db.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", self.before)

    def before(self, params, **kwargs):
        if self.armed:
            self.armed -= 1
            self.side.transact_write_items(**copy.deepcopy(params))

    def close(self):
        self.db.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", self.before)


def test_a_commit_sent_again_after_a_lost_answer_is_one_version(aws):
    docs = document_service()
    key = DocumentKey("acme", "lost", str(docs.next_id("acme", "lost")))
    docs.create(key, {"n": 0}, ADA)
    twice = SentTwice(aws)
    try:
        twice.armed = 1
        docs.update(key, lambda doc: {"n": doc.body["n"] + 1}, ADA)
        assert twice.armed == 0  # the first attempt went through
    finally:
        twice.close()
    head = docs.get(key)
    assert (head.version, head.body) == (2, {"n": 1}), "the edit was applied twice"
    docs.update(key, lambda doc: {"n": doc.body["n"] + 1}, ADA)
    assert (docs.get(key).version, docs.get(key).body) == (3, {"n": 2})


def test_a_real_lost_race_is_still_applied_again(aws):
    """Another writer's commit in between is not taken for ours: the edit is applied on top of it."""
    docs = document_service()
    key = DocumentKey("acme", "lost", str(docs.next_id("acme", "lost")))
    docs.create(key, {"n": 0}, ADA)
    cfg = settings()
    db = client("dynamodb", cfg)
    other = {"fired": False}

    def before(params, **kwargs):
        if not other["fired"]:
            other["fired"] = True
            document_service().update(key, lambda doc: {**doc.body, "other": True}, Caller(tenant="acme", sub="bob"))

    db.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", before)
    try:
        docs.update(key, lambda doc: {**doc.body, "n": doc.body["n"] + 1}, ADA)
    finally:
        db.meta.events.unregister("before-parameter-build.dynamodb.TransactWriteItems", before)
    head = docs.get(key)
    assert head.version == 3 and head.body == {"n": 1, "other": True}
