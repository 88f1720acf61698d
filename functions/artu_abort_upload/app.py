"""artu: DELETE /documents/{id}/uploads/{uploadId} - abort an upload session (S3 drops its parts)."""

from folio.dialects.artu import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import abort_upload

app = http_api(views.install)


@app.delete("/documents/<document_id>/uploads/<upload_id>")
def abort(document_id: str, upload_id: str, request: CurrentRequest):
    return abort_upload(request, upload_id, uploads.scope_of(request, document_id), adopt=uploads.owned)


lambda_handler = lambda_entrypoint(app)
