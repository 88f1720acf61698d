"""crm: the SuperOffice-style ``DocumentEntity`` API (specs/crm-patch-document.txt).

Properties are PascalCase exactly as the spec's ``DocumentEntityWithLinks``. Decisions the
spec leaves open, written down here:

* Paths and merge-patch keys are case-insensitive for entity properties (and for keys of
  structured sub-objects such as ``Contact``); keys inside the free-form dictionaries
  ``UserDefinedFields``, ``ExtraFields`` and ``CustomFields`` are matched exactly.
* ``move`` and ``copy`` are refused with 400, as the spec says they are not supported.
* A patch that changes nothing commits nothing: the answer is the current entity and ETag.
* ``POST`` ignores read-only properties (a client may post an entity it read elsewhere);
  ``PATCH`` refuses to change them (400), but a ``test`` on them is allowed.
* ``$select`` names are case-insensitive; a name that is no property (the spec's own sample
  uses ``department`` and ``category/id``) selects nothing and is not an error. Everything not
  selected, ``_Links`` included, is ``null``.
* ``CreatedBy``/``UpdatedBy`` are Associate objects built from the token (``sub``, ``name``,
  ``email``); SuperOffice's numeric ids (``AssociateId`` ...) are unknown here and ``null``.
* ``If-Unmodified-Since`` takes an HTTP-date (compared at whole seconds) or an ISO-8601
  date-time such as ``UpdatedDate`` (compared exactly).
* At most 1000 operations per patch.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

from ...core import Document, DocumentKey
from ...core.errors import FolioError, InvalidRequest, PatchTestFailed, UnsupportedMediaType
from ...web.request import base_url, json_body, media_type, positive_id, query_param
from ...web.responses import iso_utc, json_response
from ...web.problems import install_problem_handlers

KIND = "crm-document"
INT32_MAX = 2**31 - 1
MAX_OPERATIONS = 1000
PATCH_MEDIA_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/json")
JSON_MEDIA_TYPES = ("application/json", "text/json")


#: Every property of DocumentEntityWithLinks, in the spec's order.
PROPERTIES = (
    "DocumentId", "UpdatedBy", "CreatedBy", "Attention", "Header", "Name", "OurRef", "YourRef",
    "CreatedDate", "UpdatedDate", "Description", "DocumentTemplate", "Person", "Associate",
    "Contact", "Project", "Date", "ExternalRef", "Completed", "ActiveLinks", "Type", "Links",
    "LockSemantics", "Sale", "SuggestedDocumentId", "Snum", "UserDefinedFields", "ExtraFields",
    "CustomFields", "PublishEventDate", "PublishTo", "PublishFrom", "IsPublished", "VisibleFor",
    "TableRight", "FieldProperties", "_Links",
)
READ_ONLY = frozenset({"DocumentId", "CreatedBy", "CreatedDate", "UpdatedBy", "UpdatedDate",
                       "TableRight", "FieldProperties", "_Links"})
#: The writable properties (crm_models.WritableDocument checks that it has exactly these).
WRITABLE = (
    "Attention", "Header", "Name", "OurRef", "YourRef", "Description", "DocumentTemplate", "Person", "Associate",
    "Contact", "Project", "Date", "ExternalRef", "Completed", "ActiveLinks", "Type", "Links", "LockSemantics", "Sale",
    "SuggestedDocumentId", "Snum", "UserDefinedFields", "ExtraFields", "CustomFields", "PublishEventDate",
    "PublishTo", "PublishFrom", "IsPublished", "VisibleFor",
)
FREE_FORM = frozenset({"UserDefinedFields", "ExtraFields", "CustomFields"})
_CANONICAL = {name.lower(): name for name in PROPERTIES}
assert set(WRITABLE) | READ_ONLY == set(PROPERTIES)


# ---------------------------------------------------------------- requests

def document_key(tenant: str, raw_id: str) -> DocumentKey:
    """The id path part: an int32 > 0, else 400 (the spec types it int32)."""
    return DocumentKey(tenant, KIND, str(positive_id(raw_id, "id", bits=32)))


def canonical_property(name: Any) -> str:
    if isinstance(name, str) and name.lower() in _CANONICAL:
        return _CANONICAL[name.lower()]
    raise InvalidRequest(
        f"{name!r} is not a property of DocumentEntity",
        errors=[{"field": str(name), "message": "unknown property"}],
    )


def validate_writable(values: dict[str, Any]) -> dict[str, Any]:
    """Type-check writable properties; return them in stored (JSON) form."""
    from pydantic import ValidationError

    from .models import WritableDocument

    try:
        model = WritableDocument.model_validate_json(json.dumps(values), strict=True)
    except ValidationError as e:
        problems = [
            {"field": "/".join(str(p) for p in err["loc"]), "message": err["msg"]}
            for err in e.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(p["field"] for p in problems)
        raise InvalidRequest(f"invalid value for {fields}", errors=problems) from None
    return model.model_dump(mode="json")


def parse_create_body(event: dict[str, Any]) -> dict[str, Any]:
    if media_type(event) not in JSON_MEDIA_TYPES:
        raise UnsupportedMediaType("a DocumentEntity is sent as application/json", accepted=JSON_MEDIA_TYPES)
    body = json_body(event)
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object (a DocumentEntity)")
    writable: dict[str, Any] = {}
    for raw_name, value in body.items():
        name = canonical_property(raw_name)
        if name in READ_ONLY:
            continue  # documented: read-only properties are ignored on create
        if name in writable:
            raise InvalidRequest(f"property {name} is given twice (names are case-insensitive)")
        writable[name] = value
    return validate_writable(writable)


class DocumentPatch:
    """A JSON Patch or a JSON Merge Patch, re-applicable to whichever version is current."""

    def __init__(self, body: Any):
        if isinstance(body, list):
            if len(body) > MAX_OPERATIONS:
                raise InvalidRequest(f"a patch holds at most {MAX_OPERATIONS} operations, this one {len(body)}")
            for index, op in enumerate(body):
                _check_operation(index, op)
            self.operations: list[dict[str, Any]] | None = body
            self.merge: dict[str, Any] | None = None
        elif isinstance(body, dict):
            self.operations, self.merge = None, body
            for key in body:
                canonical_property(key)
        else:
            raise InvalidRequest("the body must be a JSON Patch array of operations or a JSON Merge Patch object")

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> DocumentPatch:
        if media_type(event) not in PATCH_MEDIA_TYPES:
            raise UnsupportedMediaType(
                f"PATCH accepts {', '.join(PATCH_MEDIA_TYPES)}; got {media_type(event) or 'no Content-Type'}",
                accepted=PATCH_MEDIA_TYPES,
            )
        return cls(json_body(event))

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
        return validate_writable({name: patched.get(name) for name in WRITABLE if name in patched})


def _check_operation(index: int, op: Any) -> None:
    where = f"operation {index}"
    if not isinstance(op, dict):
        raise InvalidRequest(f"{where} is not an object with op, path and value")
    name = op.get("op")
    if name in ("move", "copy"):
        raise InvalidRequest(f"{where}: '{name}' is not supported; use add, replace, remove or test",
                             errors=[{"field": f"/{index}/op", "message": "move and copy are not supported"}])
    if name not in ("add", "replace", "remove", "test"):
        raise InvalidRequest(f"{where}: unknown op {name!r}; use add, replace, remove or test",
                             errors=[{"field": f"/{index}/op", "message": "must be add, replace, remove or test"}])
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
            elif isinstance(node, list) and tokens[i].isdigit() and int(tokens[i]) < len(node):
                node = node[int(tokens[i])]
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


def parse_select(event: dict[str, Any]) -> frozenset[str] | None:
    raw = query_param(event, "$select")
    if raw is None or not raw.strip():
        return None
    names = set()
    for item in raw.split(","):
        top = item.strip().split("/", 1)[0].lower()
        if top in _CANONICAL:
            names.add(_CANONICAL[top])
    return frozenset(names)


# ---------------------------------------------------------------- answers

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


def entity_view(doc: Document, base: str = "") -> dict[str, Any]:
    """The full DocumentEntityWithLinks of ``doc`` (also what patches apply to)."""
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
        "_Links": {"Self": f"{base}/api/v1/Document/{doc.key.id}", "Archive": f"{base}/api/v1/Document"},
    })
    return entity


def entity_response(doc: Document, event: dict[str, Any], status: int = 200) -> Response:
    entity = entity_view(doc, base_url(event))
    selected = parse_select(event)
    if selected is not None:
        entity = {name: (value if name in selected else None) for name, value in entity.items()}
    headers = {"ETag": doc.etag, "Last-Modified": doc.updated_at.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    if status == 201:
        headers["Location"] = f"{base_url(event)}/api/v1/Document/{doc.key.id}"
    return json_response(entity, status, headers, content_type="application/json; charset=utf-8")


def _error_headers(error: FolioError) -> dict[str, str]:
    if isinstance(error, UnsupportedMediaType) and error.accepted == PATCH_MEDIA_TYPES:
        return {"Accept-Patch": ", ".join(PATCH_MEDIA_TYPES)}
    return {}


def install(app) -> None:
    """crm's exception-to-HTTP map: problem+json, with Accept-Patch on 415."""
    install_problem_handlers(app, _error_headers)


def __getattr__(name: str):
    """The pydantic model, imported on first use: reads never pay for pydantic (cold start)."""
    if name == "WritableDocument":
        from .models import WritableDocument

        return WritableDocument
    raise AttributeError(name)
