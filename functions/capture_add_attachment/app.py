"""capture: POST /capture/api/v1.1/documents/{docId}/attachments - add an attachment (multipart, 201)."""

from folio.dialects import capture
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(capture.install)


@app.post("/capture/api/v1.1/documents/<doc_id>/attachments")
@app.post("/capture/api/v1/documents/<doc_id>/attachments")  # the spec's examples use v1
def add_attachment(doc_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    capture.resource_id(doc_id, "docId")
    request = capture.parse_attachment(event, update=False)
    attachment, document = capture.CaptureService(document_service()).add_attachment(caller, doc_id, request)
    return capture.attachment_response(attachment, document, event, status=201)


lambda_handler = lambda_entrypoint(app)
