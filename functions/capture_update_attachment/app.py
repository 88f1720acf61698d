"""capture: PUT /capture/api/v1.1/documents/{docId}/attachments/{attId} - update guarded by the stateToken."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.put("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>")
@app.put("/capture/api/v1/documents/<doc_id>/attachments/<att_id>")  # the spec's examples use v1
def update_attachment(doc_id: str, att_id: str, request: CurrentRequest):
    return views.attachment_answer(*operations.update_attachment(request, doc_id, att_id), request)


lambda_handler = lambda_entrypoint(app)
