"""SnapStart (issue 28, item 2): init of a snapshot environment primes what every restored copy may
share and takes nothing unique; two environments restored from one primed state (two forks of one
process, after the after-restore hook) never hand out the same id, even when the primed state held
a block of ids (the hook drops it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from ..conftest import ROOT

SCRIPT = textwrap.dedent('''
    import importlib.util, json, os, socket, sys
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1")
    from folio.local.aws import create_resources
    from folio.local.template import Template
    from folio.storage.clients import admin_client
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    created = create_resources(Template(sys.argv[1]), admin_client("dynamodb", endpoint, "us-east-1"),
                               admin_client("s3", endpoint, "us-east-1"))
    os.environ.update(TABLE_NAME=created["DocumentsTable"], BUCKET_NAME=created["FilesBucket"],
                      AWS_LAMBDA_INITIALIZATION_TYPE="snap-start")

    spec = importlib.util.spec_from_file_location("app", sys.argv[2])
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # the function's init
    from folio.storage import clients, documents
    primed = sorted(key.split("|")[0] for key in clients._clients)
    items = admin_client("dynamodb", endpoint, "us-east-1").scan(TableName=created["DocumentsTable"])["Items"]
    taken_at_init = [i["pk"]["S"] for i in items]
    from folio.storage.wiring import document_service
    held = document_service().next_id("acme", "crm-document")  # the primed state holds a block now

    def restored(out):
        from folio.web.resolver import _after_snapshot_restore
        _after_snapshot_restore()
        ids = [document_service().next_id("acme", "crm-document") for _ in range(5)]
        os.write(out, json.dumps(ids).encode()); os._exit(0)

    results = []
    for _ in range(2):
        read, write = os.pipe()
        if os.fork() == 0:
            os.close(read); restored(write)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        results.append(json.loads(b"".join(chunks)))
        os.wait()
    print(json.dumps({"primed": primed, "taken_at_init": taken_at_init, "held": held, "restored": results}))
''')


@pytest.mark.moto_only(reason="a script of its own, on moto's server: the engines' id counters are the other suites'")
def test_two_environments_restored_from_one_snapshot_never_share_an_id(tmp_path):
    import json

    app = ROOT / "functions" / "crm_create_document" / "app.py"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "template.yaml"), str(app)],
                         capture_output=True, text=True, timeout=180, cwd=tmp_path,
                         env={k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")})
    assert out.returncode == 0, out.stderr[-3000:]
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"dynamodb", "s3"} <= set(found["primed"])  # init created the clients (their models loaded)
    assert found["taken_at_init"] == []  # and wrote nothing: no id block, no record
    first, second = (set(ids) for ids in found["restored"])
    assert len(first) == len(second) == 5 and not first & second, found
    assert found["held"] not in first | second  # the block the snapshot held is no copy's
