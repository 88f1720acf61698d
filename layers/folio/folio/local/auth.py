"""Local tokens: a signing key in ./.folio/, minting, and verification as the JWT authorizer does.

API Gateway's JWT authorizer checks the signature, ``iss``, ``aud`` (or ``client_id``),
``exp`` and ``nbf``, answers 401 ``{"message":"Unauthorized"}`` when any fails and 403
``{"message":"Forbidden"}`` when the route's scopes are not in the token's ``scope``.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCAL_ISSUER = "https://folio.local/"
LOCAL_AUDIENCE = "folio-local"
ALL_SCOPES = "documents:read documents:write"


def key_dir(base: Path | None = None) -> Path:
    return (base or Path.cwd()) / ".folio"


def signing_key(base: Path | None = None):
    """The local RSA key, created on first use (``.folio/`` is ignored by git)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    folder = key_dir(base)
    path = folder / "signing-key.pem"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text("*\n")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        os.replace(tmp, path)  # two processes racing both end with one valid key
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def mint_token(
    *,
    tenant: str = "demo",
    sub: str = "local-user",
    name: str | None = "Local User",
    email: str | None = "local-user@folio.local",
    scope: str = ALL_SCOPES,
    domains: list[str] | None = None,
    steps: list[str] | None = None,
    expires_in: int = 3600,
    issuer: str = LOCAL_ISSUER,
    audience: str = LOCAL_AUDIENCE,
    base: Path | None = None,
    extra: dict[str, Any] | None = None,
    key=None,
) -> str:
    import jwt

    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer, "aud": audience, "sub": sub, "iat": now, "nbf": now,
        "exp": now + expires_in, "jti": uuid.uuid4().hex, "tenant": tenant, "scope": scope,
        "folio:steps": steps if steps is not None else ["*"],
    }
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    if domains is not None:
        claims["folio:domains"] = domains
    claims.update(extra or {})
    return jwt.encode(claims, key or signing_key(base), algorithm="RS256", headers={"kid": "folio-local"})


@dataclass(frozen=True)
class AuthResult:
    status: int  # 200 when the request may go on
    claims: dict[str, Any] | None = None
    scopes: tuple[str, ...] = ()
    reason: str = ""


class Authorizer:
    def __init__(self, issuer: str = LOCAL_ISSUER, audience: str = LOCAL_AUDIENCE, base: Path | None = None):
        self.issuer = issuer
        self.audience = audience
        self.public_key = signing_key(base).public_key()

    def check(self, authorization: str | None, required_scopes: tuple[str, ...]) -> AuthResult:
        import jwt

        if not authorization:
            return AuthResult(401, reason="no Authorization header")
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            claims = jwt.decode(
                token, self.public_key, algorithms=["RS256"], issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]}, leeway=0,
            )
        except jwt.PyJWTError as e:
            return AuthResult(401, reason=str(e))
        audiences = claims.get("aud", claims.get("client_id"))
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if self.audience not in audiences:
            return AuthResult(401, reason="audience not accepted")
        token_scopes = tuple(str(claims.get("scope", claims.get("scp", ""))).split())
        if required_scopes and not set(required_scopes) & set(token_scopes):
            return AuthResult(403, claims, token_scopes, reason="missing scope")
        return AuthResult(200, claims, token_scopes)
