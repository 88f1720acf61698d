"""dms's constants, each written once. The mapping's rules and the pydantic models both read them;
they live apart from the models so that no dms handler pays for importing pydantic to learn a limit."""

from __future__ import annotations

#: The upload's metadata fields, in the spec's order (a form's text parts, or a JSON update's members).
FIELDS = ("folderId", "parentUuid", "name", "description")
#: The longest name (after surrounding whitespace is stripped) and the longest description.
MAX_NAME = 255
MAX_DESCRIPTION = 4096
#: What the ``file`` part may declare (a part without a Content-Type is application/octet-stream, RFC 7578).
ALLOWED_FILE_TYPES = ("image/*", "application/*", "text/*", "video/*")
