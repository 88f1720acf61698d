"""dms: POST .../uploads/{uploadId}/complete - S3 completes the file; a document or a new version is committed."""

from folio.dialects.dms import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/uploads/<upload_id>/complete")
def complete_create_upload(client_id: str, project_id: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, upload_id, uploads.scope_of(request, client_id, project_id))


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/uploads/<upload_id>/complete")
def complete_version_upload(client_id: str, project_id: str, document_id: str, upload_id: str,
                            request: CurrentRequest):
    return uploads.complete(request, upload_id, uploads.scope_of(request, client_id, project_id, document_id))


lambda_handler = lambda_entrypoint(app)
