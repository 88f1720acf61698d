"""dms: POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents - a new document, version 1 (201)."""

from folio.dialects import dms
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(dms.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents")
def create_document(client_id: str, project_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    dms.document_key(caller.tenant, client_id, project_id, 1)  # 400 for bad ids before reading the body
    upload = dms.parse_upload(event, require_file=True)
    documents = document_service()
    key = dms.document_key(caller.tenant, client_id, project_id, documents.next_id(caller.tenant, dms.KIND))
    doc = documents.create(key, dms.new_body(client_id, project_id, upload), caller,
                           precondition_from_event(event), {dms.FILE_SLOT: upload.file})
    return dms.document_response(doc, event, status=201)


lambda_handler = lambda_entrypoint(app)
