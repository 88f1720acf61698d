"""The HTTP basics and the concurrency tests again, with folio local's DynamoDB on AWS's own
engine: `folio local --dynamodb-endpoint <this worker's DynamoDB Local>` (S3 stays embedded).

The tests are the other modules' own functions, collected here a second time; this module's
``local_server`` fixture points them at that folio local instead of the moto one.
"""

import pytest

from . import test_artu_http, test_concurrency, test_dms_http, test_kyc_capture_http, test_local_http

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def local_server(local_server_on_dynamodb_local):
    return local_server_on_dynamodb_local


def test_it_runs_on_dynamodb_local(local_server, dynamodb_local):
    output = "".join(local_server.output)
    assert local_server.dynamodb_endpoint == dynamodb_local.endpoint_url
    assert f"DynamoDB  {dynamodb_local.endpoint_url}  (--dynamodb-endpoint" in output
    assert "point-in-time recovery (UnknownOperationException)" in output  # DynamoDB Local has none
    tables = local_server.client("dynamodb").list_tables()["TableNames"]
    assert len(tables) == 1 and tables[0].endswith("documentstable")


# crm: the printed curl line, ETags and preconditions, tenants, limits, 8 x 25 patches without preconditions
test_it_prints_routes_a_token_and_a_working_curl_line = test_local_http.test_it_prints_routes_a_token_and_a_working_curl_line
test_create_patch_get_round_trip_with_etags = test_local_http.test_create_patch_get_round_trip_with_etags
test_tenants_are_isolated = test_local_http.test_tenants_are_isolated
test_payload_over_the_lambda_limit_is_413_and_nothing_changes = (
    test_local_http.test_payload_over_the_lambda_limit_is_413_and_nothing_changes)
test_concurrent_patches_without_preconditions_lose_nothing = (
    test_local_http.test_concurrent_patches_without_preconditions_lose_nothing)
# capture's stateToken under 8 writers; kyc files under concurrent updates and readers
test_capture_8_writers_one_state_token_20_rounds = test_concurrency.test_capture_8_writers_one_state_token_20_rounds
test_kyc_concurrent_updates_never_point_at_a_missing_or_different_file = (
    test_concurrency.test_kyc_concurrent_updates_never_point_at_a_missing_or_different_file)
test_folio_procedure_defines_a_tenants_procedure_in_the_table = (
    test_kyc_capture_http.test_folio_procedure_defines_a_tenants_procedure_in_the_table)
# dms versions under concurrent uploads
test_concurrent_uploads_make_contiguous_versions_that_each_download_byte_identical = (
    test_dms_http.test_concurrent_uploads_make_contiguous_versions_that_each_download_byte_identical)
# artu: atomic batches (one transaction, and intent + locks), item by item, the S3 event
test_concurrent_atomic_batches_over_overlapping_ids_are_each_all_or_nothing = (
    test_artu_http.test_concurrent_atomic_batches_over_overlapping_ids_are_each_all_or_nothing)
test_concurrent_atomic_batches_beyond_one_transaction_are_each_all_or_nothing = (
    test_artu_http.test_concurrent_atomic_batches_beyond_one_transaction_are_each_all_or_nothing)
test_concurrent_non_atomic_batches_lose_nothing = test_artu_http.test_concurrent_non_atomic_batches_lose_nothing
test_presigned_upload_is_recorded_by_the_s3_event = test_artu_http.test_presigned_upload_is_recorded_by_the_s3_event
