"""Where kojin may send a status callback: http(s) URLs of public hosts only.

A callback URL comes from an agent; calling it is a request kojin makes on the agent's word, so
it must not reach kojin's own host or the company's network (server-side request forgery). A
URL is checked twice:

- when the request arrives (:func:`check_callback_url`): http or https, a host, no user name or
  password, and a literal IP address only when it is public (or private hosts are allowed);
- when the callback is sent (:func:`resolve_public`): the host is resolved and every address it
  resolves to must be a global one (not loopback, private, link-local, shared, reserved or
  multicast; IPv4-mapped IPv6 read as IPv4). The connection is then made to an address that
  was checked, so a second resolution cannot swap it (DNS rebinding).

``KOJIN_DRP_CALLBACK_PRIVATE_HOSTS=true`` allows any address (a test bed, an agent inside the
company's network).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Final
from urllib.parse import SplitResult, urlsplit

from kojin.errors import InputError

MAX_URL_LENGTH: Final = 2000
_SCHEMES: Final = frozenset({"http", "https"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):  # noqa: N818 - a refusal, not a failure of kojin
    """The callback's host is (or resolves to) an address kojin does not call."""


def is_public(address: IPAddress) -> bool:
    """True for a global unicast address (an IPv4-mapped IPv6 address is judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InputError(
            "claim status_callback must be an http(s) URL", field="status_callback"
        ) from None
    return parts


def check_callback_url(url: str, *, allow_private: bool) -> str:
    """`url` when it may be called back (see the module docstring); InputError naming the
    claim otherwise (never the URL)."""
    if len(url) > MAX_URL_LENGTH:
        raise InputError(
            f"claim status_callback must be at most {MAX_URL_LENGTH} characters",
            field="status_callback",
        )
    parts = _split(url)
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise InputError("claim status_callback must be an http(s) URL", field="status_callback")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "claim status_callback must not carry a user name or password",
            field="status_callback",
        )
    if allow_private:
        return url
    literal = _literal(parts.hostname)
    if literal is not None and not is_public(literal):
        raise InputError("claim status_callback must name a public host", field="status_callback")
    return url


def resolve_public(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for `host`, in the resolver's order: itself when it is a
    literal. AddressRefused when any address is not public (unless `allow_private`); OSError
    (``socket.gaierror``) when it does not resolve."""
    literal = _literal(host)
    if literal is not None:
        candidates: list[IPAddress] = [literal]
    else:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # a link-local IPv6 address carries its zone (``fe80::1%eth0``): judged without it
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        candidates = list(dict.fromkeys(found))
    if not candidates:
        raise AddressRefused("the host has no address")
    if not allow_private and not all(is_public(address) for address in candidates):
        raise AddressRefused("the host resolves to an address that is not public")
    return [str(address) for address in candidates]
