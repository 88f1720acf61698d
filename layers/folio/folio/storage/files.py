"""Files in the versioned S3 bucket, always addressed by (key, VersionId): every read names the
exact version. Implements :class:`folio.core.ports.FileStore`."""

from __future__ import annotations

import base64
import hashlib

from ..core.errors import StorageUnavailable
from ..core.ports import StoredObject
from .clients import AWS_ERRORS, client, domain_error
from .config import Settings, settings


class FileStore:
    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._s3 = client("s3", self._cfg)
        self._bucket = self._cfg.bucket_name

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        digest = hashlib.sha256(data).digest()
        try:
            out = self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ChecksumSHA256=base64.b64encode(digest).decode(),
            )
        except AWS_ERRORS as e:
            raise domain_error(e, "storing the file") from e
        version_id = out.get("VersionId")
        if not version_id:
            raise StorageUnavailable("the bucket does not version its objects; refusing to store")
        return StoredObject(key, version_id, len(data), digest.hex(), content_type)

    def get(self, key: str, version_id: str) -> bytes:
        try:
            out = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version_id)
            return out["Body"].read()
        except AWS_ERRORS as e:
            raise domain_error(e, "reading the file") from e

    def describe(self, key: str, version_id: str) -> StoredObject:
        """Size, content type and SHA-256 of one object version, hashed while streaming its bytes."""
        digest = hashlib.sha256()
        try:
            out = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version_id)
            size = 0
            for chunk in out["Body"].iter_chunks(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        except AWS_ERRORS as e:
            raise domain_error(e, "reading the uploaded file") from e
        return StoredObject(key, version_id, size, digest.hexdigest(), out.get("ContentType") or "application/octet-stream")

    def presign_put(self, key: str, content_type: str, expires_in: int) -> str:
        """A URL that lets its holder PUT this one key, with this Content-Type, until it expires."""
        try:
            return self._s3.generate_presigned_url(
                "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=expires_in, HttpMethod="PUT")
        except AWS_ERRORS as e:
            raise domain_error(e, "signing the upload URL") from e

    def delete_version(self, key: str, version_id: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)
        except AWS_ERRORS as e:
            raise domain_error(e, "deleting an unreferenced file version") from e
