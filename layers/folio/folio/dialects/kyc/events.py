"""How kyc names its documents in change events (DESIGN §11): the route a consumer reads them at."""

from __future__ import annotations

from ...core import Document
from ...core.changes import Subject
from .mapping import KIND, document_number, domain_number


def document_subject(document: Document) -> Subject:
    customer, number = document.body.get("customerId"), document_number(document.key)
    return Subject("kyc", f"/api/customer/{customer}/document/{number}", str(number),
                   {"domainId": domain_number(document.key), "customerId": customer})


SUBJECTS = {KIND: document_subject}
