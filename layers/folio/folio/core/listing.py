"""Pages of a list and their cursors (DESIGN §10): opaque to the client, bound to one list.

A cursor is the position storage gave after the last item of a page, sealed with an HMAC over the
list it belongs to (tenant and collection, or tenant and document for a version list): a cursor forged, tampered with, or taken from another
tenant's or another list's page is refused (400) and reads nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Callable

from .documents import Document, DocumentKey
from .errors import InvalidRequest

#: The most items a page holds, whatever the client asks.
MAX_PAGE = 100


@dataclass(frozen=True)
class Page:
    documents: list[Document]
    cursor: str | None  # the next page's; None on the last page


@dataclass(frozen=True)
class VersionPage:
    """A page of a document's numbered versions (DESIGN §12): each number with the first committed
    version that held it, in the order asked for."""

    versions: list[tuple[int, Document]]
    cursor: str | None  # the next page's; None on the last page


def versions_scope(key: DocumentKey, newest_first: bool) -> str:
    """What a cursor of a document's version list is bound to: the tenant, the document, the order."""
    return f"{key.tenant}#{key.kind}#{key.id}#versions#{'desc' if newest_first else 'asc'}"


class Cursors:
    """Seal and open cursors with one key: the deployment's secret (storage.secrets), asked for only
    when a cursor is first sealed or opened, so that a list of one page reads no secret."""

    def __init__(self, key: bytes | Callable[[], bytes]):
        self._key = key if isinstance(key, bytes) else None
        self._source = None if isinstance(key, bytes) else key

    def _mac(self, scope: str, payload: str) -> str:
        if self._key is None:
            self._key = self._source()
        return hmac.new(self._key, f"{scope}\n{payload}".encode(), hashlib.sha256).hexdigest()[:32]

    def seal(self, position: dict[str, Any], scope: str) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{payload}.{self._mac(scope, payload)}"

    def open(self, cursor: str | None, scope: str) -> dict[str, Any] | None:
        if cursor is None:
            return None
        payload, _, mac = cursor.partition(".")
        if (not payload or len(cursor) > 4096 or not cursor.isascii()
                or not hmac.compare_digest(mac, self._mac(scope, payload))):
            raise InvalidRequest("the cursor is not one this list gave (it is opaque: pass it back unchanged)",
                                 errors=[{"field": "cursor", "message": "not a cursor of this list"}])
        try:
            position = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (binascii.Error, ValueError):
            raise InvalidRequest("the cursor is not one this list gave") from None
        return position
