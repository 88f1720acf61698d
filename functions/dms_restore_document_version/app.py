"""dms: POST .../documents/{document_id}/versions/{version}/restore - that version again, as a new one (201)."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/versions/<version>/restore")
def restore_version(client_id: str, project_id: str, document_id: str, version: str, request: CurrentRequest):
    return views.created_answer(operations.restore_version(request, client_id, project_id, document_id, version),
                                request)


lambda_handler = lambda_entrypoint(app)
