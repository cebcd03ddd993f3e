"""Scrapy settings for zwgk-audit: polite by default; `fast_settings` for local sites and tests."""
from __future__ import annotations

import os

from scrapy.settings import default_settings as _scrapy_defaults

BOT_NAME = "zwgk-audit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "Mozilla/5.0 (compatible; zwgk-audit/0.1; government disclosure audit)"
ROBOTSTXT_OBEY = True

# politeness: many departments share one consolidated city portal, so limits are per host
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5     # ±50 % around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
# a link target is fetched however long its URL, up to this (browsers go further; Scrapy's default of
# 2083 would drop longer ones without a trace); a longer one is recorded as skipped (url_too_long)
URLLENGTH_LIMIT = 16384
DOWNLOAD_WARNSIZE = 0
ZWGK_PAGE_MAXSIZE = 20 * 1024 * 1024
# link checks are capped per department like pages, and a path whose query keeps changing (a calendar)
# is checked this many times at most; what is cut is recorded in the run (crawler.linkbudget)
ZWGK_MAX_LINK_CHECKS_PER_DEPARTMENT = 20000
ZWGK_MAX_QUERY_VARIANTS = 100
DNS_TIMEOUT = 10
# host names resolving into a private network are refused unless configured (crawler/dnsguard.py)
TWISTED_DNS_RESOLVER = "crawler.dnsguard.GuardedResolver"

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# a target that stays broken is a finding, not a crawler error
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
ZWGK_RETRY_BACKOFF_BASE = 1.0   # seconds; doubled on each retry, Retry-After honoured
ZWGK_RETRY_BACKOFF_MAX = 60.0

# redirects are followed by the spider itself, hop by hop, to record chains and loops
REDIRECT_ENABLED = False
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control extension serves an HTTP endpoint that runs Python code sent to it: nothing a
# crawl of hostile sites should leave open on the audit machine (and its aiohttp start-up costs ≈0.3 s)
REMOTE_CONTROL_ENABLED = False
# and not even imported: Scrapy imports every class named in EXTENSIONS and EXTENSIONS_BASE, disabled or
# not, and the remote control pulls in aiohttp (≈0.3 s of every crawl's start)
EXTENSIONS_BASE = {name: order for name, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if name not in ("scrapy.extensions.remote_control.RemoteControl",
                                   "scrapy.extensions.telnet.TelnetConsole")}
# Scrapy reads each callback's source and parses it on every response to warn about `return value` in
# generators (its cache is keyed by the bound method, a new object every time): ≈1 ms a response
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"

# every yielded item and request passes each spider middleware: drop the two that do nothing here
# (no DEPTH_LIMIT, the spider builds its own meta), they cost a generator hop per output
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

DOWNLOADER_MIDDLEWARES = {
    # before everything else: only http(s) to allowed hosts leaves the machine (crawler.dnsguard)
    "crawler.middlewares.UrlGuardMiddleware": 1,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.DelayMiddleware": 560,
}

# Browser rendering (scrapy-playwright) only for requests with meta["playwright"]: script-filled lists,
# anti-bot challenges, re-checks of blocked links. The system Chromium is launched by path: Playwright's
# own browser download is impossible on many office networks. The Playwright driver itself is started
# only by the first such request (crawler.handlers), not with every crawl.
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.LazyBrowserDownloadHandler",
    "https": "crawler.handlers.LazyBrowserDownloadHandler",
    # never file:, ftp: or s3:, whatever a page or a redirect names (data: serves the spider's own
    # internal request only; crawler.middlewares.UrlGuardMiddleware refuses every other one)
    "file": None,
    "ftp": None,
    "s3": None,
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": os.environ.get("ZWGK_CHROMIUM", "/usr/bin/chromium"),
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--no-first-run", "--disable-sync", "--disable-quic"],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_ABORT_REQUEST = "crawler.handlers.skip_decoration"
# fetched pages are parsed in worker processes beside the crawl (crawler.parsepool): "auto" is one fewer
# than the CPUs, at most 4; 0 parses in the crawl's own process
ZWGK_PARSE_WORKERS = "auto"
ITEM_PIPELINES = {"crawler.pipelines.StoreItemsPipeline": 300}
# the pipeline is synchronous (it buffers rows for batched writes): running a callback's output through
# 100 parallel asyncio workers (Scrapy's default) only adds a hundred task switches per response
CONCURRENT_ITEMS = 1
# responses waiting for their callback (their parse, in a worker) hold memory: 1 MB of them (small pages
# count 1 KiB each) is enough to keep the workers busy; Scrapy's default of 5 MB let ≈100 MiB build up
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# the dupefilter tells first fetches of a page apart by role (crawler.claims)
REQUEST_FINGERPRINTER_CLASS = "crawler.claims.PageFingerprinter"

FAST = {
    # for the bundled sample city and tests: a local server, no need to be gentle
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_TIMEOUT": 10,
    "ZWGK_RETRY_BACKOFF_BASE": 0.05,
    "RETRY_TIMES": 1,
}
