"""crm: DELETE /api/v1/Document/{id}/Content/uploads/{uploadId} - abort an upload session."""

from folio.dialects.crm import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import abort_upload

app = http_api(views.install)


@app.delete("/api/v1/Document/<document_id>/Content/uploads/<upload_id>")
def abort_content_upload(document_id: str, upload_id: str, request: CurrentRequest):
    return abort_upload(request, upload_id, uploads.scope_of(request, document_id))


lambda_handler = lambda_entrypoint(app)
