"""dms: GET /api/v2/clients/{client_id}/dms/projects/{project_id}/documents - the project's documents, newest first."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents")
def list_documents(client_id: str, project_id: str, request: CurrentRequest):
    return views.page_answer(operations.list_documents(request, client_id, project_id))


lambda_handler = lambda_entrypoint(app)
