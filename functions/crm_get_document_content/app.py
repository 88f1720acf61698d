"""crm: GET /api/v1/Document/{id}/Content - the content's bytes, or a 302 to S3 when large (or ?redirect=true)."""

from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.responses import file_download

app = http_api(views.install)


@app.get("/api/v1/Document/<document_id>/Content")
def get_content(document_id: str, request: CurrentRequest):
    return file_download(operations.get_content(request, document_id), request)


lambda_handler = lambda_entrypoint(app)
