"""capture: POST .../uploads/{uploadId}/complete - S3 completes the file; the attachment is added or updated."""

from folio.dialects.capture import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/capture/api/v1.1/documents/<doc_id>/attachments/uploads/<upload_id>/complete")
@app.post("/capture/api/v1/documents/<doc_id>/attachments/uploads/<upload_id>/complete")  # the spec's examples use v1
def complete_add_upload(doc_id: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, upload_id, doc_id)


@app.post("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>/content/uploads/<upload_id>/complete")
@app.post("/capture/api/v1/documents/<doc_id>/attachments/<att_id>/content/uploads/<upload_id>/complete")
def complete_content_upload(doc_id: str, att_id: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, upload_id, doc_id, att_id)


lambda_handler = lambda_entrypoint(app)
