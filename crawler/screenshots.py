"""Full-page screenshots of the pages a person would dispute, with the URL and capture time drawn on them.

Playwright's sync API on the system Chromium (its own browser download is impossible on many office
networks). The browser reaches the network only through crawler.egress (http(s) to allowed addresses,
with deadlines); loopback and private addresses are loaded only for configured departments' hosts. The banner is injected into the page before the shot so that the image itself proves what
was shown and when; files are named by their hash, never by anything the site chose.
"""
from __future__ import annotations

import hashlib
import os
import struct
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import dnsguard
from crawler.egress import BROWSER_EGRESS_ARGS, EgressProxy, launch_proxy, proxy_answer
from crawler.parsing import looks_like_attachment
from store import clock
from store import models as m
from store.models_evidence import Screenshot, Snapshot
from store.safetext import shown

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync")
EVIDENCE_DIR_NAME = "zwgk-evidence"

# which pages of a finding a person would dispute: "url" = the finding's URL, "source" = the first
# page linking to it. Keys ending in "." match every check id with that prefix.
DISPUTED_PAGES: dict[str, tuple[str, ...]] = {
    "links.broken": ("source", "url"),
    "attachments.archive": ("source",),
    "coverage.empty_column": ("url",),
    "timeliness.stale_column": ("url",),
    "privacy.": ("url", "source"),
}

_BANNER_JS = """([lines, style, lineStyle]) => {
  const host = document.createElement('div');
  host.setAttribute('style', style);
  const root = host.attachShadow({mode: 'closed'});
  for (const text of lines) {
    const line = document.createElement('div');
    line.setAttribute('style', lineStyle);
    line.textContent = text;
    root.appendChild(line);
  }
  (document.body || document.documentElement).prepend(host);
  window.scrollTo(0, 0);
}"""
# inline !important beats anything the page's style sheets say, so a page cannot hide the banner
_BANNER_STYLE = ("all: initial !important; display: block !important; position: relative !important; "
                 "z-index: 2147483647 !important; visibility: visible !important; opacity: 1 !important; "
                 "background: #b00020 !important; padding: 8px 12px !important; margin: 0 !important; "
                 "box-sizing: border-box !important; width: 100% !important;")
_LINE_STYLE = ("color: #fff; font: 16px/1.5 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif; "
               "word-break: break-all; white-space: normal;")


def chromium_path() -> str:
    return os.environ.get("ZWGK_CHROMIUM", DEFAULT_CHROMIUM)


def launch_options() -> dict[str, Any]:
    """Keyword arguments for chromium.launch(): the system browser, headless, quiet."""
    return {"executable_path": chromium_path(), "headless": True, "args": list(CHROMIUM_ARGS)}


def evidence_dir(db_url: str | None, explicit: str | Path | None = None) -> Path:
    """-o DIR, else $ZWGK_EVIDENCE_DIR, else beside the SQLite file, else ./zwgk-evidence/."""
    from sqlalchemy.engine import make_url

    from store.db import database_url

    if explicit or os.environ.get("ZWGK_EVIDENCE_DIR"):
        return Path(explicit or os.environ["ZWGK_EVIDENCE_DIR"]).resolve()
    url = make_url(database_url(db_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / EVIDENCE_DIR_NAME
    return (Path.cwd() / EVIDENCE_DIR_NAME).resolve()


@dataclass(frozen=True)
class ShotConfig:
    width: int = 1366
    height: int = 768
    nav_timeout: float = 30.0     # seconds to load a page
    settle_timeout: float = 5.0   # extra wait for scripts to fill lists (network idle), then shoot anyway
    max_height: int = 16000       # very long pages are cut here: a screenshot is evidence, not an archive
    # pages never load private-range addresses (10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7) unless allowed
    allow_private: bool = field(default_factory=lambda: os.environ.get("ZWGK_ALLOW_PRIVATE", "") in ("1", "true", "yes"))
    trusted: tuple[str, ...] = ()  # URLs of configured sites: their hosts may be private or loopback

    def policy(self) -> dnsguard.Policy:
        policy = dnsguard.Policy()
        policy.configure(self.trusted, allow_private=self.allow_private)
        return policy


@dataclass(frozen=True)
class Shot:
    url: str
    taken_at: datetime
    final_url: str | None = None
    status: int | None = None
    png: bytes | None = None
    error: str | None = None

    @property
    def size(self) -> tuple[int, int] | None:
        if not self.png or self.png[:8] != b"\x89PNG\r\n\x1a\n":
            return None
        return struct.unpack(">II", self.png[16:24])


def _zone_label() -> str:
    return "北京时间" if str(clock.zone()) == "Asia/Shanghai" else str(clock.zone())


# Personal numbers on the page are masked in the browser before the picture is taken, with the patterns
# of store.safetext: text nodes, the attributes a page shows (title, alt, value, placeholder, aria-label),
# form field values and the document title, in every frame.
_MASK_JS = r"""() => {
  const LONG = /(?<![0-9])\d{15,19}[Xx]?(?![0-9])/g;
  const MOBILE = /(?<![0-9])((?:\+|00)?86[ -]?)?(1[3-9]\d)([ -]?)(\d{4})\3(\d{4})(?![0-9])/g;
  const run = r => { const k = r.length >= 12 ? 4 : 2; return r.slice(0, k) + "*".repeat(r.length - 2 * k) + r.slice(-k); };
  const mask = s => s.replace(LONG, run).replace(MOBILE, (m, p, a, sep, b, c) => (p || "") + a + sep + "****" + sep + c);
  let changed = 0;
  const root = document.documentElement;
  if (!root) return 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const v = mask(node.nodeValue);
    if (v !== node.nodeValue) { node.nodeValue = v; changed++; }
  }
  for (const el of root.querySelectorAll("*")) {
    for (const name of ["title", "alt", "value", "placeholder", "aria-label"]) {
      const old = el.getAttribute(name);
      if (old !== null && mask(old) !== old) { el.setAttribute(name, mask(old)); changed++; }
    }
    if (typeof el.value === "string" && mask(el.value) !== el.value) { el.value = mask(el.value); changed++; }
  }
  if (mask(document.title) !== document.title) { document.title = mask(document.title); changed++; }
  return changed;
}"""


def mask_page(page) -> int:
    """Mask ID and mobile numbers in what every frame of `page` shows; the number of texts changed. A frame
    that cannot be reached (detached, cross-origin quirks) is skipped: the main frame must succeed."""
    changed = page.evaluate(_MASK_JS)
    for frame in page.frames[1:]:
        try:
            changed += frame.evaluate(_MASK_JS)
        except Exception:
            pass
    return changed


def banner_lines(url: str, final_url: str, taken_at: datetime, status: int | None = None) -> list[str]:
    lines = ["zwgk-audit 证据截图", f"页面地址：{shown(final_url)}"]
    if final_url != url:
        lines.append(f"请求地址：{shown(url)}")
    if status is not None:  # an error page may not say so itself
        lines.append(f"HTTP 状态：{status}")
    lines.append(f"截图时间：{taken_at:%Y-%m-%d %H:%M:%S}（{_zone_label()}）")
    return lines


class Browser:
    """One headless Chromium for a batch of screenshots: `with Browser() as b: b.shoot(url)`."""

    def __init__(self, config: ShotConfig | None = None) -> None:
        self.config = config or ShotConfig()

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._policy = self.config.policy()
        self._proxy = EgressProxy(self._policy).start()
        self._pw = sync_playwright().start()
        options = launch_options()
        options["args"] += list(BROWSER_EGRESS_ARGS)
        try:
            self._browser = self._pw.chromium.launch(**options, proxy=launch_proxy(self._proxy))
        except Exception:
            self._pw.stop()
            self._proxy.stop()
            raise
        major = self._browser.version.split(".")[0]
        # the headless user agent ("HeadlessChrome") is turned away by some site firewalls
        self._agent = (f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       f"Chrome/{major}.0.0.0 Safari/537.36")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._browser.close()
            self._pw.stop()
        finally:
            self._proxy.stop()

    @property
    def egress_attempts(self):
        """What the browser asked the network for, allowed or refused (crawler.egress.Attempt)."""
        return list(self._proxy.attempts)

    def _guard(self, route) -> None:
        # refused at once when the URL itself says so; names are checked after resolution by the proxy
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp", "file") and self._policy.refusal(
                url.replace("ws", "http", 1) if url.startswith("ws") else url) is not None:
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def shoot(self, url: str) -> Shot:
        """Load the page, draw the banner, take a full-page PNG; a page that fails to load gives an error."""
        cfg = self.config
        context = self._browser.new_context(viewport={"width": cfg.width, "height": cfg.height}, locale="zh-CN",
                                            timezone_id=str(clock.zone()), user_agent=self._agent,
                                            accept_downloads=False)
        try:
            page = context.new_page()
            page.route("**/*", self._guard)
            try:
                response = page.goto(url, wait_until="load", timeout=cfg.nav_timeout * 1000)
            except Exception as exc:  # refused, DNS, timeout, a download instead of a page…
                return Shot(url, clock.now(), error=_first_line(exc))
            try:
                page.wait_for_load_state("networkidle", timeout=cfg.settle_timeout * 1000)
            except Exception:  # pages that poll forever: shoot what has rendered
                pass
            answer = proxy_answer(self._proxy, response.headers if response is not None else None)
            if answer is not None and answer[0] == "refused":  # the egress proxy refused the address
                return Shot(url, clock.now(), error=f"未访问：{answer[1]}（地址不允许访问）")
            if answer is not None:  # the proxy could not reach the site
                return Shot(url, clock.now(), error=f"net::{answer[1]} at {page.url}")
            mask_page(page)
            taken_at, status = clock.now(), response.status if response else None
            page.evaluate(_BANNER_JS, [banner_lines(url, page.url, taken_at, status), _BANNER_STYLE, _LINE_STYLE])
            height = page.evaluate("() => Math.max(document.documentElement.scrollHeight, "
                                   "document.body ? document.body.scrollHeight : 0)")
            clip = {"x": 0, "y": 0, "width": cfg.width, "height": min(int(height), cfg.max_height)}
            png = page.screenshot(full_page=True, clip=clip if height > cfg.max_height else None, type="png")
            return Shot(url, taken_at, final_url=page.url, status=status, png=png)
        except Exception as exc:  # the page crashed or closed itself mid-shot
            return Shot(url, clock.now(), error=_first_line(exc))
        finally:
            context.close()


def _first_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return shown(text[:300])  # Chromium's messages quote the address


# --- which pages, and where they are kept -------------------------------------------------------------

def _source_page(evidence: dict[str, Any]) -> str | None:
    """The page a person opens to find the finding's target: the first linking page, or for a leak in an
    attachment the document page that offers it."""
    sources = evidence.get("sources") or []
    if sources and isinstance(sources[0], dict) and sources[0].get("page"):
        return sources[0]["page"]
    for key in ("page", "document_url"):
        if isinstance(evidence.get(key), str):
            return evidence[key]
    return None


def _roles(check: str) -> tuple[str, ...]:
    if check in DISPUTED_PAGES:
        return DISPUTED_PAGES[check]
    return next((roles for key, roles in DISPUTED_PAGES.items() if key.endswith(".") and check.startswith(key)), ())


def disputed_pages(findings: Iterable[m.Finding]) -> OrderedDict[str, list[int]]:
    """URL → ids of the findings that point to it, in finding order; only http(s) pages."""
    pages: OrderedDict[str, list[int]] = OrderedDict()
    for f in findings:
        for role in _roles(f.check):
            url = f.url if role == "url" else _source_page(f.evidence or {})
            if role == "url" and url and looks_like_attachment(url, ""):
                continue  # a browser downloads a file instead of showing it: its stored copy is the evidence
            if url and urlsplit(url).scheme in ("http", "https"):
                ids = pages.setdefault(url, [])
                if f.id not in ids:
                    ids.append(f.id)
    return pages


def save_png(directory: Path, png: bytes) -> tuple[str, Path]:
    digest = hashlib.sha256(png).hexdigest()
    path = directory / "screenshots" / digest[:2] / f"{digest}.png"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(png)
        tmp.replace(path)
    return digest, path


@dataclass(frozen=True)
class ShotSummary:
    pages: int
    taken: int
    failed: int
    skipped: int  # already shot in an earlier run of the command


def _trusted_sites(session: Session, check_run: m.CheckRun) -> tuple[str, ...]:
    """Sites whose hosts may be on an intranet or loopback: the configured departments', and those the
    crawl itself was allowed to fetch (crawler.dnsguard applied the same rule then)."""
    urls = {u for d in session.scalars(select(m.Department)) for u in (d.url, d.home) if u}
    hosts = {urlsplit(u).hostname for u in urls}
    if check_run.crawl_run_id is not None:
        for url in session.scalars(select(Snapshot.final_url).where(Snapshot.run_id == check_run.crawl_run_id)
                                   .distinct()):
            if url and urlsplit(url).hostname not in hosts:
                hosts.add(urlsplit(url).hostname)
                urls.add(url)
    return tuple(sorted(urls))


def shoot_check_run(session: Session, check_run: m.CheckRun, directory: Path, *, config: ShotConfig | None = None,
                    limit: int | None = None) -> ShotSummary:
    """Screenshot every disputed page of a check run's findings; rerunning retries only the failures."""
    findings = session.scalars(select(m.Finding).where(m.Finding.check_run_id == check_run.id).order_by(m.Finding.id))
    pages = disputed_pages(findings)
    if limit is not None:
        pages = OrderedDict(list(pages.items())[:limit])
    existing = {s.url: s for s in session.scalars(select(Screenshot).where(Screenshot.check_run_id == check_run.id))}
    todo = [u for u in pages if not (u in existing and existing[u].sha256)]
    for url in pages.keys() - set(todo):
        existing[url].finding_ids = pages[url]
    taken = failed = 0
    config = config or ShotConfig()
    if not config.trusted:
        config = replace(config, trusted=_trusted_sites(session, check_run))
    if todo:
        with Browser(config) as browser:
            for url in todo:
                shot = browser.shoot(url)
                row = existing.get(url) or Screenshot(url=url, check_run_id=check_run.id, run_id=check_run.crawl_run_id)
                row.finding_ids, row.taken_at, row.final_url, row.error = pages[url], shot.taken_at, shot.final_url, shot.error
                row.status = shot.status
                if shot.png:
                    row.sha256, path = save_png(directory, shot.png)
                    row.path = str(path)
                    row.width, row.height = shot.size or (None, None)
                    taken += 1
                else:
                    failed += 1
                session.add(row)
                session.commit()  # each page is kept as soon as it is shot: an interruption loses nothing
    session.commit()
    return ShotSummary(len(pages), taken, failed, len(pages) - len(todo))
