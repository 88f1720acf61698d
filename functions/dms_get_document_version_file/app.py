"""dms: GET .../documents/{document_id}/versions/{version}/file - that version's exact bytes (its S3 VersionId)."""

from folio.dialects import dms
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.web.responses import file_response
from folio.storage.wiring import document_service

app = http_api(dms.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/versions/<version>/file")
def get_version_file(client_id: str, project_id: str, document_id: str, version: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    documents = document_service()
    history = documents.history(dms.document_key(caller.tenant, client_id, project_id, document_id))
    ref = dms.find_version(history, version).ref
    return file_response(documents.read_file(ref), ref.content_type, f'"{ref.sha256}"', ref.file_name)


lambda_handler = lambda_entrypoint(app)
