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
* ``GET /api/v1/Document`` lists every crm document of the tenant (one list, ``constants.COLLECTION``),
  newest created first, as SuperOffice's OData answers: ``{"odata.metadata", "odata.nextLink",
  "value"}``. ``$top`` is the page size, 1 to 100 (default 50; outside, or not a number: 400).
  ``odata.nextLink`` is the next page's full URL (same ``$top`` and ``$select``, the opaque cursor in
  ``$skiptoken``) and is absent on the last page, as OData has it. A ``$skiptoken`` forged, tampered
  with, or of another tenant's list is 400. Other OData options (``$skip``, ``$filter``,
  ``$orderby`` ...) are 400, never silently ignored. In the list, ``$select`` projects: a row holds
  only the properties named (the entity routes null the others instead, as the spec says).
* ``DELETE /api/v1/Document/{id}`` erases the document, its history and every content version
  (DESIGN §10): 204, If-Match and If-Unmodified-Since apply (stale: 412, nothing deleted); a
  document already deleted, or another tenant's, is 404.

The package: ``constants`` (the properties, patch limits, media types; no pydantic),
``models`` (pydantic: the writable entity, the patch body), ``answers`` (pydantic: the answer,
for the OpenAPI document and the tests), ``mapping`` (the key,
property names, the entity view, patches applied to it), ``operations`` (over the core),
``views`` (answers and the error map), ``openapi`` and ``local`` (folio local only).
"""
