"""crm's constants: the DocumentEntity's properties, what a patch may hold, the media types.

The models, the mapping and the views share them; no pydantic here, so reads can import it.
"""

from __future__ import annotations

from ...core.documents import large_list

KIND = "crm-document"
#: The most operations one patch may hold (a merge patch counts as the operations it becomes).
MAX_OPERATIONS = 1000
#: The JSON Patch operations crm applies (the spec refuses ``move`` and ``copy``).
PATCH_OPERATIONS = ("add", "replace", "remove", "test")
#: What PATCH accepts; each of them takes a JSON Patch array or a JSON Merge Patch object.
PATCH_MEDIA_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/json")
#: What POST accepts.
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
#: The properties folio sets: POST ignores them, PATCH may only ``test`` them.
READ_ONLY = frozenset({"DocumentId", "CreatedBy", "CreatedDate", "UpdatedBy", "UpdatedDate",
                       "TableRight", "FieldProperties", "_Links"})
#: The properties a client sets, in the spec's order (the fields of models.WritableDocument).
WRITABLE = tuple(name for name in PROPERTIES if name not in READ_ONLY)
#: Free-form dictionaries: keys inside them are matched exactly, not case-insensitively.
FREE_FORM = frozenset({"UserDefinedFields", "ExtraFields", "CustomFields"})

#: The document's file slot that holds its content (``/api/v1/Document/{id}/Content``).
CONTENT_SLOT = "content"
#: Where content too large for a request body goes (DESIGN §9: an upload session).
CONTENT_UPLOADS_ROUTE = "POST /api/v1/Document/{id}/Content/uploads"
#: The media type of content sent without a Content-Type (SuperOffice streams octets).
DEFAULT_CONTENT_TYPE = "application/octet-stream"

#: The list every crm document is in (DESIGN §10): all of the tenant's documents, ``GET /api/v1/Document``;
#: it grows with the tenant's work, so it is sharded (DESIGN §12).
COLLECTION = large_list("crm")
#: A page's size when the request has no ``$top`` (``$top`` itself goes from 1 to core.listing.MAX_PAGE).
DEFAULT_TOP = 50
#: The OData query options the list takes; any other ``$`` option is refused (400), never ignored.
LIST_OPTIONS = ("$top", "$select", "$skiptoken")

#: The properties of SuperOffice's VersionInfo, in its order (``GET /api/v1/Document/{id}/Version``).
VERSION_INFO_PROPERTIES = ("ExternalReference", "DocumentId", "VersionId", "CheckedInDate", "CheckedInByName",
                           "CheckedInByAssociateId", "Description", "DisplayText", "ExtraFields")
#: A page of VersionInfo when the request has no ``$top``: the most a page holds, so that a document
#: with up to 100 content versions answers every one, as before the list was paginated.
VERSIONS_TOP = 100
