"""The HTTP server as an OAuth 2.1 resource server (MCP authorization spec): JWTs from one issuer, for us.

The SDK does the HTTP part (`AuthSettings`, a `TokenVerifier`): every request to /mcp needs a bearer token,
else 401 with `WWW-Authenticate: Bearer … resource_metadata="<url>"`, and the protected resource metadata
(RFC 9728) is served at /.well-known/oauth-protected-resource/<path of the audience>; `protected_metadata`
adds the path-less form. `JwtVerifier` checks the signature against the issuer's JWKS (PyJWT's client,
keys cached), and issuer, audience (RFC 8707: tokens for another resource are refused) and expiry. The
user is (issuer, subject). The token itself is never sent anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import anyio
import jwt
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from pydantic import AnyHttpUrl
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nemo_mcp.server.shared.config import AuthConfig

log = logging.getLogger(__name__)

# Only asymmetric algorithms: a JWKS holds public keys, and HS256 with a public key as secret is forgeable.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_S = 30
JWKS_CACHE_S = 300
JWKS_TIMEOUT_S = 5


class JwtVerifier:
    """A `TokenVerifier` for JWTs signed by a key of the issuer's JWKS."""

    def __init__(self, auth: AuthConfig) -> None:
        self._auth = auth
        self._jwks = jwt.PyJWKClient(
            auth.jwks_url, cache_keys=True, lifespan=JWKS_CACHE_S, timeout=JWKS_TIMEOUT_S
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        auth = self._auth
        try:
            # The JWKS fetch (when the key id is new) is blocking I/O: off the event loop.
            key = await anyio.to_thread.run_sync(self._jwks.get_signing_key_from_jwt, token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=auth.audience,
                issuer=auth.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            log.info("refused a bearer token: %s", type(exc).__name__)
            return None
        subject = str(claims["sub"])
        scope = claims.get("scope")
        return AccessToken(
            token=token,
            client_id=str(claims.get("azp") or claims.get("client_id") or subject),
            scopes=scope.split() if isinstance(scope, str) else [],
            expires_at=int(claims["exp"]),
            resource=auth.audience,
            subject=subject,
            claims={"iss": str(claims["iss"])},
        )


def auth_settings(auth: AuthConfig) -> AuthSettings:
    return AuthSettings(
        issuer_url=AnyHttpUrl(auth.issuer),
        resource_server_url=AnyHttpUrl(auth.audience),
        validate_token_resource=True,
    )


def protected_metadata(auth: AuthConfig) -> dict[str, object]:
    """RFC 9728 metadata, as the SDK serves it at the path-suffixed address."""
    return {
        "resource": auth.audience,
        "authorization_servers": [auth.issuer],
        "bearer_methods_supported": ["header"],
    }


def metadata_endpoint(auth: AuthConfig) -> Callable[[Request], Awaitable[Response]]:
    """A handler for the path-less /.well-known/oauth-protected-resource (clients try both forms)."""

    async def endpoint(_: Request) -> Response:
        return JSONResponse(protected_metadata(auth), headers={"Cache-Control": "public, max-age=3600"})

    return endpoint


__all__ = ["JwtVerifier", "auth_settings", "metadata_endpoint", "protected_metadata"]
