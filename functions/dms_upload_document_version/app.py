"""dms: POST (or PUT, or POST with X-HTTP-Method-Override: PUT) .../documents/{document_id} - a new version (201)."""

from folio.core import Edit
from folio.dialects import dms
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event, precondition_from_event
from folio.storage.wiring import document_service

app = http_api(dms.install)


@app.post("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
@app.put("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
def upload_version(client_id: str, project_id: str, document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    dms.require_put_override(event)
    key = dms.document_key(caller.tenant, client_id, project_id, document_id)
    upload = dms.parse_upload(event, require_file=False)
    new_files = {dms.FILE_SLOT: upload.file} if upload.file else None
    doc = document_service().update(key, Edit(dms.version_change(upload), new_files=new_files or {}), caller,
                                    precondition_from_event(event))
    return dms.document_response(doc, event, status=201)


lambda_handler = lambda_entrypoint(app)
