"""kyc: Cynopsis Artemis customer documents (specs/kyc-update-customer-document.txt).

The spec's update is ``PUT /api/customer/{customerId}/document/{documentId}`` with the
multipart parts ``front`` (file, required), ``back`` (file, optional) and ``document`` (JSON).
Decisions the spec leaves open, written down here:

* ``type`` is one of :data:`.models.DOCUMENT_TYPES`, ``authenticity`` one of :data:`.models.AUTHENTICITIES`
  (case-sensitive, as Java enums are). ``type`` is required when a document is created.
* On update, the fields present in ``document`` replace the stored ones; absent fields keep
  their values; ``null`` clears one (``type`` cannot be cleared). Fields that only appear in
  the answer (``id``, ``front``, ``createdAt`` ...) are ignored, so a client may send back
  what it read; any other unknown field is a 400 naming it.
* ``issueDate``/``expiryDate`` take ``YYYY-MM-DD`` or an ISO-8601 date-time; the calendar
  date as written is kept (``2020-01-01T00:00:00.000Z`` is 2020-01-01) and answered as
  ``YYYY-MM-DD``. An expiry before the issue date is a 400, also when only one of them changes.
* ``front``/``back`` are judged by their bytes: JPEG, PNG, HEIC, WebP or PDF, else 415; the
  stored content type is the detected one (curl sends ``application/octet-stream`` for a file
  without extension). An empty file is 400; a file over 4 MiB is 413.
* Updating without ``back`` keeps the previous back image. Documents live per tenant and
  ``X-Domain-ID``; another domain's or another customer's document is 404.
* ``createdAt``/``updatedAt`` are Java ``Timestamp`` objects in UTC (``year`` since 1900,
  ``month`` from 0, ``day`` the weekday with Sunday 0, ``date`` the day of the month,
  ``time`` epoch milliseconds, ``nanos`` the fraction of the second, ``timezoneOffset`` 0).
* ``createdBy``/``updatedBy`` are UserInfo from the token: ``fullName`` from ``name`` (else
  ``sub``), ``firstName``/``lastName`` from ``given_name``/``family_name``, ``id`` the ``sub``
  when it is an integer (else null). folio keeps no assignees or customer particulars:
  ``assignees`` is ``[]``, ``particular``/``parentParticular`` are ``{}``, ``parentCustomerId`` null.
* Life cycle (DESIGN §10), where the spec has no list or delete: ``GET /api/customer/{customerId}/document``
  answers a page of the customer's documents in the ``X-Domain-ID`` domain, newest first, in the
  shape of the vendor's own lists (Spring Data's page, as ``GET /api/customer`` answers: ``content``,
  ``empty``, ``first``, ``last``, ``numberOfElements``, ``size``) plus ``nextCursor`` (null on the last
  page; a page may be empty when the one before it ended the list). ``size`` is 1-100 (default 20);
  ``page`` is accepted only as 0 (later pages by ``cursor``, opaque and bound to its list); no
  ``totalElements``/``totalPages`` (counting would read the whole list). ``DELETE .../{documentId}``
  erases the document, its history and every image version (204); If-Match and
  If-Unmodified-Since apply (412); another customer's or domain's, or a deleted, document is 404.

The package: ``models`` (pydantic: the ``document`` part, the constants), ``answers`` (pydantic:
the answer, for the OpenAPI document and the tests),
``mapping`` (the key, the stored body, the images), ``operations`` (over the core),
``views`` (answers and the error map); ``openapi``, ``local`` and ``samples`` serve folio local.
"""
