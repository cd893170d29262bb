"""What a download link may lead to, and what a download answer means.

The backend names the output URL, so it is outside text: followed blindly it would make this process fetch
from any service this machine can reach (another loopback port, the cloud metadata address, the home
router). A link to any origin but the API's own is fetched only when its host resolves to public addresses
(`addresses.is_public`), and every redirect is checked the same way. The check is on resolution; a name
whose DNS answer changes between the check and the connection is not caught.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from nemo_mcp.addresses import is_public
from nemo_mcp.api.http import Failure, read_answer
from nemo_mcp.errors import ApiError

MAX_DOWNLOAD_REDIRECTS = 5
# An error answer is read only this far: enough for any JSON envelope, never a whole hostile body.
ERROR_BODY_BYTES = 64 * 1024


def download_url(api_url: str, url: str) -> httpx.URL:
    """`url` as an absolute URL: a bare path is on the API."""
    absolute = url if "://" in url else f"{api_url}{url if url.startswith('/') else '/' + url}"
    try:
        return httpx.URL(absolute)
    except (httpx.InvalidURL, ValueError):
        raise ApiError("The NemoVideo API gave a download link nemo-mcp cannot use.") from None


async def check_public_url(url: httpx.URL) -> None:
    """ApiError unless `url` is http(s) on a host whose every address is public."""
    if url.scheme not in ("http", "https") or not url.host:
        raise ApiError(
            "The NemoVideo API named a download link that is not http(s); nemo-mcp does not fetch it."
        )
    host = url.host
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, url.port or 0, type=socket.SOCK_STREAM)
        except OSError:
            raise ApiError("The host of the download link cannot be resolved.") from None
        addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(is_public(address) for address in addresses):
        raise ApiError(
            "The NemoVideo API named a download link on a loopback, link-local or private address; "
            "nemo-mcp does not fetch those."
        )


async def downloaded_failure(response: httpx.Response) -> Failure | None:
    """None for a video on its way; the Failure of an error status, or of JSON where a video belongs.

    A backend that answers a download with `{"code": 1001, ...}` and HTTP 200 (a lapsed token) is telling
    an error, not sending a file: read that way, the token is renewed and the download tried again.
    """
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if response.status_code < 400 and "json" not in content_type:
        return None
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body.extend(chunk)
        if len(body) >= ERROR_BODY_BYTES:
            break
    kept = {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "x-request-id")}
    opened = httpx.Response(response.status_code, headers=kept, content=bytes(body))
    _, failure = read_answer(opened)
    return failure or Failure(response.status_code, None, response.headers.get("x-request-id"))


__all__ = [
    "ERROR_BODY_BYTES",
    "MAX_DOWNLOAD_REDIRECTS",
    "check_public_url",
    "download_url",
    "downloaded_failure",
]
