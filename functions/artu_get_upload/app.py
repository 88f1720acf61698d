"""artu: GET /documents/{id}/uploads/{uploadId} - an upload session: the parts S3 holds, fresh URLs for the rest."""

from folio.dialects.artu import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import resume_upload

app = http_api(views.install)


@app.get("/documents/<document_id>/uploads/<upload_id>")
def get_upload(document_id: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, document_id))


lambda_handler = lambda_entrypoint(app)
