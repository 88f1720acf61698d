"""dms: GET .../documents/{document_id} - metadata and the current version's file facts."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
def get_document(client_id: str, project_id: str, document_id: str, request: CurrentRequest):
    return views.document_answer(operations.get_document(request, client_id, project_id, document_id))


lambda_handler = lambda_entrypoint(app)
