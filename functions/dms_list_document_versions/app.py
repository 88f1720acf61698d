"""dms: GET .../documents/{document_id}/versions - file versions, newest first, a page at a time (limit, cursor)."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/versions")
def list_versions(client_id: str, project_id: str, document_id: str, request: CurrentRequest):
    return views.versions_answer(*operations.list_versions(request, client_id, project_id, document_id))


lambda_handler = lambda_entrypoint(app)
