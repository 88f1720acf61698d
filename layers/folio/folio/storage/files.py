"""Files in the versioned S3 bucket, always addressed by (key, VersionId): every read names the
exact version. Implements :class:`folio.core.ports.FileStore`."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote, unquote

from ..core.errors import PayloadTooLarge, StorageUnavailable
from ..core.ports import StoredObject
from .clients import AWS_ERRORS, client, domain_error, error_code
from .config import Settings, settings

#: How much of an object describe() reads at once.
_CHUNK = 1024 * 1024
#: The object metadata (``x-amz-meta-filename``) a presigned POST binds the uploader's file name to.
_FILENAME_META = "filename"


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

    def describe(self, key: str, version_id: str, max_bytes: int | None = None) -> StoredObject:
        """Size, content type, SHA-256 (hashed while streaming) and the file name a presigned POST
        bound to it, of one object version. Above ``max_bytes`` (S3's ContentLength says so before
        any byte is read) PayloadTooLarge; never more than ``max_bytes`` bytes are read."""
        digest = hashlib.sha256()
        try:
            out = self._s3.get_object(Bucket=self._bucket, Key=key, VersionId=version_id)
            body, length = out["Body"], out.get("ContentLength")
            if max_bytes is not None and (length is None or length > max_bytes):
                body.close()
                raise PayloadTooLarge(f"the file holds {length} bytes, more than the {max_bytes} allowed")
            budget = length if max_bytes is None else max_bytes
            size = 0
            while (budget is None or size < budget) and (chunk := body.read(_CHUNK if budget is None
                                                                            else min(_CHUNK, budget - size))):
                digest.update(chunk)
                size += len(chunk)
            body.close()
        except AWS_ERRORS as e:
            raise domain_error(e, "reading the uploaded file") from e
        named = (out.get("Metadata") or {}).get(_FILENAME_META)
        return StoredObject(key, version_id, size, digest.hexdigest(), out.get("ContentType") or "application/octet-stream",
                            unquote(named) if named else None)

    def presign_put(self, key: str, content_type: str, expires_in: int) -> str:
        """A URL that lets its holder PUT this one key, with this Content-Type, until it expires."""
        try:
            return self._s3.generate_presigned_url(
                "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=expires_in, HttpMethod="PUT")
        except AWS_ERRORS as e:
            raise domain_error(e, "signing the upload URL") from e

    def presign_get(self, key: str, version_id: str, content_type: str, content_disposition: str,
                    expires_in: int, method: str = "GET") -> str:
        """A URL that lets its holder GET (or, ``method`` HEAD, HEAD: a signature names its method) this
        one object version (ranges included) until it expires, answered with this Content-Type and
        Content-Disposition: S3 serves the bytes, no function does."""
        try:
            return self._s3.generate_presigned_url(
                "head_object" if method == "HEAD" else "get_object",
                Params={"Bucket": self._bucket, "Key": key, "VersionId": version_id,
                        "ResponseContentType": content_type, "ResponseContentDisposition": content_disposition},
                ExpiresIn=expires_in, HttpMethod=method)
        except AWS_ERRORS as e:
            raise domain_error(e, "signing the download URL") from e

    def presign_post(self, key: str, content_type: str, max_bytes: int, expires_in: int,
                     file_name: str | None = None) -> tuple[str, dict[str, str]]:
        """A form upload (S3's POST Object) of this one key, until it expires: the URL and the
        fields to send before the file. Its signed policy binds the key, the Content-Type, the
        file name (percent-encoded object metadata) and ``content-length-range`` 0..``max_bytes``,
        so S3 itself refuses anything else, a larger file included."""
        fields = {"Content-Type": content_type}
        if file_name is not None:
            fields[f"x-amz-meta-{_FILENAME_META}"] = quote(file_name, safe="")
        conditions = [{name: value} for name, value in fields.items()] + [["content-length-range", 0, max_bytes]]
        try:
            post = self._s3.generate_presigned_post(self._bucket, key, Fields=fields, Conditions=conditions,
                                                    ExpiresIn=expires_in)
        except AWS_ERRORS as e:
            raise domain_error(e, "signing the upload form") from e
        return post["url"], post["fields"]

    def delete_version(self, key: str, version_id: str) -> None:
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)
        except AWS_ERRORS as e:
            raise domain_error(e, "deleting an unreferenced file version") from e

    def delete_every_version(self, prefix: str) -> int:
        """Every object version and delete marker under ``prefix``, a thousand per DeleteObjects call
        (one ListObjectVersions call per thousand versions): what an erasure leaves is nothing."""
        deleted = 0
        request = {"Bucket": self._bucket, "Prefix": prefix}
        try:
            while True:
                page = self._s3.list_object_versions(**request)
                found = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                         for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
                for start in range(0, len(found), 1000):
                    out = self._s3.delete_objects(Bucket=self._bucket,
                                                  Delete={"Objects": found[start:start + 1000], "Quiet": True})
                    if out.get("Errors"):
                        raise StorageUnavailable(f"erasing the files: S3 kept {len(out['Errors'])} object versions; "
                                                 "retry later")
                    deleted += len(found[start:start + 1000])
                if not page.get("IsTruncated"):
                    return deleted
                request.update(KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
        except AWS_ERRORS as e:
            raise domain_error(e, "erasing the files") from e

    def abort_uploads(self, prefix: str) -> int:
        """Abort the multipart uploads open under ``prefix`` (an upload session of an erased document):
        their parts hold its bytes too."""
        aborted = 0
        request = {"Bucket": self._bucket, "Prefix": prefix}
        try:
            while True:
                page = self._s3.list_multipart_uploads(**request)
                for upload in page.get("Uploads", []):
                    self._s3.abort_multipart_upload(Bucket=self._bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                    aborted += 1
                if not page.get("IsTruncated"):
                    return aborted
                request.update(KeyMarker=page["NextKeyMarker"], UploadIdMarker=page["NextUploadIdMarker"])
        except AWS_ERRORS as e:
            if error_code(e) == "NoSuchUpload":
                return aborted
            raise domain_error(e, "aborting the document's uploads") from e
