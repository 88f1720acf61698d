"""artu: POST /documents/{id}/uploads/{uploadId}/complete - S3 completes the file; it is recorded on the document."""

from folio.dialects.artu import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/documents/<document_id>/uploads/<upload_id>/complete")
def complete_upload(document_id: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, document_id, upload_id)


lambda_handler = lambda_entrypoint(app)
