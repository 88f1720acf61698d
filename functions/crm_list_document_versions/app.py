"""crm: GET /api/v1/Document/{id}/Version - a VersionInfo per committed version that checked content in, in pages ($top, $skiptoken, $select)."""

from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v1/Document/<document_id>/Version")
def list_versions(document_id: str, request: CurrentRequest):
    return views.version_list_answer(*operations.content_version_list(request, document_id), request)


lambda_handler = lambda_entrypoint(app)
