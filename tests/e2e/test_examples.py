"""The clients in examples/ run against `folio local`, each doing what its docstring says."""

import pytest

from examples import artu, capture, crm, dms, kyc, life_cycle, large_upload

from ..support.files import JPEG, PDF

pytestmark = pytest.mark.e2e


def test_every_example_client_works(local_server, tmp_path):
    token = local_server.token()
    front, back = tmp_path / "front.jpg", tmp_path / "back.jpg"
    front.write_bytes(JPEG + b"\0" * 2_000_000)  # a large file, streamed by MultipartEncoder
    back.write_bytes(JPEG)
    first, second = tmp_path / "v1.pdf", tmp_path / "v2.pdf"
    first.write_bytes(PDF)
    second.write_bytes(PDF + b"% rev B\n")

    assert crm.run(local_server.url, token)["CustomFields"] == {"Region": "EMEA"}
    assert kyc.run(local_server.url, token, front, back)["frontName"] == "front.jpg"
    assert capture.run(local_server.url, token)["title"] == "Notes Title"
    assert dms.run(local_server.url, token, first, second) == PDF
    assert artu.run(local_server.url, token, back)["status"] == "uploaded"
    # through an upload session, then downloaded back with its CRC64NVME checked
    assert large_upload.run(local_server.url, token, front, content_type="image/jpeg")["frontName"] == "front.jpg"


def test_the_life_cycle_example_lists_restores_and_erases(local_server):
    out = life_cycle.run(local_server.url, local_server.token(tenant="examples-life"))
    assert len(out["listed"]) == 2 and out["listed"] == sorted(out["listed"], reverse=True)  # newest first
    assert (out["restored_version"], out["restored_content"]) == (3, b"draft")
    assert (out["delete_status"], out["after_delete"]) == (204, 404)
    assert out["crm_headers"][:3] == ["Contract", "Budget", "Agenda"]
    kyc = out["kyc"]
    assert kyc["listed"] == sorted(kyc["listed"], reverse=True) and len(kyc["listed"]) == 2
    assert (kyc["erased"], kyc["after"]) == (204, kyc["listed"][:1])
    assert out["capture"] == {"links": out["capture"]["links"], "erased": 204, "left": ["second"]}
    assert out["capture"]["links"] >= 4  # add, itself, the list, each attachment
    assert out["artu"] == {"listed": 2, "erased": 204, "after": 1}
