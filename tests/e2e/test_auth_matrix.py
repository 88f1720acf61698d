"""The auth matrix over every route of template.yaml, against `folio local`: bad tokens 401, missing
scopes 403, another tenant's resources 404 with nothing leaked, KYC domains, Capture steps, Artu environments."""

import hashlib
import json

import pytest
import requests
from requests_toolbelt import MultipartEncoder

from ..support.files import png
from ..support.uploads import crc64nvme_b64

pytestmark = pytest.mark.e2e
SECRET = "alpha-secret-7f3a"
CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
TENANT = "alpha"


def multipart(fields):
    encoder = MultipartEncoder(fields=fields)
    return {"data": encoder.to_string(), "headers": {"Content-Type": encoder.content_type}}


def kyc_form():
    return multipart({"document": json.dumps({"type": "PASSPORT", "number": SECRET}), "front": ("f.png", png(), "image/png")})


@pytest.fixture(scope="module")
def world(local_server):
    """One resource of every kind, owned by tenant alpha."""
    url, token = local_server.url, local_server.token(tenant=TENANT)
    auth = {"Authorization": f"Bearer {token}"}
    crm = requests.post(f"{url}/api/v1/Document", json={"Header": SECRET}, headers=auth).json()["DocumentId"]
    form = kyc_form()
    kyc = requests.post(f"{url}/api/customer/10/document", data=form["data"],
                        headers={**auth, **form["headers"], "X-Domain-ID": "5"}).json()["id"]
    cap_doc = requests.post(f"{url}/capture/api/v1.1/documents", json={"procedure": {"name": "Demo"}},
                            headers=auth).json()["id"]
    form = multipart({"attachment": (None, json.dumps({"title": SECRET}), "application/json"),
                      "content": ("s.txt", SECRET.encode(), "text/plain")})
    att = requests.post(f"{url}/capture/api/v1.1/documents/{cap_doc}/attachments", data=form["data"],
                        headers={**auth, **form["headers"]}).json()
    form = multipart({"file": ("s.txt", SECRET.encode(), "text/plain"), "name": SECRET})
    dms = requests.post(f"{url}/api/v2/clients/1/dms/projects/1/documents", data=form["data"],
                        headers={**auth, **form["headers"]}).json()["id"]
    artu = requests.put(f"{url}/documents/batch/external", headers={**auth, "X-Environment": "live"},
                        json={"items": [{"clientId": CLIENT, "externalId": SECRET, "metadata": {"s": SECRET}}]}
                        ).json()["data"][0]["data"]["id"]
    world = {"crm": crm, "kyc": kyc, "cap_doc": cap_doc, "att": att["id"], "state": att["stateToken"], "dms": dms,
             "artu": artu}
    world["uploads"] = {slot: start_session(url, auth, path, body, headers)
                        for slot, (path, body, headers) in session_slots(world).items()}
    return world


#: A file of a few bytes sent through an upload session, and its start and completion bodies.
SESSION_FILE = SECRET.encode()


def session_start(content_type, **fields):
    return {"fileName": "s.bin", "contentType": content_type, "size": len(SESSION_FILE),
            "partChecksums": [crc64nvme_b64(SESSION_FILE)], **fields}


SESSION_COMPLETION = {"parts": [{"partNumber": 1, "etag": '"' + hashlib.md5(SESSION_FILE).hexdigest() + '"'}],
                      "checksum": crc64nvme_b64(SESSION_FILE)}


def session_slots(world):
    """Every upload-session slot: its path, a start body and the headers its routes need."""
    capture = f"/capture/api/v1.1/documents/{world['cap_doc']}/attachments"
    dms = "/api/v2/clients/1/dms/projects/1/documents"
    return {
        "kyc-create": ("/api/customer/10/document", session_start("image/png", document={"type": "PASSPORT"}),
                       {"X-Domain-ID": "5"}),
        "kyc-front": (f"/api/customer/10/document/{world['kyc']}/front", session_start("image/png"), {"X-Domain-ID": "5"}),
        "kyc-back": (f"/api/customer/10/document/{world['kyc']}/back", session_start("image/png"), {"X-Domain-ID": "5"}),
        "dms-create": (dms, session_start("application/pdf"), {}),
        "dms-version": (f"{dms}/{world['dms']}", session_start("application/pdf"), {}),
        "capture-add": (capture, session_start("text/plain"), {}),
        "capture-content": (f"{capture}/{world['att']}/content", session_start("text/plain"),
                            {"X-Requested-With": "XMLHttpRequest"}),
        "crm-content": (f"/api/v1/Document/{world['crm']}/Content", session_start("text/plain"), {}),
        "artu-file": (f"/documents/{world['artu']}", session_start("image/jpeg"), {"X-Environment": "live"}),
    }


def start_session(url, auth, path, body, headers):
    answer = requests.post(f"{url}{path}/uploads", json=body, headers={**auth, **headers}, timeout=30)
    assert answer.status_code == 201, (path, answer.text)
    return answer.json()["uploadId"]


def session_rows(world):
    """The four session routes of every slot (capture's under /v1.1/ and /v1/): start, resume, abort, complete."""
    templates = {
        "kyc-create": "/api/customer/{customerId}/document", "kyc-front": "/api/customer/{customerId}/document/{documentId}/front",
        "kyc-back": "/api/customer/{customerId}/document/{documentId}/back",
        "dms-create": "/api/v2/clients/{client_id}/dms/projects/{project_id}/documents",
        "dms-version": "/api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}",
        "capture-add": "/capture/api/v1.1/documents/{docId}/attachments",
        "capture-content": "/capture/api/v1.1/documents/{docId}/attachments/{attId}/content",
        "crm-content": "/api/v1/Document/{id}/Content", "artu-file": "/documents/{id}",
    }
    rows, seen = [], set()
    for slot, (path, body, headers) in session_slots(world).items():
        upload = world["uploads"][slot]
        for route, real in ((templates[slot], path), (templates[slot].replace("/v1.1/", "/v1/"), path.replace("/v1.1/", "/v1/"))):
            if route in seen:
                continue
            seen.add(route)
            rows += [
                (f"POST {route}/uploads", "POST", f"{real}/uploads", {"json": body, "extra": headers}),
                (f"GET {route}/uploads/{{uploadId}}", "GET", f"{real}/uploads/{upload}", {"extra": headers}),
                (f"DELETE {route}/uploads/{{uploadId}}", "DELETE", f"{real}/uploads/{upload}", {"extra": headers}),
                (f"POST {route}/uploads/{{uploadId}}/complete", "POST", f"{real}/uploads/{upload}/complete",
                 {"json": SESSION_COMPLETION, "extra": headers}),
            ]
    return rows


def requests_for(world):
    """A realistic request for every route: (route key, method, path, requests kwargs)."""
    capture_att = f"/capture/api/v1.1/documents/{world['cap_doc']}/attachments/{world['att']}"
    capture_v1 = capture_att.replace("/v1.1/", "/v1/")
    att_form = lambda: multipart({"attachment": (None, json.dumps({"title": "x", "stateToken": world["state"]}),
                                                 "application/json")})
    add_form = lambda: multipart({"attachment": (None, "{}", "application/json"), "content": ("a.txt", b"a", "text/plain")})
    dms = f"/api/v2/clients/1/dms/projects/1/documents/{world['dms']}"
    kyc = f"/api/customer/10/document/{world['kyc']}"
    xhr = {"X-Requested-With": "XMLHttpRequest"}
    dom = {"X-Domain-ID": "5"}
    live = {"X-Environment": "live"}
    rows = [
        ("POST /api/v1/Document", "POST", "/api/v1/Document", {"json": {}}),
        ("GET /api/v1/Document/{id}", "GET", f"/api/v1/Document/{world['crm']}?$select=Header", {}),
        ("PATCH /api/v1/Document/{id}", "PATCH", f"/api/v1/Document/{world['crm']}", {"json": {"Name": "x"}}),
        ("POST /api/customer/{customerId}/document", "POST", "/api/customer/10/document", {**kyc_form(), "extra": dom}),
        ("PUT /api/customer/{customerId}/document/{documentId}", "PUT", kyc, {**kyc_form(), "extra": dom}),
        ("GET /api/customer/{customerId}/document/{documentId}", "GET", kyc, {"extra": dom}),
        ("GET /api/customer/{customerId}/document/{documentId}/front", "GET", f"{kyc}/front", {"extra": dom}),
        ("GET /api/customer/{customerId}/document/{documentId}/back", "GET", f"{kyc}/back", {"extra": dom}),
    ]
    for version, att_path in (("v1.1", capture_att), ("v1", capture_v1)):
        base = f"/capture/api/{version}/documents"
        rows += [
            (f"POST {base}", "POST", base, {"json": {"procedure": {"name": "Demo"}}}),
            (f"POST {base}/{{docId}}/attachments", "POST", f"{base}/{world['cap_doc']}/attachments", add_form()),
            (f"GET {base}/{{docId}}/attachments/{{attId}}", "GET", att_path, {}),
            (f"GET {base}/{{docId}}/attachments/{{attId}}/content", "GET", f"{att_path}/content", {}),
            (f"PUT {base}/{{docId}}/attachments/{{attId}}", "PUT", att_path, {**att_form(), "extra": xhr}),
        ]
    rows += [
        ("POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents", "POST",
         "/api/v2/clients/1/dms/projects/1/documents", multipart({"file": ("a.txt", b"a", "text/plain")})),
        ("POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}", "POST", dms,
         multipart({"name": "x"})),
        ("PUT /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}", "PUT", dms,
         multipart({"name": "x"})),
        ("GET /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}", "GET", dms, {}),
        ("GET /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}/versions", "GET",
         f"{dms}/versions", {}),
        ("GET /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}/versions/{version}/file",
         "GET", f"{dms}/versions/1/file", {}),
        ("PUT /documents/batch/external", "PUT", "/documents/batch/external",
         {"json": {"items": [{"clientId": CLIENT, "externalId": "beta-1"}]}, "extra": live}),
        ("GET /documents/{id}", "GET", f"/documents/{world['artu']}", {"extra": live}),
        ("GET /documents", "GET", f"/documents?clientId={CLIENT}&externalId={SECRET}", {"extra": live}),
        ("POST /documents/{id}/upload-url", "POST", f"/documents/{world['artu']}/upload-url", {"extra": live}),
        ("GET /documents/{id}/file", "GET", f"/documents/{world['artu']}/file", {"extra": live}),
        ("GET /api/v1/Document/{id}/Content", "GET", f"/api/v1/Document/{world['crm']}/Content", {}),
        ("PUT /api/v1/Document/{id}/Content", "PUT", f"/api/v1/Document/{world['crm']}/Content",
         {"data": b"new content", "headers": {"Content-Type": "text/plain"}}),
        ("GET /api/v1/Document/{id}/Version", "GET", f"/api/v1/Document/{world['crm']}/Version", {}),
        # the life cycle (DESIGN §10): lists, deletes, restore; no valid alpha token ever reaches a delete here
        ("GET /api/v1/Document", "GET", "/api/v1/Document?$top=5&$select=Header,DocumentId", {}),
        ("DELETE /api/v1/Document/{id}", "DELETE", f"/api/v1/Document/{world['crm']}", {}),
        ("GET /api/customer/{customerId}/document", "GET", "/api/customer/10/document?size=10", {"extra": dom}),
        ("DELETE /api/customer/{customerId}/document/{documentId}", "DELETE", kyc, {"extra": dom}),
        ("GET /api/v2/clients/{client_id}/dms/projects/{project_id}/documents", "GET",
         "/api/v2/clients/1/dms/projects/1/documents?limit=10", {}),
        ("DELETE /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}", "DELETE", dms, {}),
        ("POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}/versions/{version}/restore",
         "POST", f"{dms}/versions/1/restore", {}),
        ("DELETE /documents/{id}", "DELETE", f"/documents/{world['artu']}", {"extra": live}),
    ]
    for version, att_path in (("v1.1", capture_att), ("v1", capture_v1)):
        doc_path = f"/capture/api/{version}/documents/{world['cap_doc']}"
        rows += [
            (f"GET /capture/api/{version}/documents/{{docId}}", "GET", doc_path, {}),
            (f"GET /capture/api/{version}/documents/{{docId}}/attachments", "GET", f"{doc_path}/attachments?limit=10", {}),
            (f"DELETE /capture/api/{version}/documents/{{docId}}/attachments/{{attId}}", "DELETE", att_path,
             {"json": {"stateToken": world["state"]}, "extra": xhr}),
        ]
    return rows + session_rows(world)


def send(server, row, token=None, extra_headers=None):
    _, method, path, kwargs = row
    kwargs = dict(kwargs)
    headers = {**kwargs.pop("headers", {}), **kwargs.pop("extra", {}), **(extra_headers or {})}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, server.url + path, headers=headers, timeout=30, **kwargs)


def test_the_matrix_names_every_route_of_the_template(world, template):
    """Every route but HEAD's, which mirror a GET each (same function and scopes): the HEAD test below."""
    assert sorted(r[0] for r in requests_for(world)) == sorted(r.route_key for r in template.routes
                                                               if r.method != "HEAD")
    gets = {(r.path, r.function_id, r.scopes) for r in template.routes if r.method == "GET"}
    assert {(r.path, r.function_id, r.scopes) for r in template.routes if r.method == "HEAD"} == gets


def test_head_routes_answer_as_their_get_routes_without_a_body(local_server, world):
    """HEAD on every GET route: 401 without a token, 403 without the scope, another tenant's 404, and
    for the owner the GET's status and headers, with no body."""
    good = local_server.token(tenant=TENANT)
    write_only = local_server.token(tenant=TENANT, scope="documents:write")
    beta = local_server.token(tenant="beta")
    for row in requests_for(world):
        if row[1] != "GET":
            continue
        head = (row[0].replace("GET ", "HEAD ", 1), "HEAD", *row[2:])
        assert send(local_server, head).status_code == 401, head[0]
        if "/uploads/" not in row[0]:
            assert send(local_server, head, write_only).status_code == 403, head[0]
        if any(p in row[0] for p in RESOURCE_PARAMETERS):
            assert send(local_server, head, beta).status_code == 404, head[0]
        got, answered = send(local_server, row, good), send(local_server, head, good)
        assert answered.status_code == got.status_code and answered.content == b"", head[0]
        for name in ("ETag", "Content-Type", "Cache-Control", "Vary", "Content-Disposition"):
            if name in got.headers and name != "ETag" or (name == "ETag" and "ETag" in got.headers
                                                          and not got.headers["ETag"].startswith("W/")):
                assert answered.headers.get(name) == got.headers[name], (head[0], name)


@pytest.mark.parametrize("case", ["none", "garbage", "bad-signature", "expired", "wrong-issuer", "wrong-audience"])
def test_every_route_answers_401_to_bad_tokens(local_server, world, case, tmp_path):
    from folio.local.auth import mint_token

    good = local_server.token(tenant=TENANT)
    token = {
        "none": None, "garbage": "abc.def.ghi",
        "bad-signature": good[:-8] + ("A" * 8 if not good.endswith("A" * 8) else "B" * 8),
        "expired": local_server.token(tenant=TENANT, expires_in=-5),
        "wrong-issuer": local_server.token(tenant=TENANT, issuer="https://attacker.example/"),
        "wrong-audience": local_server.token(tenant=TENANT, audience="another-api"),
    }[case]
    for row in requests_for(world):
        answer = send(local_server, row, token)
        assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"}), (case, row[0])
    assert mint_token(base=tmp_path)  # a key of another installation is 'bad-signature' too (test_local_http)


def test_missing_scopes_are_403_on_every_route(local_server, world):
    read_only = local_server.token(tenant=TENANT, scope="documents:read")
    write_only = local_server.token(tenant=TENANT, scope="documents:write")
    for row in requests_for(world):
        token = write_only if row[1] == "GET" and "/uploads/" not in row[0] else read_only  # a session hands out write URLs
        answer = send(local_server, row, token)
        assert (answer.status_code, answer.json()) == (403, {"message": "Forbidden"}), row[0]


#: Route parameters that name a resource of the caller's: another tenant gets 404 for them.
RESOURCE_PARAMETERS = ("{id}", "{documentId}", "{docId}", "{document_id}", "{uploadId}")


def test_another_tenants_resources_are_404_and_nothing_leaks(local_server, world):
    beta = local_server.token(tenant="beta")  # a tenant with nothing of its own yet: creates go last
    checked = 0
    rows = requests_for(world)
    for row in sorted(rows, key=lambda r: not any(p in r[0] for p in RESOURCE_PARAMETERS)):
        route = row[0]
        answer = send(local_server, row, beta)
        if route == "GET /documents":
            assert answer.status_code == 200 and answer.json() == {"data": []}
        elif any(p in route for p in RESOURCE_PARAMETERS):
            assert answer.status_code == 404, (route, answer.status_code, answer.text)
            assert SECRET not in answer.text, route
            checked += 1
        else:
            assert answer.status_code in (200, 201), (route, answer.text)  # creates: beta's own
    assert checked == 21 + 4 + 42 + 11  # every route naming a resource (files, content; sessions; the life cycle)


def test_kyc_domain_not_granted_is_403(local_server, world):
    token = local_server.token(tenant=TENANT, domains=["6"])
    for row in requests_for(world):
        if "/api/customer/" in row[2]:
            answer = send(local_server, row, token)
            assert answer.status_code == 403 and SECRET not in answer.text, row[0]


def test_capture_step_not_granted_is_403(local_server, world):
    token = local_server.token(tenant=TENANT, steps=["some-other-step"])
    for row in requests_for(world):
        if row[2].startswith("/capture/"):
            answer = send(local_server, row, token)
            assert answer.status_code == 403 and SECRET not in answer.text, row[0]


def test_artu_environment_mismatch_sees_nothing(local_server, world):
    token = local_server.token(tenant=TENANT)
    for row in requests_for(world):
        if row[0] in ("GET /documents/{id}", "POST /documents/{id}/upload-url", "GET /documents",
                      "GET /documents/{id}/file", "DELETE /documents/{id}") or row[0].startswith(("POST /documents/{id}/uploads",
                                                                        "GET /documents/{id}/uploads")):
            answer = send(local_server, row, token, {"X-Environment": "test"})
            assert SECRET not in answer.text and answer.status_code in (404, 200), row[0]
            if answer.status_code == 200:
                assert answer.json() == {"data": []}


@pytest.mark.parametrize("tenant", [None, 5, True, ["alpha"], {"id": "alpha"}, "alpha\n", "None", "5", "true"],
                         ids=["null", "number", "boolean", "list", "object", "trailing-newline", "None", "5", "true"])
def test_a_tenant_claim_that_is_no_tenants_string_is_403_on_every_route(local_server, world, tenant):
    """Never a tenant named "None", "5" or "true" (HTTP API passes every claim as a string)."""
    token = local_server.token(extra={"tenant": tenant})
    for row in requests_for(world):
        answer = send(local_server, row, token)
        assert answer.status_code == 403 and SECRET not in answer.text, (row[0], answer.status_code, answer.text)


def test_claims_of_5000_digits_are_no_5xx(local_server, world):
    """int() refuses more than 4300 digits: a folio:domains or sub claim of 5000 must not reach it."""
    huge = "9" * 5000
    kyc = [row for row in requests_for(world) if "/api/customer/" in row[2]]
    token = local_server.token(tenant=TENANT, domains=[huge])
    for row in kyc:
        answer = send(local_server, row, token)
        assert answer.status_code == 403, (row[0], answer.status_code, answer.text)
    token = local_server.token(tenant=TENANT, sub=huge)
    for row in kyc:
        answer = send(local_server, row, token)
        assert answer.status_code < 500, (row[0], answer.status_code, answer.text)
    form = kyc_form()
    created = requests.post(f"{local_server.url}/api/customer/10/document", data=form["data"],
                            headers={"Authorization": f"Bearer {token}", **form["headers"], "X-Domain-ID": "5"})
    assert created.status_code == 201 and created.json()["createdBy"]["id"] is None, created.text


def not_found(url, token, path, headers=None):
    answer = requests.get(url + path, headers={"Authorization": f"Bearer {token}", **(headers or {})}, timeout=30)
    assert answer.status_code == 404, (path, answer.status_code, answer.text)
    return answer.json()


def test_a_404_reads_the_same_whether_the_id_exists_elsewhere_or_nowhere(local_server, world):
    """Another customer's, domain's, client's, project's or document's id is answered exactly as an
    id that exists nowhere, and no answer shows an internal composite id."""
    url, token = local_server.url, local_server.token(tenant=TENANT)
    nowhere = 987654321
    kyc, dms = world["kyc"], world["dms"]
    kyc_nowhere = not_found(url, token, f"/api/customer/10/document/{nowhere}", {"X-Domain-ID": "5"})
    for path, domain in ((f"/api/customer/11/document/{kyc}", "5"),  # another customer
                         (f"/api/customer/10/document/{kyc}", "6")):  # another X-Domain-ID
        elsewhere = not_found(url, token, path, {"X-Domain-ID": domain})
        assert elsewhere == {**kyc_nowhere, "detail": kyc_nowhere["detail"].replace(str(nowhere), str(kyc))}, path
        assert "/" not in elsewhere["detail"] and "customer" not in elsewhere["detail"], elsewhere
    for suffix in ("", "/front", "/back"):
        assert not_found(url, token, f"/api/customer/11/document/{kyc}{suffix}", {"X-Domain-ID": "5"}) == \
            not_found(url, token, f"/api/customer/10/document/{kyc}{suffix}", {"X-Domain-ID": "6"}), suffix
    for suffix in ("", "/versions", "/versions/1/file"):
        dms_nowhere = not_found(url, token, f"/api/v2/clients/1/dms/projects/1/documents/{nowhere}{suffix}")
        for client, project in ((2, 1), (1, 2)):  # another client, another project
            elsewhere = not_found(url, token, f"/api/v2/clients/{client}/dms/projects/{project}/documents/{dms}{suffix}")
            assert json.dumps(elsewhere).replace(str(dms), "ID") == json.dumps(dms_nowhere).replace(str(nowhere), "ID")
            assert f"{client}/{project}" not in json.dumps(elsewhere), elsewhere
    auth = {"Authorization": f"Bearer {token}"}
    other = requests.post(f"{url}/capture/api/v1.1/documents", json={"procedure": {"name": "Demo"}}, headers=auth).json()["id"]
    nowhere_att = "no-such-attachment"
    for suffix in ("", "/content"):
        base = f"/capture/api/v1.1/documents/{other}/attachments/"
        elsewhere = not_found(url, token, base + world["att"] + suffix)  # attached to another document
        assert elsewhere == json.loads(json.dumps(not_found(url, token, base + nowhere_att + suffix))
                                       .replace(nowhere_att, world["att"])), suffix
