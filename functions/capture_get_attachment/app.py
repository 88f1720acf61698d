"""capture: GET /capture/api/v1.1/documents/{docId}/attachments/{attId} - the attachment and its stateToken."""

from folio.dialects import capture
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(capture.install)


@app.get("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>")
@app.get("/capture/api/v1/documents/<doc_id>/attachments/<att_id>")  # the spec's examples use v1
def get_attachment(doc_id: str, att_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    attachment, document = capture.CaptureService(document_service()).attachment(caller, doc_id, att_id)
    return capture.attachment_response(attachment, document, event)


lambda_handler = lambda_entrypoint(app)
