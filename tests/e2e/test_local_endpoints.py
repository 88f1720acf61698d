"""`folio local` on AWS endpoints that are already running (`--aws-endpoint`, `--dynamodb-endpoint`),
and `folio dynamodb-local`, the developer's DynamoDB Local."""

import signal
import subprocess

import pytest
import requests

from ..conftest import FOLIO, TEMPLATE, LocalServer

pytestmark = pytest.mark.e2e


def test_aws_endpoint_runs_on_another_aws_and_keeps_what_is_there(local_server, tmp_path):
    """The moto folio local's embedded AWS is an AWS-compatible endpoint already running: a second
    folio local on it keeps its table and bucket and serves the same documents."""
    created = requests.post(f"{local_server.url}/api/v1/Document", json={"Header": "made by the first"},
                            headers={"Authorization": "Bearer " + local_server.token()})
    assert created.status_code == 201
    second = LocalServer(tmp_path, "--aws-endpoint", local_server.s3_endpoint)
    try:
        output = "".join(second.output)
        assert second.dynamodb_endpoint == second.s3_endpoint == local_server.s3_endpoint
        assert "(--aws-endpoint, already running" in output and "embedded moto" not in output
        assert "S3 events (artu's upload) are not delivered" in output
        url = f"{second.url}/api/v1/Document/{created.json()['DocumentId']}"
        got = requests.get(url, headers={"Authorization": "Bearer " + second.token()})
        assert got.status_code == 200 and got.json()["Header"] == "made by the first"
        patched = requests.patch(url, json={"Header": "changed by the second"},
                                 headers={"Authorization": "Bearer " + second.token(), "If-Match": '"1"'})
        assert patched.status_code == 200
    finally:
        second.stop()
    again = requests.get(url.replace(second.url, local_server.url), headers={"Authorization": "Bearer " + local_server.token()})
    assert again.json()["Header"] == "changed by the second"


@pytest.mark.parametrize("option, url, says", [
    ("--aws-endpoint", "https://dynamodb.us-east-1.amazonaws.com", "is AWS itself"),
    ("--dynamodb-endpoint", "https://dynamodb.eu-west-1.amazonaws.com/", "is AWS itself"),
    ("--aws-endpoint", "127.0.0.1:8000", "is not an endpoint URL"),
    ("--dynamodb-endpoint", "http://127.0.0.1:9", "nothing answers at http://127.0.0.1:9"),
])
def test_endpoints_that_are_aws_itself_or_not_there_are_refused(tmp_path, option, url, says):
    out = subprocess.run([str(FOLIO), "--template", str(TEMPLATE), "local", "--port", "0", option, url],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and says in out.stderr, out.stderr


def test_folio_dynamodb_local_serves_until_stopped(tmp_path):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import EndpointConnectionError

    from folio.local.aws import LOCAL_ACCESS_KEY, LOCAL_REGION, LOCAL_SECRET_KEY
    from folio.local.dynamodb_local import NotInstalled, find_jar

    from ..conftest import ENGINES

    if "dynamodb-local" not in ENGINES:
        pytest.skip(f"FOLIO_ENGINES={','.join(ENGINES)} leaves DynamoDB Local out")
    try:
        find_jar()
    except NotInstalled as e:
        pytest.fail(str(e), pytrace=False)
    proc = subprocess.Popen([str(FOLIO), "dynamodb-local", "--port", "0"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("READY "):
                break
        assert lines and lines[-1].startswith("READY "), "".join(lines)
        endpoint = lines[-1].split()[1]
        assert f"folio local --dynamodb-endpoint {endpoint}" in "".join(lines)
        db = boto3.client("dynamodb", endpoint_url=endpoint, region_name=LOCAL_REGION,
                          aws_access_key_id=LOCAL_ACCESS_KEY, aws_secret_access_key=LOCAL_SECRET_KEY,
                          config=Config(retries={"total_max_attempts": 1}, connect_timeout=2))
        assert db.list_tables()["TableNames"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    with pytest.raises(EndpointConnectionError):  # the JVM went with it
        db.list_tables()
