"""The crawler's own settings, read once into a typed object that refuses contradictions."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from scrapy.settings import BaseSettings


MAX_AUTO_PARSE_WORKERS = 4


class CrawlSettingsError(ValueError):
    pass


def worker_count(value: object) -> int:
    """ZWGK_PARSE_WORKERS as a number of processes: a number, or "auto" (one fewer than the CPUs this
    process may use, at most 4)."""
    text = str(value if value is not None else "auto").strip().lower()
    if text in ("", "auto"):
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
        return max(0, min(MAX_AUTO_PARSE_WORKERS, cpus - 1))
    if not text.isdigit():
        raise CrawlSettingsError(f"抓取设置 ZWGK_PARSE_WORKERS 应为非负整数或 auto（实际为 {value!r}）")
    return int(text)


@dataclass(frozen=True)
class CrawlConfig:
    max_pages_per_department: int = 5000
    max_list_pages: int = 200        # list pages followed per column
    max_column_depth: int = 5        # nesting of sub-columns below the disclosure root
    max_redirects: int = 10
    max_link_checks_per_department: int = 20000  # link targets checked per department; the rest recorded as cut
    max_query_variants: int = 100    # link checks of one path differing only in the query (calendar traps)
    page_maxsize: int = 20 * 1024 * 1024
    allow_private: bool = False      # fetch private-network addresses found in pages
    render_js: bool = True           # may use the browser for script-filled lists and challenges
    browser_recheck: bool = True     # re-check 401/403/429/999 with browser headers, then the browser
    retry_after_cap: float = 60.0    # longest Retry-After honoured before a re-check (seconds)
    attachment_maxsize: int = 20 * 1024 * 1024  # text-bearing attachments read in full for privacy
    recheck_after: timedelta = timedelta(hours=24)  # link targets checked more recently are not checked again
    snapshots: bool = True           # keep every fetched page as evidence (compressed, deduplicated)
    parse_workers: int = 0           # processes that parse fetched pages beside the crawl (crawler.parsepool)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CrawlConfig:
        try:
            return cls._from_settings(settings)
        except ValueError as exc:
            if isinstance(exc, CrawlSettingsError):
                raise
            raise CrawlSettingsError(f"抓取设置取值无效：{exc}") from None

    @classmethod
    def _from_settings(cls, settings: BaseSettings) -> CrawlConfig:
        for name in ("DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_REQUESTS"):
            settings.getfloat(name)  # raises ValueError on text that is not a number
        config = cls(
            max_pages_per_department=settings.getint("ZWGK_MAX_PAGES_PER_DEPARTMENT", cls.max_pages_per_department),
            max_list_pages=settings.getint("ZWGK_MAX_LIST_PAGES", cls.max_list_pages),
            max_column_depth=settings.getint("ZWGK_MAX_COLUMN_DEPTH", cls.max_column_depth),
            max_redirects=settings.getint("ZWGK_MAX_REDIRECTS", cls.max_redirects),
            max_link_checks_per_department=settings.getint("ZWGK_MAX_LINK_CHECKS_PER_DEPARTMENT",
                                                           cls.max_link_checks_per_department),
            max_query_variants=settings.getint("ZWGK_MAX_QUERY_VARIANTS", cls.max_query_variants),
            page_maxsize=settings.getint("ZWGK_PAGE_MAXSIZE", cls.page_maxsize),
            allow_private=settings.getbool("ZWGK_ALLOW_PRIVATE", cls.allow_private),
            render_js=settings.getbool("ZWGK_RENDER_JS", cls.render_js),
            browser_recheck=settings.getbool("ZWGK_BROWSER_RECHECK", cls.browser_recheck),
            retry_after_cap=settings.getfloat("ZWGK_RETRY_AFTER_CAP", cls.retry_after_cap),
            snapshots=settings.getbool("ZWGK_SNAPSHOTS", cls.snapshots),
            attachment_maxsize=settings.getint("ZWGK_ATTACHMENT_MAXSIZE", cls.attachment_maxsize),
            recheck_after=timedelta(hours=settings.getfloat("ZWGK_RECHECK_AFTER_HOURS", 24)),
            parse_workers=worker_count(settings.get("ZWGK_PARSE_WORKERS", "auto")),
        )
        for name in ("max_pages_per_department", "max_list_pages", "max_redirects", "page_maxsize",
                     "max_link_checks_per_department", "max_query_variants"):
            if getattr(config, name) <= 0:
                raise CrawlSettingsError(f"抓取设置 ZWGK_{name.upper()} 必须大于 0")
        if config.page_maxsize > settings.getint("DOWNLOAD_MAXSIZE", 0) > 0:
            raise CrawlSettingsError("ZWGK_PAGE_MAXSIZE 不能大于 DOWNLOAD_MAXSIZE")
        return config
