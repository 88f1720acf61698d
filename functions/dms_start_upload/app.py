"""dms: POST .../documents/uploads, .../documents/{document_id}/uploads - start an upload session."""

from folio.dialects.dms import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/uploads")
def start_create_upload(client_id: str, project_id: str, request: CurrentRequest):
    return uploads.start_create(request, client_id, project_id)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/uploads")
def start_version_upload(client_id: str, project_id: str, document_id: str, request: CurrentRequest):
    return uploads.start_version(request, client_id, project_id, document_id)


lambda_handler = lambda_entrypoint(app)
