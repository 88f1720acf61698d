"""crm: POST /api/v1/Document - create a DocumentEntity (201)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from folio.dialects import crm
from folio.http import caller_from_event, precondition_from_event
from folio.services import document_service

logger = Logger()
app = APIGatewayHttpResolver()
crm.install(app)


@app.post("/api/v1/Document")
def create_document():
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    body = crm.parse_create_body(event)
    precondition = precondition_from_event(event)
    documents = document_service()
    key = crm.document_key(caller.tenant, str(documents.next_id(caller.tenant, crm.KIND, maximum=crm.INT32_MAX)))
    doc = documents.create(key, body, caller, precondition)
    return crm.entity_response(doc, event, status=201)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return app.resolve(event, context)
