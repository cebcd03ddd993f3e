"""Host names that resolve into a private network are not fetched unless configured (SSRF guard).

The spider refuses private IP literals found in pages itself (crawler.scope.address_class). A host
*name* is only known to be private once it is resolved, which happens in Twisted's resolver, so the
second half of the guard sits there: a name that resolves to a private, link-local or loopback address
is refused unless it is the host of a configured department or upstream feed (an intranet portal is
audited on purpose) or ZWGK_ALLOW_PRIVATE is set. The refusal surfaces as a DNS failure; the spider
asks `was_refused` to record it as "skipped: private address", never as a broken link.

The resolver is installed on the reactor once per process (TWISTED_DNS_RESOLVER), so the policy is
process-wide too; the spider sets it when it opens.

`Policy.refusal` is the whole rule for one URL, applied before anything is sent by every component
(crawler requests and redirects: crawler.middlewares.UrlGuardMiddleware; probes; the browsers, through
crawler.egress): only http and https, a valid port, and no private, loopback, link-local or unique-local
address unless the host is trusted. `checked_addresses` resolves a name and keeps only the addresses the
policy allows, so that a client can connect to exactly what was checked.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.scope import address_class


@dataclass
class Policy:
    trusted: set[str] = field(default_factory=set)  # host names (no port), lower case
    allow_private: bool = False
    refused: dict[str, str] = field(default_factory=dict)  # name -> the private address it resolved to

    def configure(self, urls: Iterable[str], *, allow_private: bool) -> None:
        self.trusted = {(urlsplit(u).hostname or "").lower() for u in urls if u}
        self.allow_private = allow_private

    def allows(self, name: str, address: str) -> bool:
        if self.allow_private or name.lower().strip("[]") in self.trusted:
            return True
        return address_class(address) not in ("private", "loopback")

    def refusal(self, url: str) -> Refusal | None:
        """Why `url` must not be fetched (before resolution), or None."""
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme not in ALLOWED_SCHEMES:
                return Refusal("broken", "unsupported_scheme", f"不支持的地址协议 {scheme or '（无）'}:，未访问")
            parts.port  # raises ValueError for a port that is not a number in 0..65535
            host = parts.hostname
        except ValueError:
            return Refusal("broken", "invalid_url", "地址格式无效（端口或主机名错误），未访问")
        if not host or parts.port == 0:
            return Refusal("broken", "invalid_url", "地址格式无效（缺少主机名或端口为 0），未访问")
        if address_class(host) in ("private", "loopback") and not self.allows(host, host):
            return Refusal("skipped", "private_address", f"{host} 属于内网或本机地址，未访问")
        return None

    def checked_addresses(self, name: str, port: int) -> list[tuple[int, str]]:
        """(family, address) pairs `name` resolves to, when the policy allows every one of them; raises
        PrivateAddressError when any is refused (a name that also resolves privately is not trusted)."""
        infos = socket.getaddrinfo(name.strip("[]"), port, type=socket.SOCK_STREAM)
        out: list[tuple[int, str]] = []
        for family, _type, _proto, _canon, sockaddr in infos:
            address = str(sockaddr[0])
            if not self.allows(name, address):
                self.refused[name.lower()] = address
                raise PrivateAddressError(f"{name} resolves to a private address ({address}): not fetched")
            if (family, address) not in out:
                out.append((family, address))
        return out


ALLOWED_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Refusal:
    verdict: str   # broken (the link cannot work for anyone) | skipped (not ours to fetch)
    reason: str    # unsupported_scheme | invalid_url | private_address
    message: str   # one line in Chinese, for the run's record


class PrivateAddressError(OSError):
    pass


POLICY = Policy()


def was_refused(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in POLICY.refused


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing private answers for names the policy does not trust."""

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        return super().getHostByName(name, timeout).addCallback(self._vet, name)

    @staticmethod
    def _vet(address: str, name: str) -> str:
        if POLICY.allows(name, address):
            return address
        POLICY.refused[name.lower()] = address
        raise DNSLookupError(f"{name} resolves to a private address ({address}): not fetched")
