"""capture: DELETE /capture/api/v1.1/documents/{docId}/attachments/{attId} - erase it (stateToken, 204)."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.delete("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>")
@app.delete("/capture/api/v1/documents/<doc_id>/attachments/<att_id>")  # the spec's examples use v1
def delete_attachment(doc_id: str, att_id: str, request: CurrentRequest):
    operations.delete_attachment(request, doc_id, att_id)
    return views.attachment_deleted()


lambda_handler = lambda_entrypoint(app)
