"""A bounded number of seeded schedules per `make test` (FOLIO_SIM_SEEDS, default 80); `make
simulate SEEDS=N` runs as many as asked, `make simulate SEED=S` replays one exactly."""

from __future__ import annotations

import os

import pytest

SEEDS = int(os.environ.get("FOLIO_SIM_SEEDS", "80"))
CHUNKS = 4  # spread over pytest-xdist's workers by module: one World per module


@pytest.fixture(scope="module")
def world():
    from .__main__ import _environment
    from .simulation import World

    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
            mp.delenv(name, raising=False)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"):
            mp.setenv(name, os.environ.get(name, "testing"))
        _environment()
        world = World()
        yield world
        world.close()


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_seeded_schedules_keep_every_guarantee(world, chunk):
    from .simulation import replay_command, run_schedule

    failures, requests = [], 0
    for seed in range(chunk, SEEDS, CHUNKS):
        report = run_schedule(seed, world)
        requests += report.requests
        if not report.ok:
            failures.append(f"seed {seed}: " + "; ".join(report.problems) + f"\n  replay: {replay_command(seed)}")
    assert requests > 0
    assert not failures, "\n".join(failures)


def test_the_oracle_sees_a_half_applied_batch(world):
    """The oracle itself can fail: a batch reported done with one item never written is caught."""
    from folio.core import Caller, DocumentKey
    from folio.storage.batches import BatchTable

    from .simulation import OK, Request, check

    name = world.table_for(-1)
    try:
        import dataclasses

        table = BatchTable(dataclasses.replace(world.cfg, table_name=name))
        keys = {d: DocumentKey("sim", "doc", d) for d in ("d0", "d1")}
        from folio.core import DocumentService

        DocumentService(table).create(keys["d0"], {"w": "r1"}, Caller(tenant="sim", sub="s"))
        request = Request("r1", "a0", "atomic", ["d0", "d1"], outcome=OK, versions={"d0": 1, "d1": 1})
        problems = check([request], [], table, keys, list(keys))
        assert any("half applied" in p for p in problems) and any("answered 2xx" in p for p in problems)
    finally:
        world.drop(name)
