"""End to end: `requests` and curl against `folio local` started by the test session."""

import concurrent.futures
import json
import re
import shlex
import subprocess

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(server, **kwargs):
    return {"Authorization": "Bearer " + server.token(**kwargs)}


def create(server, body=None, **token_kwargs):
    answer = requests.post(f"{server.url}/api/v1/Document", json=body or {}, headers=auth(server, **token_kwargs))
    assert answer.status_code == 201, answer.text
    return answer


def test_it_prints_routes_a_token_and_a_working_curl_line(local_server):
    output = "".join(local_server.output)
    for route in ("POST   /api/v1/Document", "GET    /api/v1/Document/{id}", "PATCH  /api/v1/Document/{id}"):
        assert route in output
    assert "gone when folio local stops" in output
    curl = next(line.strip() for line in local_server.output if line.strip().startswith("curl "))
    argv = shlex.split(curl)
    # the printed token was signed with the server's key in its working directory: use it as is
    out = subprocess.run(argv + ["-w", "\\n%{http_code}"], capture_output=True, text=True, timeout=30, check=True)
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "201" and json.loads(body)["Header"] == "Quarterly Sales Report"


def test_create_patch_get_round_trip_with_etags(local_server):
    doc = create(local_server, {"Header": "h", "CustomFields": {"a": 1}}).json()
    url = f"{local_server.url}/api/v1/Document/{doc['DocumentId']}"
    headers = auth(local_server)
    patched = requests.patch(url, json=[{"op": "add", "path": "/customfields/b", "value": 2}],
                             headers={**headers, "If-Match": '"1"'})
    assert patched.status_code == 200 and patched.headers["ETag"] == '"2"'
    stale = requests.patch(url, json={"Header": "late"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == '"2"'
    got = requests.get(url, headers=auth(local_server, scope="documents:read"))
    assert got.json()["CustomFields"] == {"a": 1, "b": 2} and got.json()["Header"] == "h"
    assert got.json()["_Links"]["Self"] == url


@pytest.mark.parametrize("case", ["none", "garbage", "expired", "wrong-issuer", "wrong-audience", "other-key"])
def test_every_route_refuses_bad_tokens_with_401(local_server, tmp_path, case):
    from folio.local.auth import mint_token

    doc_id = create(local_server).json()["DocumentId"]
    header = {
        "none": None,
        "garbage": "Bearer abc.def.ghi",
        "expired": "Bearer " + local_server.token(expires_in=-5),
        "wrong-issuer": "Bearer " + local_server.token(issuer="https://attacker.example/"),
        "wrong-audience": "Bearer " + local_server.token(audience="another-api"),
        "other-key": "Bearer " + mint_token(base=tmp_path),
    }[case]
    headers = {"Authorization": header} if header else {}
    for method, path in (("POST", "/api/v1/Document"), ("GET", f"/api/v1/Document/{doc_id}"),
                         ("PATCH", f"/api/v1/Document/{doc_id}")):
        answer = requests.request(method, local_server.url + path, json={"Header": "x"}, headers=headers)
        assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized"}


def test_scopes_are_enforced_with_403(local_server):
    doc_id = create(local_server).json()["DocumentId"]
    read_only = auth(local_server, scope="documents:read")
    assert requests.post(f"{local_server.url}/api/v1/Document", json={}, headers=read_only).status_code == 403
    assert requests.patch(f"{local_server.url}/api/v1/Document/{doc_id}", json={}, headers=read_only).status_code == 403
    write_only = auth(local_server, scope="documents:write")
    assert requests.get(f"{local_server.url}/api/v1/Document/{doc_id}", headers=write_only).status_code == 403
    assert requests.get(f"{local_server.url}/api/v1/Document/{doc_id}", headers=read_only).status_code == 200


def test_tenants_are_isolated(local_server):
    doc = create(local_server, {"Header": "secret"}, tenant="tenant-a").json()
    answer = requests.get(f"{local_server.url}/api/v1/Document/{doc['DocumentId']}?$select=Header",
                          headers=auth(local_server, tenant="tenant-b"))
    assert answer.status_code == 404 and "secret" not in answer.text


def test_unknown_routes_are_404(local_server):
    answer = requests.get(f"{local_server.url}/api/v1/Nothing", headers=auth(local_server))
    assert answer.status_code == 404
    # a method no route of that path has (DELETE /api/v1/Document/{id} exists since the life cycle)
    assert requests.put(f"{local_server.url}/api/v1/Document/1", headers=auth(local_server)).status_code == 404


def test_payload_over_the_lambda_limit_is_413_and_nothing_changes(local_server):
    doc = create(local_server, {"Header": "small"}).json()
    url = f"{local_server.url}/api/v1/Document/{doc['DocumentId']}"
    big = json.dumps({"Description": "x" * (6 * 1024 * 1024 + 10)})
    answer = requests.patch(url, data=big, headers={**auth(local_server), "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert requests.get(url, headers=auth(local_server)).json()["UpdatedDate"] == doc["UpdatedDate"]


def test_hostile_bodies_get_4xx_never_5xx(local_server):
    doc_id = create(local_server).json()["DocumentId"]
    url = f"{local_server.url}/api/v1/Document/{doc_id}"
    bodies = [b"[" * 50000, b'{"a":' * 10000, b"\x00\xff\xfe", b"[1,2,3]", b'[{"op":"add","path":"/' + b"a/" * 5000 + b'","value":1}]',
              json.dumps([{"op": "test", "path": "/Header", "value": None}] * 10000).encode(), b"null", b"{}" * 3]
    for body in bodies:
        for ctype in ("application/json", "application/merge-patch+json"):
            answer = requests.patch(url, data=body, headers={**auth(local_server), "Content-Type": ctype})
            assert 200 <= answer.status_code < 500, (body[:40], answer.status_code, answer.text[:200])
            if answer.status_code >= 400:
                assert answer.headers["Content-Type"] == "application/problem+json"


def test_concurrent_patches_without_preconditions_lose_nothing(local_server):
    """8 clients x 25 PATCHes adding distinct keys to one document: all 200 there, versions contiguous."""
    doc_id = create(local_server, {"CustomFields": {}}).json()["DocumentId"]
    url = f"{local_server.url}/api/v1/Document/{doc_id}"
    headers = {**auth(local_server), "Content-Type": "application/json-patch+json"}

    def client(n):
        statuses = []
        with requests.Session() as s:
            for i in range(25):
                r = s.patch(url, data=json.dumps([{"op": "add", "path": f"/CustomFields/k{n}-{i}", "value": i}]),
                            headers=headers)
                statuses.append(r.status_code if r.status_code == 200 else (r.status_code, r.text))
        return statuses

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = [s for result in pool.map(client, range(8)) for s in result]
    assert statuses == [200] * 200, statuses
    final = requests.get(url, headers=auth(local_server))
    assert set(final.json()["CustomFields"]) == {f"k{n}-{i}" for n in range(8) for i in range(25)}
    assert final.headers["ETag"] == '"201"'
    dynamodb = local_server.client("dynamodb")
    tables = dynamodb.list_tables()["TableNames"]
    items = dynamodb.query(TableName=tables[0], KeyConditionExpression="pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": f"demo#crm-document#{doc_id}"}})["Items"]
    versions = sorted(int(i["sk"]["S"][2:]) for i in items if i["sk"]["S"].startswith("V#"))
    assert versions == list(range(1, 202))
    # change events (DESIGN §11): one per committed version, each once, in the document's order
    subject = f"/api/v1/Document/{doc_id}"
    events = local_server.events.wait_for(lambda e: e["subject"] == subject and e["tenant"] == "demo", 201)
    assert [e["data"]["version"] for e in events] == list(range(1, 202))
    assert [e["type"] for e in events] == ["folio.document.created"] + ["folio.document.updated"] * 200
    assert len({e["id"] for e in events}) == 201


def test_openapi_is_served_and_names_every_template_route(local_server, template):
    doc = requests.get(f"{local_server.url}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    served = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert served == {(r.method, r.path) for r in template.routes}
    printed = subprocess.run([local_server_folio(), "--template", str(template.path), "openapi"],
                             capture_output=True, text=True, check=True).stdout
    assert json.loads(printed)["paths"].keys() == doc["paths"].keys()


def local_server_folio():
    from ..conftest import FOLIO

    return str(FOLIO)


def test_folio_token_cli_mints_what_the_server_accepts(local_server):
    token = subprocess.run([local_server_folio(), "token", "--tenant", "cli", "--scope", "documents:read",
                            "--domains", "1,2", "--expires-in", "60"],
                           cwd=local_server.workdir, capture_output=True, text=True, check=True).stdout.strip()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
    answer = requests.get(f"{local_server.url}/api/v1/Document/1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404  # authenticated, tenant "cli" has no documents
    answer = requests.post(f"{local_server.url}/api/v1/Document", json={}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403


def test_cors_exposes_etag_and_answers_preflights_as_api_gateway(local_server):
    origin = {"Origin": "https://app.example"}
    preflight = requests.options(f"{local_server.url}/api/v1/Document/1", headers={
        **origin, "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "if-match,content-type"})
    assert preflight.status_code == 204  # no token needed: API Gateway answers preflights itself
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert "if-match" in preflight.headers["Access-Control-Allow-Headers"]
    created = requests.post(f"{local_server.url}/api/v1/Document", json={}, headers={**auth(local_server), **origin})
    assert created.headers["Access-Control-Allow-Origin"] == "*"
    assert "etag" in created.headers["Access-Control-Expose-Headers"].split(",")


def test_swagger_ui_lists_every_route_in_a_real_headless_chromium(local_server, template, tmp_path):
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "make test installs Debian's chromium (see the Makefile)"
    out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path}", "--virtual-time-budget=20000", "--dump-dom",
                          f"{local_server.url}/docs"], capture_output=True, text=True, timeout=120)
    dom = out.stdout
    assert "swagger-ui" in dom and "opblock" in dom, (out.stderr[-2000:], dom[:2000])
    for route in template.routes:
        assert f'data-path="{route.path}"' in dom, route.route_key


def test_change_events_are_printed_and_posted_as_cloudevents(local_server):
    """folio local runs the publisher on its table's stream: each committed change is printed and
    POSTed to --events-url (here the test's own receiver) as a structured CloudEvent."""
    doc_id = create(local_server, {"Header": "announced"}).json()["DocumentId"]
    subject = f"/api/v1/Document/{doc_id}"
    # document ids are per tenant: the subject names this one only with the tenant (demo, the token's)
    events = local_server.events.wait_for(lambda e: e["subject"] == subject and e["tenant"] == "demo", 1, settle=0.3)
    assert len(events) == 1
    event = events[0]
    assert {k: event[k] for k in ("specversion", "source", "type", "datacontenttype", "tenant")} == {
        "specversion": "1.0", "source": "folio.crm", "type": "folio.document.created",
        "datacontenttype": "application/json", "tenant": "demo"}
    assert event["data"]["documentId"] == str(doc_id) and event["data"]["etag"] == '"1"'
    types = {ct for ct, e in local_server.events.received if e["id"] == event["id"]}
    assert types == {"application/cloudevents+json"}
    printed = [line for line in local_server.output if line.startswith("EVENT ") and event["id"] in line]
    assert printed and json.loads(printed[0].split(" ", 2)[2]) == event
