"""Webhook addresses: which ones are allowed, and HTTP to exactly the address that was checked.

A receiver's host name is resolved once when a webhook is registered and once per delivery.
Every address it resolves to must be public unicast (unless WEBHOOK_ALLOW_PRIVATE is set),
and the delivery connects to one of those very addresses: there is no second look-up that a
DNS answer could rebind to an internal address. The Host header, TLS SNI and the certificate
check still use the host name. Redirects are never followed: the caller gets the 3xx status.
"""

import http.client
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from flask import current_app

SCHEME_MESSAGE = "Use an http:// or https:// address."
PRIVATE_MESSAGE = "Webhook addresses on loopback or private networks are not allowed"
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$")
# NAT64 prefixes (RFC 6052, RFC 8215): the last 32 bits are an IPv4 address the gateway reaches.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class RefusedURL(ValueError):
    """A webhook URL that is malformed, does not resolve, or points at a non-public address."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the checked addresses, and the name the receiver expects."""

    scheme: str
    host: str  # ASCII (IDNA) host name, or an IP literal without brackets
    port: int
    path: str  # path and query, percent-encoded
    addresses: tuple[str, ...] = ()


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to, in the resolver's order (the one DNS look-up)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(address: str) -> bool:
    """Whether `address` is a public unicast address (IPv4 embedded in IPv6 checked too)."""
    ip = ipaddress.ip_address(address)
    if ip.is_multicast or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.sixtofour
        if embedded is None and any(ip in net for net in _NAT64):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(str(embedded))
    return True


def parse(url: str) -> Target:
    """The parts of a webhook URL, checked for form only (nothing is resolved)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # "http://[::1", "http://host:99999"
        raise RefusedURL("This is not a valid URL: check the host name and the port.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedURL(SCHEME_MESSAGE)
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("Leave user names and passwords out of the URL.")
    if port == 0:
        raise RefusedURL("The port must be a number from 1 to 65535.")
    host = _ascii_host(parts.hostname)
    # Spaces and non-ASCII characters in the path are sent percent-encoded; existing escapes stay.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, host, port or default_port, path)


def _ascii_host(hostname: str) -> str:
    """An IP literal as it is, or the host name in IDNA form; RefusedURL when it is not valid."""
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        pass
    message = (
        "The host name is not valid: use letters, digits and hyphens, at most 63 characters "
        "between dots and 253 in all."
    )
    try:
        # The idna codec refuses empty labels and labels over 63 characters (UnicodeError).
        name = hostname.encode("idna").decode("ascii").lower().removesuffix(".")
    except UnicodeError:
        raise RefusedURL(message) from None
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise RefusedURL(message)
    return name


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def _addresses(target: Target) -> tuple[str, ...]:
    """Resolve the target's host once; every address must be public unless allowed."""
    try:
        ipaddress.ip_address(target.host)
        addresses = [target.host]
    except ValueError:
        try:
            addresses = resolve(target.host)
        except (OSError, UnicodeError, ValueError):
            addresses = []
        if not addresses:
            raise RefusedURL(f"The host name {target.host} does not resolve.") from None
    if not _allow_private():
        for address in addresses:
            if not is_public(address):
                raise RefusedURL(
                    f"{PRIVATE_MESSAGE}: {target.host} is at {address}, not a public address."
                )
    return tuple(addresses)


def checked_target(url: str) -> Target:
    """The URL's target with the addresses to connect to; RefusedURL when it may not be used."""
    target = parse(url)
    return Target(target.scheme, target.host, target.port, target.path, _addresses(target))


def url_refusal(url: str) -> str | None:
    """Why a webhook URL is refused at registration, or None (resolved only when it matters)."""
    try:
        target = parse(url)
        if not _allow_private():
            _addresses(target)
    except RefusedURL as refusal:
        return str(refusal)
    return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP whose socket goes to the checked addresses, never to a fresh look-up of the host."""

    addresses: tuple[str, ...] = ()

    def connect(self) -> None:
        error: OSError = OSError("No address to connect to.")
        for address in self.addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
                return
            except OSError as failure:
                error = failure
        raise error


class _PinnedHTTPSConnection(http.client.HTTPSConnection, _PinnedHTTPConnection):
    """HTTPS over the pinned socket: HTTPSConnection.connect wraps it with SNI and the
    certificate check for the host name (its super().connect() is the pinned one)."""


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body` to the target's checked addresses; the response status (3xx not followed)."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, timeout=timeout)
    connection.addresses = target.addresses
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        with connection.getresponse() as response:
            return response.status
    finally:
        connection.close()
