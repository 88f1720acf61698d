"""capture: POST .../{docId}/attachments/uploads, .../attachments/{attId}/content/uploads - start an upload session."""

from folio.dialects.capture import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/capture/api/v1.1/documents/<doc_id>/attachments/uploads")
@app.post("/capture/api/v1/documents/<doc_id>/attachments/uploads")  # the spec's examples use v1
def start_add_upload(doc_id: str, request: CurrentRequest):
    return uploads.start_add(request, doc_id)


@app.post("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>/content/uploads")
@app.post("/capture/api/v1/documents/<doc_id>/attachments/<att_id>/content/uploads")
def start_content_upload(doc_id: str, att_id: str, request: CurrentRequest):
    return uploads.start_content(request, doc_id, att_id)


lambda_handler = lambda_entrypoint(app)
