"""The URL guard and the guarded fetcher, against a hostile site on loopback.

The site itself is on 127.0.0.1, which the guard refuses by default, so every test allow-lists
exactly `127.0.0.1:<its port>`; the "internal service" (`SecretServer`) listens on another
loopback port and must never see a request.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crawl_site import CrawlSite, SecretServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from secondbrain_core.crawl.fetch import Fetched, Fetcher, FetchFailed, FetchLimits
from secondbrain_core.crawl.guard import BadURL, Blocked, Guard, Unresolvable
from secondbrain_core.errors import SecondBrainError

LIMITS = FetchLimits(read_timeout_s=0.5, total_timeout_s=5, max_bytes=1_000_000, host_delay_s=0)

REFUSED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.0.0.2:8080/x", "loopback"),
    ("http://localhost/", "loopback"),
    ("http://2130706433/", "loopback"),  # decimal
    ("http://0x7f000001/", "loopback"),  # hex
    ("http://0x7f.1/", "loopback"),  # hex, short form
    ("http://0177.0.0.1/", "loopback"),  # octal
    ("http://017700000001/", "loopback"),  # octal, one part
    ("http://127.1/", "loopback"),  # short form
    ("http://0x7f.0x0.0x0.0x1/", "loopback"),  # hex, every part
    ("http://127.000.000.001/", "loopback"),  # zero-padded
    ("http://2852039166/", "cloud metadata"),  # 169.254.169.254 in decimal
    ("http://[::ffff:0:127.0.0.1]/", "reserved"),  # SIIT translated form
    ("http://[fe80::1%25eth0]/", "link-local"),  # with a zone
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped
    ("http://[::ffff:7f00:1]/", "loopback"),  # IPv4-mapped, hex spelling
    ("http://[::127.0.0.1]/", "loopback"),  # IPv4-compatible (deprecated)
    ("http://[2002:7f00:1::]/", "loopback"),  # 6to4
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://[::ffff:169.254.169.254]/", "cloud metadata"),
    ("http://[64:ff9b::a9fe:a9fe]/", "cloud metadata"),  # NAT64
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://100.100.100.200/", "cloud metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.1.1:8080/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://100.64.0.1/", "not globally routable"),  # carrier-grade NAT
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", ""),  # reserved (Python files 240/4 under private too)
    ("https://255.255.255.255/", ""),
]


@pytest.fixture
def site() -> Iterator[CrawlSite]:
    with SecretServer() as secret, CrawlSite(secret.port) as served:
        served.secret = secret  # type: ignore[attr-defined]
        yield served


def _fetch(site: CrawlSite, path: str, guard: Guard | None = None, limits: FetchLimits = LIMITS, **kw) -> Fetched:
    async def run() -> Fetched:
        async with Fetcher(guard or Guard.from_entries([f"127.0.0.1:{site.port}"]), limits) as fetcher:
            return await fetcher.fetch(site.base + path if path.startswith("/") else path, **kw)

    return asyncio.run(run())


def _failure(site: CrawlSite, path: str, **kw) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        _fetch(site, path, **kw)
    return caught.value


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_guard_refuses_every_spelling_of_a_private_address(url: str, why: str) -> None:
    with pytest.raises(Blocked) as caught:
        Guard.from_entries([]).check(url)
    assert why in caught.value.reason and url in caught.value.reason


@pytest.mark.parametrize(
    "url", ["http://8.8.8.8/", "https://1.1.1.1:8443/x", "http://[2606:4700::1111]/", "http://[::ffff:8.8.8.8]/"]
)
def test_guard_allows_public_addresses_and_pins_them(url: str) -> None:
    target = Guard.from_entries([]).check(url)
    assert str(target.ip) in target.pinned_url.replace("[", "").replace("]", "")


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http://", "http://[bad"])
def test_guard_refuses_other_schemes_as_bad_input(url: str) -> None:
    with pytest.raises(BadURL):
        Guard.from_entries([]).check(url)
    assert issubclass(BadURL, SecondBrainError)  # the CLI's exit 2


def test_allow_list_names_hosts_ports_and_cidrs() -> None:
    guard = Guard.from_entries(["localhost:8765", "10.1.0.0/16", "[::1]:9000", "192.168.7.7"])
    assert str(guard.check("http://localhost:8765/docs/x.html").ip) == "127.0.0.1"
    assert guard.check("http://10.1.2.3/").host == "10.1.2.3"
    assert guard.check("http://[::1]:9000/").port == 9000
    assert guard.check("http://192.168.7.7:1234/").port == 1234  # no port: any port
    for refused in ("http://localhost:8766/", "http://127.0.0.1:8765/", "http://10.2.0.1/", "http://[::1]:9001/"):
        with pytest.raises(Blocked):
            guard.check(refused)
    with pytest.raises(SecondBrainError, match="not a CIDR"):
        Guard.from_entries(["10.0.0.0/99"])


def test_unresolvable_host_is_an_error_not_a_refusal() -> None:
    with pytest.raises(Unresolvable):
        Guard.from_entries([]).check("http://no-such-host.invalid/")


def test_loopback_is_refused_until_allow_listed(site: CrawlSite) -> None:
    assert _failure(site, "/a.html", guard=Guard.from_entries([])).status == "blocked"
    assert site.hits == []
    fetched = _fetch(site, "/a.html")
    assert fetched.kind == "html" and "Vacuum basics" in fetched.text and site.hits == ["/robots.txt", "/a.html"]


def test_redirect_to_another_loopback_port_is_refused_at_that_hop(site: CrawlSite) -> None:
    failure = _failure(site, "/hop1")
    assert failure.status == "blocked" and "loopback" in failure.reason and "redirects to" in failure.reason
    assert site.hits[-2:] == ["/hop1", "/hop2"] and site.secret.hits == []  # type: ignore[attr-defined]


def test_redirect_to_the_metadata_address_is_refused(site: CrawlSite) -> None:
    failure = _failure(site, "/to-metadata")
    assert failure.status == "blocked" and "169.254.169.254" in failure.reason and "cloud metadata" in failure.reason


def test_redirects_within_the_allowed_site_are_followed_and_loops_end(site: CrawlSite) -> None:
    fetched = _fetch(site, "/to-a")
    assert fetched.final_url == f"{site.base}/a.html" and fetched.url == f"{site.base}/to-a"
    failure = _failure(site, "/loop")
    assert failure.status == "error" and "redirects" in failure.reason
    assert site.hits.count("/loop") == LIMITS.max_redirects + 1


def test_a_50_mb_page_is_cut_off_while_streaming(site: CrawlSite) -> None:
    started = time.monotonic()
    failure = _failure(site, "/big.html")
    assert failure.status == "error" and "1000000-byte cap" in failure.reason
    declared = _failure(site, "/big-declared.html")
    assert "52428800 bytes is over" in declared.reason
    assert time.monotonic() - started < 5


def test_a_slow_page_times_out(site: CrawlSite) -> None:
    started = time.monotonic()
    failure = _failure(site, "/slow.html")
    assert failure.status == "error" and "timed out" in failure.reason and time.monotonic() - started < 2.5
    total = FetchLimits(read_timeout_s=10, total_timeout_s=0.8, host_delay_s=0)
    assert "no complete answer within 0.8 s" in _failure(site, "/slow.html", limits=total).reason


def test_only_documents_are_read(site: CrawlSite) -> None:
    assert "application/octet-stream" in _failure(site, "/file.bin").reason
    assert _fetch(site, "/notes.md").kind == "markdown"
    assert _fetch(site, "/plain.txt").kind == "text"


def test_robots_txt_is_obeyed(site: CrawlSite) -> None:
    failure = _failure(site, "/private/secret.html")
    assert failure.status == "blocked" and "robots.txt" in failure.reason
    assert "/private/secret.html" not in site.hits


def test_http_errors_carry_their_status(site: CrawlSite) -> None:
    assert _failure(site, "/missing.html").http_status == 404
    assert _failure(site, "/broken.html").http_status == 500


def test_conditional_refetch_costs_no_body(site: CrawlSite) -> None:
    first = _fetch(site, "/etag.html")
    again = _fetch(site, "/etag.html", etag=first.etag)
    assert first.etag == '"v1"' and again.not_modified and site.body_sent == ["/etag.html"]


def test_connection_goes_to_the_checked_address(site: CrawlSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is looked up once per checked hop and never by the HTTP client: it connects to
    the address the guard checked (so a second, rebound answer could never be used), and the
    server still sees the name in the Host header."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolver(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "docs.rebind.test":
            return real(host, *args, **kwargs)
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", site.port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    guard = Guard.from_entries([f"127.0.0.1:{site.port}"])  # the address, not the name, is allowed
    fetched = _fetch(site, f"http://docs.rebind.test:{site.port}/to-a", guard=guard)
    assert fetched.final_url == f"http://docs.rebind.test:{site.port}/a.html"
    assert len(asked) == 3  # /to-a, its robots.txt, /a.html: one check each, no lookup at connect time
    assert site.hosts[-1] == f"docs.rebind.test:{site.port}"


def test_per_host_delay_spaces_requests(site: CrawlSite) -> None:
    limits = FetchLimits(host_delay_s=0.3, host_concurrency=2, max_bytes=1_000_000)

    async def run() -> float:
        async with Fetcher(Guard.from_entries([f"127.0.0.1:{site.port}"]), limits) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.fetch(f"{site.base}/{p}") for p in ("a.html", "b.html", "self.html")))
            return time.monotonic() - started

    assert asyncio.run(run()) >= 0.9  # robots.txt + 3 pages, each start 0.3 s after the last


def _self_signed(name: str, folder: Path) -> tuple[Path, Path]:
    """A certificate for `name` (and its key), signed by itself."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_https_connects_to_the_checked_address_and_verifies_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pinned HTTPS: TCP to the checked IP, SNI and certificate check against the URL's name."""
    cert, key = _self_signed("docs.tls.test", tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host.endswith(".tls.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", args[0] if args else 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with SecretServer() as secret, CrawlSite(secret.port) as site:
        site.socket = server_tls.wrap_socket(site.socket, server_side=True)
        guard = Guard.from_entries([f"127.0.0.1:{site.port}"])

        async def fetch(url: str) -> Fetched:
            async with Fetcher(guard, LIMITS, verify=client_tls) as fetcher:
                return await fetcher.fetch(url)

        fetched = asyncio.run(fetch(f"https://docs.tls.test:{site.port}/a.html"))
        assert fetched.kind == "html" and "Vacuum basics" in fetched.text
        assert site.hosts[-1] == f"docs.tls.test:{site.port}"
        with pytest.raises(FetchFailed) as caught:  # same address, a name the certificate does not hold
            asyncio.run(fetch(f"https://other.tls.test:{site.port}/a.html"))
        assert caught.value.status == "error" and "CERTIFICATE_VERIFY_FAILED" in caught.value.reason
