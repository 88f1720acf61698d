"""capture: POST /capture/api/v1.1/documents - a new document in a procedure's first step (201)."""

from folio.dialects import capture
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(capture.install)


@app.post("/capture/api/v1.1/documents")
@app.post("/capture/api/v1/documents")  # the spec's examples use v1
def create_document():
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    procedure, batch_name = capture.parse_new_document(event)
    document = capture.CaptureService(document_service()).create_document(caller, procedure, batch_name)
    return capture.document_response(document, event)


lambda_handler = lambda_entrypoint(app)
