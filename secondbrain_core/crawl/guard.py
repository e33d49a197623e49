"""The one URL guard every crawl request passes: each page, each redirect hop, each robots.txt.

A note can link anything, so a crawl must not become a way into the machine's own network
(the loopback admin port, a cloud metadata service at 169.254.169.254, a database on the LAN).
`check` allows only http/https, resolves the host (an IP literal in any spelling the C library
accepts: `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, `[::ffff:127.0.0.1]`, ...) and refuses
every address that is not public unicast, including an IPv4 address hidden in an IPv6 one
(mapped, compatible, 6to4, NAT64, Teredo). It returns the address it checked; the fetcher
connects to exactly that address (`Target.pinned_url`), so a name cannot resolve to a public
address for the check and to a private one for the connection (DNS rebinding).

`SECONDBRAIN_CRAWL_ALLOW` lets chosen destinations through: a host name (`localhost`), a host
and port (`localhost:8765`, `127.0.0.1:8765`), an address, or a CIDR (`10.1.0.0/16`). A name
entry matches the URL's host as written; an address or CIDR entry matches what the host
resolves to. Without a port, any port.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from secondbrain_core.errors import SecondBrainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = {"http": 80, "https": 443}
# Cloud metadata services, named so a refusal says what it protected.
METADATA = {
    ipaddress.ip_address("169.254.169.254"): "cloud metadata (AWS/GCP/Azure/OpenStack)",
    ipaddress.ip_address("169.254.170.2"): "cloud metadata (AWS ECS)",
    ipaddress.ip_address("100.100.100.200"): "cloud metadata (Alibaba)",
    ipaddress.ip_address("fd00:ec2::254"): "cloud metadata (AWS IPv6)",
}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BadURL(SecondBrainError):
    """Not a URL the crawler can fetch at all (not http/https, no host): the user's input."""


class Unresolvable(Exception):
    """The host has no address (a DNS failure): an error of the URL, not a refusal."""


class Blocked(Exception):
    """The guard refused a destination; `reason` says why (it names the URL or address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A URL the guard allowed and the one address the connection must go to."""

    url: str
    scheme: str
    host: str  # as written in the URL, lower-case, without brackets
    port: int
    ip: IPAddress

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the name (Host header and SNI keep the name)."""
        parts = urlsplit(self.url)
        netloc = f"[{self.ip}]" if self.ip.version == 6 else str(self.ip)
        return urlunsplit((parts.scheme, f"{netloc}:{self.port}", parts.path or "/", parts.query, ""))

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """scheme://host:port: the unit robots.txt, concurrency and delay apply to."""
        return f"{self.scheme}://{self.host_header}"


@dataclass(frozen=True)
class AllowList:
    """Destinations let through despite the address rules (`SECONDBRAIN_CRAWL_ALLOW`)."""

    names: frozenset[tuple[str, int | None]]  # (host or address text, port or None for any)
    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, entries: list[str]) -> AllowList:
        names: set[tuple[str, int | None]] = set()
        networks: list[Network] = []
        for raw in entries:
            entry = raw.strip().lower()
            if "/" in entry:
                try:
                    networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError:
                    raise SecondBrainError(f"SECONDBRAIN_CRAWL_ALLOW entry {raw!r} is not a CIDR") from None
                continue
            host, port = _split_host_port(entry, raw)
            names.add((_canonical_ip_text(host) or host, port))
        return cls(frozenset(names), tuple(networks))

    def allows(self, host: str, port: int, ip: IPAddress) -> bool:
        keys = {host, str(ip)}
        if any((k, None) in self.names or (k, port) in self.names for k in keys):
            return True
        return any(ip in net for net in self.networks)


def _split_host_port(entry: str, raw: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, _, port_text = entry.partition(":")
    else:
        host, port_text = entry, ""
    if port_text and not port_text.isdigit():
        raise SecondBrainError(f"SECONDBRAIN_CRAWL_ALLOW entry {raw!r} has a bad port")
    return host, int(port_text) if port_text else None


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; anything else is a BadURL naming it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"URL {url!r} is malformed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BadURL(f"URL {url!r}: only http and https are crawled")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BadURL(f"URL {url!r} has no host")
    return scheme, host, port or SCHEMES[scheme]


def literal_ip(host: str) -> IPAddress | None:
    """The address a host spells, in any form `inet_aton` accepts (decimal, octal, hex, 1-4 parts)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _canonical_ip_text(host: str) -> str | None:
    ip = literal_ip(host)
    return str(ip) if ip else None


def refusal(ip: IPAddress) -> str | None:
    """Why an address is off limits, or None for a public unicast one."""
    if ip in METADATA:
        return METADATA[ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = refusal(embedded)
            return f"{inner} (inside IPv6 {ip})" if inner else None
    for flag in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{flag}"):
            return flag.replace("_", "-")
    if not ip.is_global:
        return "not globally routable"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped, compatible, 6to4, NAT64 or Teredo."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    packed = int(ip)
    if ip in _NAT64 or (packed >> 32 == 0 and packed > 1):  # NAT64 or the deprecated ::a.b.c.d form
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


class Guard:
    """Checks URLs against the address rules and the allow list; resolves and pins."""

    def __init__(self, allow: AllowList) -> None:
        self.allow = allow

    @classmethod
    def from_entries(cls, entries: list[str]) -> Guard:
        return cls(AllowList.parse(entries))

    def check(self, url: str) -> Target:
        """The target to connect to; BadURL for a URL that is not http(s), Blocked for a refused one."""
        scheme, host, port = split_url(url)
        addresses = self._resolve(url, host, port)
        if any(self.allow.allows(host, port, ip) for ip in addresses):
            allowed = [ip for ip in addresses if self.allow.allows(host, port, ip) or refusal(ip) is None]
            return Target(url, scheme, host, port, allowed[0])
        for ip in addresses:
            why = refusal(ip)
            if why:  # one bad address is enough: the resolver may hand out either
                raise Blocked(f"{url}: address {ip} of {host} is {why}; allow it with SECONDBRAIN_CRAWL_ALLOW")
        return Target(url, scheme, host, port, addresses[0])

    @staticmethod
    def _resolve(url: str, host: str, port: int) -> list[IPAddress]:
        ip = literal_ip(host)
        if ip is not None:
            return [ip]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise Unresolvable(f"{url}: {host} does not resolve ({exc})") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
        if not addresses:
            raise Unresolvable(f"{url}: {host} has no address")
        return sorted(addresses, key=lambda ip: ip.version)  # IPv4 first: many hosts have no IPv6 route
