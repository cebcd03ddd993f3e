"""Host names that resolve into a private network are not fetched unless configured (SSRF guard).

The spider refuses private IP literals found in pages itself (crawler.scope.address_class). A host
*name* is only known to be private once it is resolved, which happens in Twisted's resolver, so the
second half of the guard sits there: a name that resolves to a private, link-local or loopback address
is refused unless it is the host of a configured department or upstream feed (an intranet portal is
audited on purpose) or ZWGK_ALLOW_PRIVATE is set. The refusal surfaces as a DNS failure; the spider
asks `was_refused` to record it as "skipped: private address", never as a broken link.

The resolver is installed on the reactor once per process (TWISTED_DNS_RESOLVER), so the policy is
process-wide too; the spider sets it when it opens.
"""
from __future__ import annotations

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
        if self.allow_private or name.lower() in self.trusted:
            return True
        return address_class(address) not in ("private", "loopback")


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
