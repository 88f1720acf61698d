"""artu sessions recorded by an earlier release (no owner, nothing kept in their JSON) still meet
their completion on the holder under the document's own key: an abort after a completion that
committed and died keeps the committed file, and a retried completion answers the version."""
import json
import os

import pytest

from ..support.uploads import completion, upload_parts
from .test_artu_upload_sessions import LIVE, complete, start, stored
from .test_artu_upload_sessions import document  # noqa: F401 - fixture
from .test_upload_session_races import Killed, crash_once, s3_has

MIB = 1024 * 1024
pytestmark = pytest.mark.moto_only(reason="review")


def make_legacy(aws, upload_id):
    from folio.storage.keys import upload_key
    key = upload_key("acme", upload_id)
    item = aws["dynamodb"].get_item(TableName=aws["table"], Key=key)["Item"]
    data = json.loads(item["session"]["S"])
    data["target"].pop("owner"); data["target"].pop("kept")
    item["session"] = {"S": json.dumps(data)}
    aws["dynamodb"].put_item(TableName=aws["table"], Item=item)


def test_legacy_artu_session_abort_after_commit_keeps_the_file(api, aws, document, monkeypatch):
    from folio.storage import uploads as storage_uploads
    data = b"\xff\xd8\xff\xe0" + os.urandom(6 * MIB)
    session = start(api, document, data).json
    parts = upload_parts(data, session)
    make_legacy(aws, session["uploadId"])
    crash_once(monkeypatch, storage_uploads.UploadTable, "replace_session", lambda s, e: s.state == "COMMITTED")
    with pytest.raises(Killed):
        complete(api, document, session, data, parts)
    ref = stored(document).files["file"]
    aborted = api.request("DELETE", f"/documents/{document}/uploads/{session['uploadId']}", headers=LIVE)
    assert s3_has(aws, ref.key, ref.version_id), f"abort {aborted.status} deleted the committed file"


def test_legacy_artu_session_retry_after_committed(api, aws, document):
    data = b"\xff\xd8\xff\xe0" + os.urandom(6 * MIB)
    session = start(api, document, data).json
    parts = upload_parts(data, session)
    make_legacy(aws, session["uploadId"])
    assert complete(api, document, session, data, parts).status == 200
    retry = complete(api, document, session, data, parts)
    assert retry.status == 200, (retry.status, retry.body[:300])
