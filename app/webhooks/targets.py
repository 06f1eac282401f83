"""Where a webhook may call: http or https, no credentials, to public addresses only.

A key holder must not be able to make the service call into its own network (the cloud's
metadata service at 169.254.169.254, a database on 127.0.0.1, an admin page on 10.0.0.5). A URL
names its host in many spellings (``2130706433``, ``0x7f.1``, ``[::ffff:a9fe:a9fe]``, a name
whose DNS answer is private), so the decision is never made on the text: the host is parsed
into addresses (``ipaddress`` for literals, ``getaddrinfo`` for names, every address of a name)
and each address must be public, or inside a network the operator opted in
(``CROSSCHECK_WEBHOOK_PRIVATE_NETWORKS``, for a receiver on the same host). The check runs at
registration and again before every attempt, and the attempt connects to the very address that
was checked (``Target.pinned_url``), so a name that changes its answer in between (DNS
rebinding) still cannot reach a private address.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import SplitResult, urlsplit

from app.config import WebhookSettings

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

SCHEMES = ("http", "https")
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; Python 3.11 calls it global.
NAT64 = IPv6Network("64:ff9b::/96")
LOOPBACK_NAMES = (IPv4Address("127.0.0.1"), IPv6Address("::1"))


class RefusedTarget(Exception):
    """A webhook URL the service will not call; ``reason`` says why, for the caller."""

    def __init__(self, reason: str, *, credentials: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.credentials = credentials


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """What the settings allow: host names (empty: any) and private networks opted in."""

    allowed_hosts: frozenset[str]
    private_networks: tuple[IPNetwork, ...]

    @classmethod
    def of(cls, settings: WebhookSettings) -> TargetPolicy:
        return cls(
            allowed_hosts=frozenset(h.lower().rstrip(".") for h in settings.allowed_hosts),
            private_networks=tuple(settings.private_networks),
        )

    def permits(self, address: IPAddress) -> bool:
        """Whether the service may connect to ``address``."""
        if any(address in network for network in self._networks_of(address)):
            return True
        return all(_public(a) for a in (address, *_embedded(address)))

    def _networks_of(self, address: IPAddress) -> Iterator[IPNetwork]:
        for network in self.private_networks:
            if network.version == address.version:
                yield network


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the addresses its host stands for, all of them permitted."""

    url: str
    host: str
    addresses: tuple[IPAddress, ...]
    is_name: bool  # the URL names a host (not an address literal)

    def pinned_url(self, address: IPAddress) -> str:
        """The URL with its host replaced by ``address``: the connection goes where the check
        looked (the request keeps the name in Host and, for https, in SNI)."""
        parts = urlsplit(self.url)
        host = f"[{address}]" if address.version == 6 else str(address)
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        return parts._replace(netloc=netloc).geturl()

    @property
    def host_header(self) -> str:
        parts = urlsplit(self.url)
        return parts.netloc.rpartition("@")[2]


def redact(url: str) -> str:
    """``url`` without any ``user:password@`` (for logs and listings)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparsable url)"
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def check_form(url: str, policy: TargetPolicy) -> SplitResult:
    """What can be told from the text alone: scheme, credentials, a host, the allow-list."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise RefusedTarget(f"it cannot be parsed ({error})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise RefusedTarget("only http and https urls may be called")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise RefusedTarget(
            "it carries credentials (user:password@): they would be stored and shown to every "
            "key holder. Authenticate deliveries by their X-Crosscheck-Signature instead.",
            credentials=True,
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedTarget("it names no host")
    if policy.allowed_hosts and host.lower() not in policy.allowed_hosts:
        raise RefusedTarget(
            f"the host {host!r} is not one webhooks may call (setting "
            "CROSSCHECK_WEBHOOK_ALLOWED_HOSTS)"
        )
    return parts


def lookup(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` stands for: a literal in any spelling ``getaddrinfo`` accepts
    (``2130706433``, ``0x7f.1``), a name's every DNS answer, a ``localhost`` name loopback."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always this machine
        return list(LOOPBACK_NAMES)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[IPAddress] = []
    for *_, sockaddr in answers:
        address = _literal(str(sockaddr[0]))
        if address is not None and address not in found:
            found.append(address)
    return found


def check_addresses(host: str, addresses: Sequence[IPAddress], policy: TargetPolicy) -> None:
    """Refuse unless the host resolved and every one of its addresses is permitted."""
    if not addresses:
        raise RefusedTarget(f"the host {host!r} does not resolve to any address")
    refused = [a for a in addresses if not policy.permits(a)]
    if refused:
        raise RefusedTarget(
            f"the host {host!r} is (or resolves to) {refused[0]}, a private, loopback, "
            "link-local or reserved address: webhooks call public addresses only (setting "
            "CROSSCHECK_WEBHOOK_PRIVATE_NETWORKS opts a network in)"
        )


def resolve(url: str, policy: TargetPolicy) -> Target:
    """Check ``url`` completely; the addresses to connect to, or ``RefusedTarget``."""
    parts = check_form(url, policy)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    addresses = lookup(host, port)
    check_addresses(host, addresses, policy)
    return Target(url, host, tuple(addresses), is_name=_literal(host) is None)


async def resolve_async(url: str, policy: TargetPolicy) -> Target:
    """``resolve`` off the event loop (``getaddrinfo`` blocks)."""
    return await asyncio.to_thread(resolve, url, policy)


def _literal(host: str) -> IPAddress | None:
    """``host`` as an address when it is one, in any spelling the C resolver accepts."""
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ip_address(text)
    except ValueError:
        pass
    if text and all(c in "0123456789abcdefxABCDEFX." for c in text):
        try:  # inet_aton's legacy forms: 2130706433, 0x7f.1, 017700000001, 127.1
            return IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def _public(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast


def _embedded(address: IPAddress) -> Iterator[IPAddress]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    if isinstance(address, IPv4Address):
        return
    if address.ipv4_mapped is not None:
        yield address.ipv4_mapped
    if address.sixtofour is not None:
        yield address.sixtofour
    if address.teredo is not None:
        yield from address.teredo
    if address in NAT64:
        yield IPv4Address(int(address) & 0xFFFFFFFF)
