"""Upload sessions in storage: their records in the table (conditional on their state) and S3's
multipart upload with CRC64NVME checksums. Implements :class:`folio.core.uploads.UploadTable` and
:class:`folio.core.uploads.MultipartStore`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ..core.documents import DocumentKey
from ..core.errors import InvalidRequest
from ..core.uploads import CHECKSUM_ALGORITHM, Part, UploadSession, UploadTarget
from .clients import AWS_ERRORS, client, domain_error, error_code
from .config import Settings, settings
from .keys import EXPIRATION, session_link_key, upload_key
from .table import ConditionsFailed, Table

#: How long a session's record outlives the session (DynamoDB's TTL removes it then): a retried
#: completion within that week still answers the version it committed.
RECORD_DAYS = 7
#: S3's answers that refuse what the client sent (its parts, its checksum), never a failure of S3.
_REFUSED_UPLOAD_CODES = frozenset({"InvalidPart", "InvalidPartOrder", "BadDigest", "InvalidDigest", "InvalidRequest",
                                   "EntityTooSmall", "InvalidArgument"})


class UploadTable(Table):
    """One item per session: its state and its JSON, with the table's TTL attribute."""

    def put_session(self, session: UploadSession) -> None:
        """The session's record, after its *link* in its document's partition (``L#upload#<upload
        id>``, naming the object key, expiring with the record): the document's erasure finds every
        session of it there, open or ended, and erases the record, the parts and the object."""
        link = session_link_key(session.target.document, session.upload_id)
        self._call("put_item", "saving the upload", TableName=self._name, Item={
            **link, "object": {"S": session.object_key}, EXPIRATION: self._item(session)[EXPIRATION]})
        self._call("put_item", "saving the upload", TableName=self._name, Item=self._item(session),
                   ConditionExpression="attribute_not_exists(pk)")

    def get_session(self, tenant: str, upload_id: str) -> UploadSession | None:
        item = self._get(upload_key(tenant, upload_id), "reading the upload")
        return _session_of(item["session"]["S"]) if item else None

    def replace_session(self, session: UploadSession, expected_state: str) -> bool:
        try:
            self._call("put_item", "saving the upload", TableName=self._name, Item=self._item(session),
                       ConditionExpression="#state = :expected",
                       ExpressionAttributeNames={"#state": "state"},
                       ExpressionAttributeValues={":expected": {"S": expected_state}})
        except ConditionsFailed:
            return False
        return True

    def _item(self, session: UploadSession) -> dict[str, Any]:
        expires = session.expires + timedelta(days=RECORD_DAYS)
        return {**upload_key(session.tenant, session.upload_id), "state": {"S": session.state},
                "session": {"S": _session_json(session)}, EXPIRATION: {"N": str(int(expires.timestamp()))}}


def _session_json(session: UploadSession) -> str:
    target = session.target
    owner = list(vars(target.owner).values()) if target.owner else None
    data = {**vars(session), "target": {**vars(target), "key": list(vars(target.key).values()), "owner": owner,
                                        "kept": list(target.kept)},
            "started": session.started.isoformat(),
            "claimed": session.claimed.isoformat() if session.claimed else None,
            "parts": [vars(p) for p in session.parts], "part_checksums": list(session.part_checksums)}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _session_of(text: str) -> UploadSession:
    data = json.loads(text)
    target = data.pop("target")
    # a session recorded by an earlier release names nothing kept: all its metadata was needed then
    kept = target["kept"] if "kept" in target else list(target.get("metadata") or {})
    target = UploadTarget(**{**target, "key": DocumentKey(*target["key"]), "kept": tuple(kept),
                             "owner": DocumentKey(*target["owner"]) if target.get("owner") else None})
    return UploadSession(**{**data, "target": target, "started": datetime.fromisoformat(data["started"]),
                            "claimed": datetime.fromisoformat(data["claimed"]) if data["claimed"] else None,
                            "parts": tuple(Part(**p) for p in data["parts"]),
                            "part_checksums": tuple(data.get("part_checksums") or ())})


class MultipartStore:
    """S3's multipart upload of one key at a time, every part carrying its CRC64NVME."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._s3 = client("s3", self._cfg)
        self._bucket = self._cfg.bucket_name

    def create_multipart(self, key: str, content_type: str, file_name: str | None) -> str:
        try:
            out = self._s3.create_multipart_upload(Bucket=self._bucket, Key=key, ContentType=content_type,
                                                   ChecksumAlgorithm=CHECKSUM_ALGORITHM, ChecksumType="FULL_OBJECT")
        except AWS_ERRORS as e:
            raise domain_error(e, "starting the upload") from e
        return out["UploadId"]

    def presign_part(self, key: str, multipart_id: str, number: int, checksum: str, size: int,
                     expires_in: int) -> str:
        """SigV4 signs ``x-amz-checksum-crc64nvme`` and ``content-length`` as headers (botocore does not
        hoist them into the query, where S3 would ignore a checksum): the part must carry exactly this
        checksum and this many bytes, matching it."""
        try:
            return self._s3.generate_presigned_url(
                "upload_part", Params={"Bucket": self._bucket, "Key": key, "UploadId": multipart_id,
                                       "PartNumber": number, "ChecksumCRC64NVME": checksum, "ContentLength": size},
                ExpiresIn=expires_in, HttpMethod="PUT")
        except AWS_ERRORS as e:
            raise domain_error(e, "signing the part URLs") from e

    def list_parts(self, key: str, multipart_id: str) -> list[Part] | None:
        parts: list[Part] = []
        request: dict[str, Any] = {"Bucket": self._bucket, "Key": key, "UploadId": multipart_id}
        try:
            while True:
                out = self._s3.list_parts(**request)
                parts.extend(Part(p["PartNumber"], p["ETag"], p.get("Size", 0), p.get("ChecksumCRC64NVME"))
                             for p in out.get("Parts", []))
                if not out.get("IsTruncated"):
                    return parts
                request["PartNumberMarker"] = out["NextPartNumberMarker"]
        except AWS_ERRORS as e:
            if error_code(e) == "NoSuchUpload":
                return None
            raise domain_error(e, "listing the uploaded parts") from e

    def complete_multipart(self, key: str, multipart_id: str, parts: list[Part], checksum: str,
                           ) -> tuple[str, str] | None:
        listed = [{"PartNumber": p.number, "ETag": p.etag, **({"ChecksumCRC64NVME": p.checksum} if p.checksum else {})}
                  for p in parts]
        try:
            out = self._s3.complete_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=multipart_id, MultipartUpload={"Parts": listed},
                ChecksumCRC64NVME=checksum, ChecksumType="FULL_OBJECT")
        except AWS_ERRORS as e:
            code = error_code(e)
            if code == "NoSuchUpload":
                return None
            if code in _REFUSED_UPLOAD_CODES:
                message = getattr(e, "response", {}).get("Error", {}).get("Message") or code
                raise InvalidRequest(f"S3 refused the completion: {message}",
                                     errors=[{"field": "parts", "message": code}]) from e
            raise domain_error(e, "completing the upload") from e
        return out["VersionId"], out.get("ChecksumCRC64NVME") or checksum

    def abort_multipart(self, key: str, multipart_id: str) -> bool:
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=multipart_id)
        except AWS_ERRORS as e:
            if error_code(e) != "NoSuchUpload":
                raise domain_error(e, "aborting the upload") from e
            return False
        return True

    def find_version(self, key: str, etag: str) -> str | None:
        request: dict[str, Any] = {"Bucket": self._bucket, "Prefix": key}
        try:
            while True:
                out = self._s3.list_object_versions(**request)
                for version in out.get("Versions", []):
                    if version["Key"] == key and version.get("ETag") == etag:
                        return version["VersionId"]
                if not out.get("IsTruncated"):
                    return None
                request.update(KeyMarker=out["NextKeyMarker"], VersionIdMarker=out["NextVersionIdMarker"])
        except AWS_ERRORS as e:
            raise domain_error(e, "finding the completed upload") from e

    def delete_version(self, key: str, version_id: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)
        except AWS_ERRORS as e:
            raise domain_error(e, "deleting an uncommitted upload") from e
