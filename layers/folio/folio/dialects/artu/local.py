"""artu in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Caller
from ...core.batches import BatchItem
from ...storage.wiring import batch_service
from ...web.request import WebRequest
from .. import artu


def _artu_document(env: str, document_id: str, caller: Caller):
    """The artu document ``document_id`` (created with that id if absent)."""

    batches = batch_service()
    if (existing := artu.find_by_id(batches, caller.tenant, env, document_id)) is not None:
        return existing
    item = artu.Item.model_validate({"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "externalId": f"sample-{document_id}",
                                     "type": "ine", "filename": "ine-front.jpg"})
    change, _ = artu.item_change(item, new_id=document_id)
    key = artu.document_key(caller.tenant, env, str(item.clientId), item.externalId)
    return batches.commit_atomic([BatchItem(key, change, alias=artu.alias(caller.tenant, env, document_id))], caller)[0]


def prepare(request: WebRequest) -> None:
    document_id = request.path.get("id")
    if document_id:
        _artu_document(artu.environment(request._event), document_id, request.caller)


def prepare_object(key: str) -> tuple[bytes, str] | None:
    """The document an uploaded object named ``key`` belongs to (created if absent), and the
    bytes folio local stores under that key; None when ``key`` is no artu upload."""
    parsed = artu.parse_upload_key(key)
    if parsed is None:
        return None
    tenant, env, document_id = parsed
    _artu_document(env, document_id, Caller(tenant=tenant, sub="folio-invoke", name="folio invoke"))
    return b"\xff\xd8\xff\xe0" + b"sample ine front" * 62, "image/jpeg"


PREPARERS = {"ArtuGetDocumentFunction": prepare, "ArtuCreateUploadUrlFunction": prepare}
