"""Which IP addresses are public: the one rule for every URL nemo-mcp or its backend fetches on someone's word.

Under every layer like `config`: the client follows download links the backend names, the embedded backend
fetches URL uploads a client names, and both refuse loopback, private, link-local and reserved addresses,
including the IPv6 spellings of private IPv4 ones (`::127.0.0.1`, `::ffff:0:10.0.0.1`, NAT64
`64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`, Teredo `2001::/32`). Pure functions, no I/O.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, compatible, translated, NAT64, 6to4, Teredo)."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client)
    if address in _IPV4_COMPATIBLE or address in _IPV4_TRANSLATED or any(address in n for n in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(address: IPAddress | str) -> bool:
    """True only for a globally routable unicast address, and only if every address it embeds is one too."""
    try:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0]) if isinstance(address, str) else address
    except ValueError:
        return False
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        return all(is_public(inner) for inner in embedded_ipv4(ip))
    return True


__all__ = ["IPAddress", "embedded_ipv4", "is_public"]
