"""The JSON Patch conformance suite, through the real PATCH endpoint of `folio local`.

Every case whose document is an object runs on ``CustomFields`` (paths prefixed with
``/CustomFields``). Applicable: not disabled and, when a result is expected, the result is an
object (CustomFields is a dictionary, so a case that turns it into something else is a
type error for this API). ``move``/``copy`` cases expect 400; error cases 400 or 409 with
nothing changed.
"""

import json

import pytest
import requests

from ..support.shared import SHARED

SUITE = SHARED / "conformance" / "json-patch-tests"


def _cases():
    for name in ("tests.json", "spec_tests.json"):
        for index, case in enumerate(json.loads((SUITE / name).read_text())):
            if case.get("disabled") or not isinstance(case.get("doc"), dict):
                continue
            if "expected" in case and not isinstance(case["expected"], dict):
                continue
            label = f"{name}#{index}: {case.get('comment', case.get('error', ''))}"[:90]
            yield pytest.param(case, id=label)


CASES = list(_cases())


def test_the_suite_is_there_and_mostly_applicable():
    assert len(CASES) >= 60


def _prefixed(op):
    out = dict(op)
    for field in ("path", "from"):
        if isinstance(out.get(field), str):
            out[field] = "/CustomFields" + out[field]
    return out


@pytest.fixture(scope="module")
def session(local_server):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + local_server.token(tenant="conformance")
    return s


@pytest.mark.e2e
@pytest.mark.parametrize("case", CASES)
def test_case(local_server, session, case):
    created = session.post(f"{local_server.url}/api/v1/Document", json={"CustomFields": case["doc"]})
    assert created.status_code == 201, created.text
    url = f"{local_server.url}/api/v1/Document/{created.json()['DocumentId']}"
    patch = [_prefixed(op) if isinstance(op, dict) else op for op in case["patch"]]
    answer = session.patch(url, data=json.dumps(patch), headers={"Content-Type": "application/json-patch+json"})
    ops = {op.get("op") for op in case["patch"] if isinstance(op, dict)}
    after = session.get(url).json()
    if ops & {"move", "copy"}:
        assert answer.status_code == 400, answer.text
        assert after["CustomFields"] == case["doc"]
    elif "error" in case:
        assert answer.status_code in (400, 409), (answer.status_code, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert after["CustomFields"] == case["doc"]
        assert after["UpdatedDate"] == created.json()["UpdatedDate"]
    else:
        assert answer.status_code == 200, answer.text
        expected = case.get("expected", case["doc"])
        assert answer.json()["CustomFields"] == expected
        assert after["CustomFields"] == expected


#: RFC 7396 Appendix A, every example whose target is an object, applied to CustomFields.
#: A patch that is not an object would make CustomFields something other than a dictionary:
#: for this API that is a type error (400), except null, which clears the dictionary.
MERGE_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"a": "b"}, ["c"], 400),
    ({"a": "foo"}, None, {}),
    ({"a": "foo"}, "bar", 400),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.e2e
@pytest.mark.parametrize("target, patch, expected", MERGE_EXAMPLES)
def test_rfc7396_merge_semantics(local_server, session, target, patch, expected):
    created = session.post(f"{local_server.url}/api/v1/Document", json={"CustomFields": target}).json()
    url = f"{local_server.url}/api/v1/Document/{created['DocumentId']}"
    answer = session.patch(url, data=json.dumps({"CustomFields": patch}),
                           headers={"Content-Type": "application/merge-patch+json"})
    after = session.get(url).json()["CustomFields"]
    if expected == 400:
        assert answer.status_code == 400 and after == target
    else:
        assert answer.status_code == 200, answer.text
        assert answer.json()["CustomFields"] == expected == after
