"""Logs and metrics of a request: the correlation id, tenant and document id on every line; EMF metrics."""

import json

from ..conftest import DEFAULT_CLAIMS


def lines(captured: str) -> list[dict]:
    out = []
    for line in captured.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def test_log_lines_carry_request_tenant_and_document(api):
    import io
    import logging
    import os

    doc = api.request("POST", "/api/v1/Document", json_body={"Header": "h"}).json["DocumentId"]
    _, event = api.event("PATCH", f"/api/v1/Document/{doc}", json_body={"Header": "x"},
                         headers={"If-Match": '"9"'})
    api.runtime.handler("CrmPatchDocumentFunction")  # loaded: its Logger's handler exists
    stream = io.StringIO()
    handlers = [h for h in logging.getLogger(os.environ["POWERTOOLS_SERVICE_NAME"]).handlers if hasattr(h, "setStream")]
    previous = [h.setStream(stream) for h in handlers]  # wherever earlier tests pointed it
    try:
        assert api.invoke_event("CrmPatchDocumentFunction", event).status == 412
    finally:
        for handler, old in zip(handlers, previous):
            handler.setStream(old)
    logs = [line for line in lines(stream.getvalue()) if "level" in line]
    assert logs, "no log line"
    for line in logs:
        assert line["tenant"] == DEFAULT_CLAIMS["tenant"] and line["document_id"] == str(doc)
        assert line["correlation_id"] == event["requestContext"]["requestId"]
    assert any(line["message"] == "answered" and line["status"] == 412 for line in logs)


def test_metrics_per_operation_in_emf(api, capsys):
    from requests_toolbelt import MultipartEncoder

    encoder = MultipartEncoder(fields={"file": ("a.txt", b"x" * 1000, "text/plain")})
    capsys.readouterr()
    assert api.request("POST", "/api/v2/clients/1/dms/projects/1/documents", body=encoder.to_string(),
                       headers={"Content-Type": encoder.content_type}).status == 201
    emf = [line for line in lines(capsys.readouterr().out) if "_aws" in line]
    assert len(emf) == 1
    blob = emf[0]
    assert blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "folio"
    assert blob["operation"] == "DmsCreateDocumentFunction"
    assert blob["Requests"] == [1.0] or blob["Requests"] == 1.0
    assert blob["BytesStored"] in ([1000.0], 1000.0)


def test_the_batch_sweeper_reports_its_oldest_unfinished_batch(api, capsys):
    """What UnfinishedBatchesAlarm watches: after a sweep, how old the oldest batch still recorded is."""
    from folio.storage.batches import BatchTable

    import time

    # its writer may still be at it: younger than the sweeper's 60 s (at 60 it became stale within a second)
    BatchTable().put_intent("young-batch", [], started=int(time.time()) - 30)
    schedule = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    capsys.readouterr()
    api.runtime.invoke("ArtuSweepBatchesFunction", schedule)
    emf = [line for line in lines(capsys.readouterr().out) if "OldestUnfinishedBatchSeconds" in line]
    assert emf and 29 <= emf[0]["OldestUnfinishedBatchSeconds"][0] < 60
    # exactly the dimensions UnfinishedBatchesAlarm names (service: the stack's name)
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]
    assert emf[0]["service"] == "folio-local"
