"""dms: POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents - a new document, version 1 (201)."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents")
def create_document(client_id: str, project_id: str, request: CurrentRequest):
    return views.created_answer(operations.create_document(request, client_id, project_id), request)


lambda_handler = lambda_entrypoint(app)
