"""The core: documents, versions, preconditions, atomic batches and domain errors.

No HTTP and no boto3. What the core needs from storage is written down as Protocols in
:mod:`folio.core.ports`; :mod:`folio.storage` implements them.
"""

from .documents import Caller, Document, DocumentKey, FileRef, NewFile, Precondition
from .errors import FolioError
from .service import Change, DocumentService, Edit, utcnow

__all__ = ["Caller", "Change", "Document", "DocumentKey", "DocumentService", "Edit", "FileRef", "FolioError",
           "NewFile", "Precondition", "utcnow"]
