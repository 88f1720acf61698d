"""artu: GET /documents/{id}/file - the file recorded on the document, or a 302 to S3 when large (or ?redirect=true)."""

from folio.dialects.artu import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.responses import file_download

app = http_api(views.install)


@app.get("/documents/<document_id>/file")
def get_file(document_id: str, request: CurrentRequest):
    return file_download(operations.get_file(request, document_id), request)


lambda_handler = lambda_entrypoint(app)
