"""Limits several dialects share, each written once."""

#: The largest file accepted in a request body through API Gateway (the payload is at most
#: 10 MB, and base64 makes 4 MiB of file about 5.6 MB): larger files go through upload URLs.
MAX_FILE_BYTES = 4 * 1024 * 1024
#: The specs' integer ids: int32 (crm) and int64 (kyc, dms).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
