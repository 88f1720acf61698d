"""capture: GET .../documents/{docId}/attachments/{attId}/content - the bytes of the current content version."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.responses import file_download
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>/content")
@app.get("/capture/api/v1/documents/<doc_id>/attachments/<att_id>/content")  # the spec's examples use v1
def get_attachment_content(doc_id: str, att_id: str, request: CurrentRequest):
    return file_download(operations.get_attachment_content(request, doc_id, att_id), request)


lambda_handler = lambda_entrypoint(app)
