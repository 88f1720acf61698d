"""The OpenAPI document: every route once, unique operationIds, the multipart parts of kyc and capture."""

from folio.local.openapi import build_openapi


def test_every_route_has_one_operation_with_a_unique_id(template):
    doc = build_openapi(template)
    operations = [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]
    assert sorted((p, m.upper()) for p, m, _ in operations) == sorted((r.path, r.method) for r in template.routes)
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))


def test_multipart_operations_name_their_parts(template):
    paths = build_openapi(template)["paths"]
    kyc = paths["/api/customer/{customerId}/document/{documentId}"]["put"]
    form = kyc["requestBody"]["content"]["multipart/form-data"]
    assert form["schema"]["required"] == ["front", "document"] and set(form["schema"]["properties"]) == {"front", "back", "document"}
    assert {"type", "number", "authenticity", "issueDate", "expiryDate", "showExpiryNotification"} <= set(
        form["schema"]["properties"]["document"]["properties"])
    assert any(p["name"] == "X-Domain-ID" and p["required"] for p in kyc["parameters"])
    capture = paths["/capture/api/v1.1/documents/{docId}/attachments/{attId}"]["put"]
    form = capture["requestBody"]["content"]["multipart/form-data"]
    assert form["encoding"]["attachment"]["contentType"] == "application/json"
    assert "stateToken" in form["schema"]["properties"]["attachment"]["properties"]
    assert {"200", "409", "412"} <= set(capture["responses"])
