"""dms: DELETE .../documents/{document_id} - erase the document, its history and every file version (204)."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.delete("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
def delete_document(client_id: str, project_id: str, document_id: str, request: CurrentRequest):
    return views.deleted_answer(operations.delete_document(request, client_id, project_id, document_id))


lambda_handler = lambda_entrypoint(app)
