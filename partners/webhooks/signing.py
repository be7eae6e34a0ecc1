"""Signing secrets and the signature header partners verify (docs/api.md has their code)."""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Newsroom-Signature"


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: t=<unix time>,v1=<HMAC-SHA256 of "t.body">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"
