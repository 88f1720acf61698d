"""artu in folio local: the data its sample events refer to (loaded by folio local only)."""

from __future__ import annotations

from ...core import Caller, Document, NewFile
from ...core.uploads import UploadTarget
from ...storage.wiring import batch_service, file_store
from ...web.request import WebRequest
from ...web.s3_events import object_key
from .constants import FILE_SLOT, UPLOAD_SLOT
from .mapping import Arrival, upload_key, upload_target
from .operations import batch_item, environment, find_by_id, record_arrival
from .uploads import target_of

#: The file folio local stores for the samples (a JPEG's first bytes, then text).
_SAMPLE_FILE = (b"\xff\xd8\xff\xe0" + b"sample ine front" * 62, "image/jpeg")


def _artu_document(env: str, document_id: str, caller: Caller) -> Document:
    """The artu document ``document_id`` (created with that id if absent)."""
    from .models import Item

    if (existing := find_by_id(caller.tenant, env, document_id)) is not None:
        return existing
    item = Item.model_validate({"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "externalId": f"sample-{document_id}",
                                "type": "ine", "filename": "ine-front.jpg"})
    return batch_service().commit_atomic([batch_item(caller.tenant, env, item, new_id=document_id)], caller)[0]


def prepare(request: WebRequest) -> None:
    document_id = request.path.get("id")
    if document_id:
        _artu_document(environment(request), document_id, request.caller)


def prepare_object(key: str) -> tuple[bytes, str] | None:
    """The document an uploaded object named ``key`` (as an S3 event names it) belongs to
    (created if absent), and the bytes folio local stores under that key; None when ``key`` is
    no artu upload."""
    target = upload_target(object_key(key), (UPLOAD_SLOT,))
    if target is None:
        return None
    tenant, env, document_id = target
    _artu_document(env, document_id, Caller(tenant=tenant, sub="folio-invoke", name="folio invoke"))
    return _SAMPLE_FILE


def prepare_with_file(request: WebRequest) -> None:
    """The document (as :func:`prepare`) with a file recorded, as if it arrived through its upload URL."""
    document_id = request.path.get("id")
    if not document_id:
        return
    env, caller = environment(request), request.caller
    doc = _artu_document(env, document_id, caller)
    if FILE_SLOT not in doc.files:
        key = upload_key(caller.tenant, env, doc.body["id"])
        stored = file_store().put(key, *_SAMPLE_FILE)
        record_arrival(Arrival(caller.tenant, env, doc.body["id"], key, stored.version_id, sequencer="1"))


PREPARERS = {"ArtuGetDocumentFunction": prepare, "ArtuCreateUploadUrlFunction": prepare,
             "ArtuGetDocumentFileFunction": prepare_with_file, "ArtuStartUploadFunction": prepare,
             "ArtuDeleteDocumentFunction": prepare_with_file}

#: The file of the sample events' upload session (``/documents/{id}/uploads/{uploadId}``).
SESSION_SAMPLE = NewFile(_SAMPLE_FILE[0], _SAMPLE_FILE[1], "ine-front-rescan.jpg")


def upload_session(request: WebRequest) -> tuple[UploadTarget, NewFile]:
    """The session of a sample event, its document prepared (as :func:`prepare`)."""
    env = environment(request)
    doc = _artu_document(env, request.path["id"], request.caller)
    return target_of(request.caller.tenant, env, doc), SESSION_SAMPLE


UPLOAD_SESSIONS = {name: upload_session for name in ("ArtuGetUploadFunction", "ArtuAbortUploadFunction",
                                                     "ArtuCompleteUploadFunction")}
