"""dms: GET .../uploads/{uploadId} - an upload session: the parts S3 holds, fresh URLs for the rest."""

from folio.dialects.dms import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import resume_upload

app = http_api(views.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/uploads/<upload_id>")
def get_create_upload(client_id: str, project_id: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, client_id, project_id))


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/uploads/<upload_id>")
def get_version_upload(client_id: str, project_id: str, document_id: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, client_id, project_id, document_id))


lambda_handler = lambda_entrypoint(app)
