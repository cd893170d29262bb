"""Who a caller is to NemoVideo: one identity per OAuth user, derived and kept secret with NEMO_MCP_SECRET_KEY.

    user key   = HMAC-SHA256(secret, "user" | issuer | subject)[:32 hex]   names the user's keys in Redis
    client id  = "nemo-mcp-" + HMAC-SHA256(secret, "client id" | user key)[:40 hex]   (49 chars, at most 64)
    token      = the user's anonymous NemoVideo token, AES-256-GCM with a key derived from the secret and
                 the Redis key it is stored under as associated data (a ciphertext moved to another user's
                 key does not decrypt)

The client id is derived again from the user key alone, so a replica taking over a job knows whose it is.
The MCP bearer token is never used for any of this, and never leaves the HTTP layer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Replicas serving one NemoVideo identity (Redis without OAuth) keep it under this user key.
SHARED_USER = "shared"
NONCE_BYTES = 12


def _mac(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "\x00".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def user_key(secret: bytes, issuer: str, subject: str) -> str:
    """The user (issuer, subject) as a key part: stable, and not the subject itself."""
    return _mac(secret, "nemo-mcp user", issuer, subject)[:32]


def client_id_for(secret: bytes, user: str) -> str:
    return "nemo-mcp-" + _mac(secret, "nemo-mcp client id", user)[:40]


class TokenCipher:
    """Encrypts tokens for Redis; the key is derived from the secret, never stored."""

    def __init__(self, secret: bytes) -> None:
        self._aead = AESGCM(hmac.new(secret, b"nemo-mcp token key", hashlib.sha256).digest())

    def seal(self, plaintext: str, where: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), where.encode("utf-8"))
        return base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, where: str) -> str | None:
        """The plaintext, or None when it does not decrypt (another key, another place, tampered with)."""
        try:
            raw = base64.b64decode(sealed, validate=True)
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], where.encode("utf-8"))
        except (ValueError, InvalidTag):
            return None
        return plain.decode("utf-8")


__all__ = ["SHARED_USER", "TokenCipher", "client_id_for", "user_key"]
