"""capture: GET .../uploads/{uploadId} - an upload session: the parts S3 holds, fresh URLs for the rest."""

from folio.dialects.capture import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.uploads import resume_upload

app = http_api(views.install)


@app.get("/capture/api/v1.1/documents/<doc_id>/attachments/uploads/<upload_id>")
@app.get("/capture/api/v1/documents/<doc_id>/attachments/uploads/<upload_id>")  # the spec's examples use v1
def get_add_upload(doc_id: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, doc_id))


@app.get("/capture/api/v1.1/documents/<doc_id>/attachments/<att_id>/content/uploads/<upload_id>")
@app.get("/capture/api/v1/documents/<doc_id>/attachments/<att_id>/content/uploads/<upload_id>")
def get_content_upload(doc_id: str, att_id: str, upload_id: str, request: CurrentRequest):
    return resume_upload(request, upload_id, uploads.scope_of(request, doc_id, att_id))


lambda_handler = lambda_entrypoint(app)
