"""dms: DELETE .../uploads/{uploadId} - abort an upload session (S3 drops its parts)."""

from folio.dialects.dms import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import abort_upload

app = http_api(views.install)


@app.delete("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/uploads/<upload_id>")
def abort_create_upload(client_id: str, project_id: str, upload_id: str, request: CurrentRequest):
    return abort_upload(request, upload_id, uploads.scope_of(request, client_id, project_id))


@app.delete("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/uploads/<upload_id>")
def abort_version_upload(client_id: str, project_id: str, document_id: str, upload_id: str, request: CurrentRequest):
    return abort_upload(request, upload_id, uploads.scope_of(request, client_id, project_id, document_id))


lambda_handler = lambda_entrypoint(app)
