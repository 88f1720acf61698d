"""capture: GET .../documents/{docId}/attachments/{attId}/content - the bytes of the current content version."""

from folio.dialects import capture
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.web.responses import file_response
from folio.storage.wiring import document_service

app = http_api(capture.install)


@app.get("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>/content")
@app.get("/capture/api/v1/documents/<doc_id>/attachments/<att_id>/content")  # the spec's examples use v1
def get_attachment_content(doc_id: str, att_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    documents = document_service()
    attachment, _ = capture.CaptureService(documents).attachment(caller, doc_id, att_id)
    ref = capture.content_ref(attachment)
    return file_response(documents.read_file(ref), ref.content_type, f'"{ref.sha256}"', ref.file_name)


lambda_handler = lambda_entrypoint(app)
