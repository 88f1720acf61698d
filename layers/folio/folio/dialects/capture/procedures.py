"""capture's procedures (their steps and attachment types): tenant configuration, one record per
tenant, kept with the same versioned writes as documents."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from ...core import Caller, Document, DocumentKey, DocumentService
from ...core.errors import InvalidRequest
from .constants import CONFIG_KIND, DEFAULT_TENANT

_DEMO_NS = uuid.UUID("5c1f6a2e-6f7b-4d3e-9a55-0f01f0110000")


def _demo_id(name: str) -> str:
    return str(uuid.uuid5(_DEMO_NS, name))


#: The procedure ``folio local`` seeds (deployment-wide default; fixed ids).
DEMO_PROCEDURE = {
    "id": _demo_id("procedure/Demo"),
    "name": "Demo",
    "batchPrefix": "demo",
    "steps": [
        {"id": _demo_id("step/Review"), "name": "Review", "type": "Review"},
        {"id": _demo_id("step/Find Invoice Date"), "name": "Find Invoice Date", "type": "External Processor"},
        {"id": _demo_id("step/Commit"), "name": "Commit", "type": "Commit Processor"},
    ],
    "attachmentTypes": [
        {"id": _demo_id("type/Invoice Notes"), "name": "Invoice Notes"},
        {"id": _demo_id("type/Receipt"), "name": "Receipt"},
    ],
}


@dataclass(frozen=True)
class Procedure:
    id: str
    name: str
    batch_prefix: str
    steps: tuple[dict[str, str], ...]
    attachment_types: tuple[dict[str, str], ...]

    @classmethod
    def from_config(cls, value: dict[str, Any]) -> Procedure:
        return cls(value["id"], value["name"], value.get("batchPrefix") or value["name"].lower()[:8],
                   tuple(value["steps"]), tuple(value.get("attachmentTypes", ())))

    def to_config(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "batchPrefix": self.batch_prefix,
                "steps": list(self.steps), "attachmentTypes": list(self.attachment_types)}

    def attachment_type(self, ref: Any) -> dict[str, str] | None:
        """An attachment type by ``id`` or ``name`` (both must agree when both are given); None clears."""
        if ref is None:
            return None
        if not isinstance(ref, dict) or not ({"id", "name"} & set(ref)):
            raise InvalidRequest("type must be an object with its id or name, or null",
                                 errors=[{"field": "attachment.type", "message": "object with id or name, or null"}])
        matches = [t for t in self.attachment_types
                   if ("id" not in ref or t["id"] == ref["id"]) and ("name" not in ref or t["name"] == ref["name"])]
        if len(matches) != 1:
            known = ", ".join(t["name"] for t in self.attachment_types) or "none"
            raise InvalidRequest(
                f"type {json.dumps(ref)} is not an attachment type of procedure {self.name} (known: {known})",
                errors=[{"field": "attachment.type", "message": "unknown attachment type"}])
        return {"id": matches[0]["id"], "name": matches[0]["name"]}


class Procedures:
    """Each tenant's procedures, one record per tenant, kept with the same versioned writes as documents."""

    def __init__(self, documents: DocumentService):
        self.documents = documents

    @staticmethod
    def key(tenant: str) -> DocumentKey:
        return DocumentKey(tenant, CONFIG_KIND, "procedures")

    def of_tenant(self, tenant: str) -> list[Procedure]:
        """The tenant's own procedures, else the deployment's default ones (both read at once)."""
        found = self.documents.find_many([self.key(tenant), self.key(DEFAULT_TENANT)])
        record = found.get(self.key(tenant)) or found.get(self.key(DEFAULT_TENANT))
        return [Procedure.from_config(p) for p in (record.body["procedures"] if record else [])]

    def find(self, tenant: str, ref: Any) -> Procedure:
        if not isinstance(ref, dict) or not isinstance(ref.get("id", ref.get("name")), str):
            raise InvalidRequest("procedure must be an object with its id or name",
                                 errors=[{"field": "procedure", "message": "object with id or name"}])
        procedures = self.of_tenant(tenant)
        for p in procedures:
            if ("id" not in ref or p.id == ref["id"]) and ("name" not in ref or p.name == ref["name"]):
                return p
        known = ", ".join(p.name for p in procedures) or "none"
        raise InvalidRequest(f"no procedure {json.dumps(ref)} (known: {known})",
                             errors=[{"field": "procedure", "message": "unknown procedure"}])

    def by_id(self, tenant: str, procedure_id: str) -> Procedure:
        return self.find(tenant, {"id": procedure_id})

    def of_document(self, document: Document) -> Procedure:
        """The procedure a document was created in."""
        return self.by_id(document.key.tenant, document.body["procedure"]["id"])

    def define(self, tenant: str, procedure: dict[str, Any], caller: Caller) -> Procedure:
        """Add a procedure to a tenant's configuration, or replace the one with its name."""
        try:
            defined = Procedure.from_config({"id": str(uuid.uuid4()), **procedure})
            steps = [{"id": str(s.get("id") or uuid.uuid4()), "name": str(s["name"]), "type": str(s.get("type", ""))}
                     for s in defined.steps]
            types = [{"id": str(t.get("id") or uuid.uuid4()), "name": str(t["name"])} for t in defined.attachment_types]
        except (KeyError, TypeError, AttributeError) as e:
            raise InvalidRequest(f"a procedure needs a name, steps with names and attachment types with names ({e})") from None
        if not steps:
            raise InvalidRequest("a procedure needs at least one step")
        if len({t["name"] for t in types}) != len(types):
            raise InvalidRequest("attachment type names must be unique within a procedure")
        defined = Procedure(defined.id, defined.name, defined.batch_prefix, tuple(steps), tuple(types))
        key = self.key(tenant)

        def change(current: Document) -> dict[str, Any]:
            kept = [p for p in current.body["procedures"] if p["name"] != defined.name]
            return {"procedures": [*kept, defined.to_config()]}

        if self.documents.find(key) is None:
            self.documents.create(key, {"procedures": [defined.to_config()]}, caller)
        else:
            self.documents.update(key, change, caller)
        return defined
