"""capture: PUT /capture/api/v1.1/documents/{docId}/attachments/{attId} - update guarded by the stateToken."""

from folio.dialects import capture
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(capture.install)


@app.put("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>")
@app.put("/capture/api/v1/documents/<doc_id>/attachments/<att_id>")  # the spec's examples use v1
def update_attachment(doc_id: str, att_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    capture.require_xhr(event)
    capture.resource_id(doc_id, "docId"), capture.resource_id(att_id, "attId")
    request = capture.parse_attachment(event, update=True)
    attachment, document = capture.CaptureService(document_service()).update_attachment(
        caller, doc_id, att_id, request, precondition_from_event(event))
    return capture.attachment_response(attachment, document, event)


lambda_handler = lambda_entrypoint(app)
