"""dms: GET .../documents/{document_id}/versions/{version}/file - that version's exact bytes (its S3 VersionId)."""

from folio.dialects.dms import operations, views
from folio.web.request import CurrentRequest
from folio.web.responses import file_download
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/versions/<version>/file")
def get_version_file(client_id: str, project_id: str, document_id: str, version: str, request: CurrentRequest):
    return file_download(operations.version_file(request, client_id, project_id, document_id, version), request)


lambda_handler = lambda_entrypoint(app)
