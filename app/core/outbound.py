"""Where the service may send a request a person chose the address of: a chat webhook URL is a
fetch we make, so it is held to the hosts the deployment allows (no server-side request forgery
into the network, the cloud's metadata address or a look-alike host)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from app.core.config import Settings


def chat_url_problem(url: str, settings: Settings) -> str | None:
    """Why ``url`` may not be a chat webhook here, or None: https (http only when allowed), a
    host of ``chat_webhook_hosts``, no credentials in it."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port
    except ValueError:
        return "is not a URL"
    schemes = ("https", "http") if settings.chat_webhook_http else ("https",)
    if parts.scheme not in schemes:
        return f"must be an {' or '.join(schemes)} URL"
    if parts.username or parts.password:
        return "must not carry credentials"
    if host not in {h.lower() for h in settings.chat_webhook_hosts}:
        allowed = ", ".join(settings.chat_webhook_hosts) or "none"
        return f"must be on a chat host this deployment allows ({allowed}; chat_webhook_hosts)"
    return None


# ---------------------------------------------------------------------------------------------
# Event subscribers' URLs: any host, but never into our own network unless the deployment says.


class Resolver(Protocol):
    """A host's addresses (the tests pass one that answers what a hostile DNS would)."""

    async def __call__(self, host: str, port: int) -> list[str]: ...


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_problem(address: str, *, allow_private: bool) -> str | None:
    """Why we may not connect to ``address``, or None. Link-local (169.254.0.0/16, the cloud's
    metadata service), multicast, unspecified and reserved addresses never; loopback and private
    ones (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7…) only when ``allow_private``."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return f"{address} is a link-local, multicast or reserved address"
    if not ip.is_global and not allow_private:
        return f"{address} is a loopback or private address"
    return None


@dataclass(frozen=True)
class Target:
    """A subscriber URL, parsed: where to connect and what to say the host is."""

    url: str
    scheme: str
    host: str
    port: int


def subscriber_url_problem(url: str, *, allow_private: bool) -> str | None:
    """Why ``url`` may not be a subscriber's, before any lookup, or None."""
    try:
        target = parse_target(url)
    except ValueError as exc:
        return str(exc)
    literal = _literal(target.host)
    if literal is not None:
        problem = address_problem(literal, allow_private=allow_private)
        if problem is not None:
            return problem
    if target.scheme == "http" and not (allow_private and _loopback_name(target.host)):
        return "must be https (http only for a receiver on loopback in development)"
    return None


def parse_target(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError("is not a URL") from exc
    if parts.scheme not in ("https", "http"):
        raise ValueError("must be an https URL")
    if not parts.hostname:
        raise ValueError("has no host")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials")
    if parts.fragment:
        raise ValueError("must not have a fragment")
    return Target(
        url=url,
        scheme=parts.scheme,
        host=parts.hostname.lower(),
        port=port or (443 if parts.scheme == "https" else 80),
    )


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _loopback_name(host: str) -> bool:
    literal = _literal(host)
    if literal is not None:
        return ipaddress.ip_address(literal).is_loopback
    return host == "localhost" or host.endswith(".localhost")


async def safe_addresses(target: Target, *, allow_private: bool, resolver: Resolver) -> list[str]:
    """The addresses to connect to (checked now: DNS may have changed since the URL was
    accepted); ValueError naming the first refused one. Every address must pass, so a name
    that resolves to one public and one private address is refused."""
    literal = _literal(target.host)
    addresses = [literal] if literal is not None else await resolver(target.host, target.port)
    if not addresses:
        raise ValueError(f"{target.host} resolves to no address")
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem is not None:
            raise ValueError(f"{target.host} resolves to {problem}" if literal is None else problem)
    if target.scheme == "http" and not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise ValueError("http is for a receiver on loopback only")
    return addresses
