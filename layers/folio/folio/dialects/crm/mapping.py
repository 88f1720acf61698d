"""Between crm's DocumentEntity and the core Document (pure functions): the key, property names,
the entity view, and JSON Patch / JSON Merge Patch applied to it.

Reads import this module too, so the pydantic models are imported only where a body is validated.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from ...core import Document, DocumentKey, FileRef
from ...core.errors import DocumentNotFound, InvalidRequest, PatchTestFailed, PayloadTooLarge
from ...core.listing import MAX_PAGE
from ...web.request import bounded_int, positive_id
from ...web.responses import iso_utc
from .constants import (CONTENT_SLOT, DEFAULT_TOP, FREE_FORM, KIND, LIST_OPTIONS, MAX_OPERATIONS, PATCH_OPERATIONS,
                        PROPERTIES, READ_ONLY, VERSION_INFO_PROPERTIES, WRITABLE)

_CANONICAL = {name.lower(): name for name in PROPERTIES}
_OPERATION_NAMES = ", ".join(PATCH_OPERATIONS[:-1]) + " or " + PATCH_OPERATIONS[-1]


def document_key(tenant: str, raw_id: str) -> DocumentKey:
    """The id path part: an int32 > 0, else 400 (the spec types it int32)."""
    return DocumentKey(tenant, KIND, str(positive_id(raw_id, "id", bits=32)))


def canonical_property(name: Any) -> str:
    """A property name as the spec spells it (names are case-insensitive), else 400."""
    if isinstance(name, str) and name.lower() in _CANONICAL:
        return _CANONICAL[name.lower()]
    raise InvalidRequest(
        f"{name!r} is not a property of DocumentEntity",
        errors=[{"field": str(name), "message": "unknown property"}],
    )


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """The stored body: ``values`` type-checked by models.WritableDocument (imported here: by writes only)."""
    from .models import validate_writable

    return validate_writable(values)


def stored_body(entity: Any) -> dict[str, Any]:
    """The stored body of a POSTed DocumentEntity: read-only properties ignored, unknown ones 400."""
    if not isinstance(entity, dict):
        raise InvalidRequest("the body must be a JSON object (a DocumentEntity)")
    writable: dict[str, Any] = {}
    for raw_name, value in entity.items():
        name = canonical_property(raw_name)
        if name in READ_ONLY:
            continue  # documented: read-only properties are ignored on create
        if name in writable:
            raise InvalidRequest(f"property {name} is given twice (names are case-insensitive)")
        writable[name] = value
    return _validated(writable)


def selected_properties(raw: str | None) -> frozenset[str] | None:
    """``$select``: the properties it names (case-insensitive, top level); None when absent or blank."""
    if raw is None or not raw.strip():
        return None
    names = set()
    for item in raw.split(","):
        top = item.strip().split("/", 1)[0].lower()
        if top in _CANONICAL:
            names.add(_CANONICAL[top])
    return frozenset(names)


def _associate(actor: dict[str, Any]) -> dict[str, Any] | None:
    if not actor:
        return None
    display = actor.get("name") or actor.get("sub")
    return {
        "AssociateId": None, "Name": actor.get("sub"), "PersonId": None, "Rank": None,
        "Tooltip": actor.get("email") or display, "Type": None, "GroupIdx": None,
        "FullName": display, "FormalName": display, "Deleted": False, "EjUserId": None,
        "UserName": actor.get("email") or actor.get("sub"),
    }


def document_path(doc: Document) -> str:
    return f"/api/v1/Document/{doc.key.id}"


def entity_view(doc: Document, base: str = "", selected: frozenset[str] | None = None) -> dict[str, Any]:
    """The DocumentEntityWithLinks of ``doc`` (the full one is also what patches apply to);
    with ``selected``, every property not selected, ``_Links`` included, is null."""
    entity: dict[str, Any] = {name: None for name in PROPERTIES}
    entity.update({"UserDefinedFields": {}, "ExtraFields": {}, "CustomFields": {}})
    entity.update(copy.deepcopy(doc.body))
    entity.update({
        "DocumentId": int(doc.key.id),
        "CreatedBy": _associate(doc.created_by),
        "UpdatedBy": _associate(doc.updated_by),
        "CreatedDate": iso_utc(doc.created_at, "microseconds"),
        "UpdatedDate": iso_utc(doc.updated_at, "microseconds"),
        "TableRight": None,
        "FieldProperties": {},
        "_Links": {"Self": base + document_path(doc), "Archive": f"{base}/api/v1/Document"},
    })
    if selected is not None:
        entity = {name: (value if name in selected else None) for name, value in entity.items()}
    return entity


# ---------------------------------------------------------------- the list (OData)

@dataclass(frozen=True)
class ListQuery:
    """``GET /api/v1/Document``'s OData options: ``$top`` (1 to MAX_PAGE, else 400), ``$select``
    (as the entity routes read it) and ``$skiptoken`` (the opaque cursor of ``odata.nextLink``)."""

    top: int
    select: str | None
    skiptoken: str | None

    @classmethod
    def of(cls, query: dict[str, str], default_top: int = DEFAULT_TOP) -> ListQuery:
        unknown = sorted(name for name in query if name.startswith("$") and name.lower() not in LIST_OPTIONS)
        if unknown:
            raise InvalidRequest(f"the query option {unknown[0][:40]!r} is not supported here; "
                                 f"use {', '.join(LIST_OPTIONS)}",
                                 errors=[{"field": name[:40], "message": "unsupported query option"} for name in unknown])
        options = {name.lower(): value for name, value in query.items()}
        raw = options.get("$top")
        top = default_top if raw is None else bounded_int(raw.strip(), MAX_PAGE)
        if not top:
            raise InvalidRequest(f"$top must be an integer from 1 to {MAX_PAGE}, got {raw[:40]!r}",
                                 errors=[{"field": "$top", "message": f"must be an integer from 1 to {MAX_PAGE}"}])
        return cls(top, options.get("$select"), options.get("$skiptoken") or None)

    def next_link(self, base: str, cursor: str, path: str = "/api/v1/Document") -> str:
        """The next page's full URL (of the list at ``path``): the same ``$top`` and ``$select``, the page's cursor."""
        options = {"$top": str(self.top)}
        if self.select is not None:
            options["$select"] = self.select
        options["$skiptoken"] = cursor
        return f"{base}{path}?" + urlencode(options, quote_via=quote, safe="$,/")


def list_item(doc: Document, base: str, select: str | None) -> dict[str, Any]:
    """A row of the list's ``value``: the DocumentEntityWithLinks, or with ``$select`` only the
    properties it names (an OData projection; the entity routes null the others instead)."""
    entity = entity_view(doc, base)
    selected = selected_properties(select)
    if selected is None:
        return entity
    return {name: value for name, value in entity.items() if name in selected}


# ---------------------------------------------------------------- content and its versions

def content_mark(previous: Document | None, doc: Document) -> int | None:
    """crm's numbering of versions (a core Marker): a version that checked content in (the first to
    point at a content file) is numbered by its own version number, its ``VersionId``; a version that
    changed only properties checks nothing in. ``GET .../Version`` lists these marks, oldest first."""
    ref = doc.files.get(CONTENT_SLOT)
    before = previous.files.get(CONTENT_SLOT) if previous is not None else None
    return doc.version if ref is not None and ref != before else None


def content_of(doc: Document) -> FileRef:
    """The content ``doc`` (a version of the document) points at; 404 when it has none."""
    ref = doc.files.get(CONTENT_SLOT)
    if ref is None:
        raise DocumentNotFound(f"document {doc.key.id} has no content (yet); PUT /api/v1/Document/{doc.key.id}/Content")
    return ref


def version_info(doc: Document) -> dict[str, Any]:
    """SuperOffice's VersionInfo of a version that checked content in: ``VersionId`` names it (the
    document's version number, as text), ``ExternalReference`` is the content's file name,
    ``ExtraFields`` carry the file's facts (media type, size, strong ETag) so a download can be
    verified; SuperOffice's numeric associate id is unknown here (null)."""
    ref = doc.files[CONTENT_SLOT]
    actor = doc.updated_by or {}
    return {
        "ExternalReference": ref.file_name,
        "DocumentId": int(doc.key.id),
        "VersionId": str(doc.version),
        "CheckedInDate": iso_utc(doc.updated_at, "microseconds"),
        "CheckedInByName": actor.get("name") or actor.get("sub"),
        "CheckedInByAssociateId": None,
        "Description": None,
        "DisplayText": f"Version {doc.version}" + (f" ({ref.file_name})" if ref.file_name else ""),
        "ExtraFields": {"ContentType": ref.content_type, "Size": str(ref.size), "ETag": ref.etag},
    }


_VERSION_INFO_NAMES = {name.lower(): name for name in VERSION_INFO_PROPERTIES}


def version_row(doc: Document, select: str | None) -> dict[str, Any]:
    """A VersionInfo of the array; with ``$select`` only the VersionInfo properties it names (an
    OData projection, as the documents list does; names case-insensitive, others selecting nothing)."""
    info = version_info(doc)
    if select is None or not select.strip():
        return info
    named = {_VERSION_INFO_NAMES[top] for item in select.split(",")
             if (top := item.strip().split("/", 1)[0].lower()) in _VERSION_INFO_NAMES}
    return {name: value for name, value in info.items() if name in named}


class DocumentPatch:
    """A JSON Patch or a JSON Merge Patch, re-applicable to whichever version is current."""

    def __init__(self, body: Any):
        if isinstance(body, list):
            if len(body) > MAX_OPERATIONS:
                raise _too_many_operations(f"this one has {len(body)}")
            for index, op in enumerate(body):
                _check_operation(index, op)
            self.operations: list[dict[str, Any]] | None = body
            self.merge: dict[str, Any] | None = None
        elif isinstance(body, dict):
            if _merge_keys_exceed(body, MAX_OPERATIONS):
                raise _too_many_operations(f"this merge patch has more than {MAX_OPERATIONS} keys (each may become one)")
            self.operations, self.merge = None, body
            for key in body:
                canonical_property(key)
        else:
            raise InvalidRequest("the body must be a JSON Patch array of operations or a JSON Merge Patch object")

    def apply(self, doc: Document) -> dict[str, Any]:
        """The next body: the patch applied to ``doc`` and type-checked (a core Change)."""
        import jsonpatch  # only the patching function pays for it
        import jsonpointer

        view = entity_view(doc)
        if self.operations is not None:
            ops = [_normalize_operation(op, view) for op in self.operations]
        else:
            ops = _merge_to_operations(view, self.merge)
        for index, op in enumerate(ops):
            name = _top_property(op["path"])
            if op["op"] != "test" and name in READ_ONLY:
                raise InvalidRequest(
                    f"operation {index}: {name} is read-only",
                    errors=[{"field": name, "message": "read-only property", "operation": index}],
                )
            if op["op"] != "test" and op["path"] == "":
                raise InvalidRequest(f"operation {index}: the path must name a property")
        try:
            patched = jsonpatch.apply_patch(view, ops, in_place=False)
        except jsonpatch.JsonPatchTestFailed as e:
            raise PatchTestFailed(f"a test operation failed: {e}") from None
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as e:
            raise InvalidRequest(f"the patch cannot be applied: {e}") from None
        except (TypeError, ValueError, KeyError, IndexError) as e:
            raise InvalidRequest(f"the patch cannot be applied: {e}") from None
        if not isinstance(patched, dict):
            raise InvalidRequest("the patch must leave a DocumentEntity object")
        return _validated({name: patched.get(name) for name in WRITABLE if name in patched})


def _too_many_operations(this_one: str) -> PayloadTooLarge:
    return PayloadTooLarge(f"a patch holds at most {MAX_OPERATIONS} operations; {this_one}")


def _merge_keys_exceed(patch: dict[str, Any], limit: int) -> bool:
    """Whether a merge patch has more than ``limit`` keys in its nested objects, counted before
    it is turned into operations and never past the limit (each key may become an operation)."""
    count, objects = 0, [patch]
    while objects:
        node = objects.pop()
        count += len(node)
        if count > limit:
            return True
        objects.extend(value for value in node.values() if isinstance(value, dict))
    return False


def _check_operation(index: int, op: Any) -> None:
    where = f"operation {index}"
    if not isinstance(op, dict):
        raise InvalidRequest(f"{where} is not an object with op, path and value")
    name = op.get("op")
    if name in ("move", "copy"):
        raise InvalidRequest(f"{where}: '{name}' is not supported; use {_OPERATION_NAMES}",
                             errors=[{"field": f"/{index}/op", "message": "move and copy are not supported"}])
    if name not in PATCH_OPERATIONS:
        raise InvalidRequest(f"{where}: unknown op {name!r}; use {_OPERATION_NAMES}",
                             errors=[{"field": f"/{index}/op", "message": f"must be {_OPERATION_NAMES}"}])
    if not isinstance(op.get("path"), str):
        raise InvalidRequest(f"{where}: path must be a string", errors=[{"field": f"/{index}/path", "message": "required string"}])
    if name != "remove" and "value" not in op:
        raise InvalidRequest(f"{where}: '{name}' needs a value", errors=[{"field": f"/{index}/value", "message": "required"}])


def _split_pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        path = "/" + path  # the leading slash is optional
    tokens = path.split("/")[1:]
    out = []
    for token in tokens:
        if "~" in token.replace("~0", "").replace("~1", ""):
            raise InvalidRequest(f"invalid escape in path {path!r} (use ~0 for ~ and ~1 for /)")
        out.append(token.replace("~1", "/").replace("~0", "~"))
    return out


def _join_pointer(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def _top_property(pointer: str) -> str | None:
    tokens = _split_pointer(pointer)
    return tokens[0] if tokens else None


def _normalize_path(path: str, view: dict[str, Any]) -> str:
    """The path with the property, and keys of structured sub-objects, spelled as stored."""
    tokens = _split_pointer(path)
    if not tokens:
        return ""
    tokens[0] = canonical_property(tokens[0])
    if tokens[0] not in FREE_FORM:
        node: Any = view.get(tokens[0])
        for i in range(1, len(tokens)):
            if isinstance(node, dict):
                if tokens[i] not in node:
                    match = [k for k in node if k.lower() == tokens[i].lower()]
                    if len(match) == 1:
                        tokens[i] = match[0]
                node = node.get(tokens[i])
            elif isinstance(node, list) and node and (index := bounded_int(tokens[i], len(node) - 1)) is not None:
                node = node[index]
            else:
                break
    return _join_pointer(tokens)


def _normalize_operation(op: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    out = {"op": op["op"], "path": _normalize_path(op["path"], view)}
    if "value" in op:
        out["value"] = op["value"]
    return out


def _merge_to_operations(target: Any, patch: dict[str, Any], prefix: list[str] | None = None) -> list[dict[str, Any]]:
    """RFC 7396 as JSON Patch operations: null removes, objects merge, anything else replaces."""
    ops: list[dict[str, Any]] = []
    for raw_key, value in patch.items():
        key = canonical_property(raw_key) if prefix is None else raw_key
        path = (prefix or []) + [key]
        current = target.get(key) if isinstance(target, dict) else None
        exists = isinstance(target, dict) and key in target
        if value is None:
            if exists:
                ops.append({"op": "remove", "path": _join_pointer(path)})
        elif isinstance(value, dict) and isinstance(current, dict):
            ops.extend(_merge_to_operations(current, value, path))
        elif isinstance(value, dict):
            ops.append({"op": "add", "path": _join_pointer(path), "value": _strip_nulls(value)})
        else:
            ops.append({"op": "add", "path": _join_pointer(path), "value": value})
    return ops


def _strip_nulls(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _strip_nulls(v) if isinstance(v, dict) else v for k, v in value.items() if v is not None}
