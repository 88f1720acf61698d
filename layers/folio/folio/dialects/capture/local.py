"""capture in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Caller, Edit, NewFile
from ...storage.wiring import document_service
from ...web.request import WebRequest
from .. import capture


def seed(documents) -> None:
    """The deployment-wide Demo procedure (idempotent)."""
    capture.seed_demo(documents)


def prepare(request: WebRequest) -> None:
    """The document (in Demo's first step) and attachment the event names, at version 1."""
    params = event.get("pathParameters") or {}
    if "docId" not in params:
        return
    documents = document_service()
    procedure = capture.Procedures(documents).find(caller.tenant, {"name": "Demo"})
    doc_key = capture.document_key(caller.tenant, params["docId"])
    if documents.find(doc_key) is None:
        documents.create(doc_key, capture.new_document_body(procedure, documents.next_id(caller.tenant, capture.BATCH_KIND), None),
                         caller)
    if "attId" in params:
        att_key = capture.attachment_key(caller.tenant, params["attId"])
        if documents.find(att_key) is None:
            body = {"documentId": doc_key.id, "title": "notes5.txt", "comment": None,
                    "type": procedure.attachment_type({"name": "Invoice Notes"})}
            documents.create(att_key, body, caller, new_files={
                capture.CONTENT_SLOT: NewFile(b"Invoice notes\n" * 8, "text/plain", "notes5.txt")})


PREPARERS = {name: prepare for name in ("CaptureAddAttachmentFunction", "CaptureGetAttachmentFunction",
                                        "CaptureGetAttachmentContentFunction", "CaptureUpdateAttachmentFunction")}


def describe(base_url: str, token: str) -> list[str]:
    demo = capture.DEMO_PROCEDURE
    return [f"capture: procedure {demo['name']} ({demo['id']}), attachment types "
            f"{', '.join(t['name'] for t in demo['attachmentTypes'])}; new documents start in step "
            f"{demo['steps'][0]['name']} ({demo['steps'][0]['id']})"]


def add_commands(subparsers) -> None:
    """`folio procedure`: define a capture procedure for a tenant in a deployed table."""
    p = subparsers.add_parser("procedure", help="define a capture procedure (steps, attachment types) for a tenant")
    p.add_argument("--tenant", required=True, help="the tenant claim of the tokens that will use it, or * for all")
    p.add_argument("--file", required=True, help='JSON: {"name", "batchPrefix", "steps": [{"id", "name", "type"}], '
                                                 '"attachmentTypes": [{"id", "name"}]}')
    p.add_argument("--table", help="DynamoDB table (default: $TABLE_NAME)")
    p.set_defaults(func=define_procedure)


def define_procedure(args) -> int:
    """Define a capture procedure for a tenant (AWS credentials from the environment)."""
    import json
    import os
    import sys
    from pathlib import Path

    from ...core.errors import FolioError

    if args.table:
        os.environ["TABLE_NAME"] = args.table
    if not os.environ.get("TABLE_NAME"):
        sys.exit("folio: say which table: --table NAME (the stack's DocumentsTableName output) or TABLE_NAME")
    definition = json.loads(Path(args.file).read_text())
    try:
        # the actor recorded on the configuration; the tenant may be "*", the deployment's default
        defined = capture.Procedures(document_service()).define(
            args.tenant, definition, Caller(tenant="folio", sub="folio-cli", name="folio procedure"))
    except FolioError as e:
        sys.exit(f"folio: {e.message}")
    print(json.dumps(defined.to_config(), indent=2))
    return 0
