"""dms: POST (or PUT, or POST with X-HTTP-Method-Override: PUT) .../documents/{document_id} - a new version (201)."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
@app.put("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
def upload_version(client_id: str, project_id: str, document_id: str, request: CurrentRequest):
    return views.created_answer(operations.upload_version(request, client_id, project_id, document_id), request)


lambda_handler = lambda_entrypoint(app)
