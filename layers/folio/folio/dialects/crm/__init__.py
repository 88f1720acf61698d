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

The package: ``constants`` (the properties, patch limits, media types; no pydantic),
``models`` (pydantic: the writable entity, the patch body), ``answers`` (pydantic: the answer,
for the OpenAPI document and the tests), ``mapping`` (the key,
property names, the entity view, patches applied to it), ``operations`` (over the core),
``views`` (answers and the error map), ``openapi`` and ``local`` (folio local only).
"""
