"""The floor of the engine: the smallest Scrapy link checker, for bench/peers.py.

    .venv/bin/python bench/scrapy_floor.py http://127.0.0.1:PORT/ --concurrency 8 --out broken.json

It starts at the given page, reads every HTML page of that host with lxml, GETs every link once and
writes the URLs that answered 400 or more (or failed) as JSON. Nothing is parsed beyond `<a href>`,
nothing stored, no robots.txt, no retries, Scrapy's per-output costs trimmed the way zwgk trims them.
It is not a tool anyone should use: it shows how fast any crawler built on Scrapy can check this portal
on this machine, so that zwgk's own figure can be read against it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

# run as a script, its folder comes first on the path, and bench/incremental.py would shadow the
# `incremental` package Twisted imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import scrapy  # noqa: E402
from lxml import html as lxml_html  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, start: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_url = start
        self.host = urlsplit(start).netloc
        self.seen = {start}
        self.broken: set[str] = set()

    async def start(self):
        yield scrapy.Request(self.start_url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        if response.status >= 400:
            self.broken.add(response.url)
            return
        content_type = response.headers.get("Content-Type", b"").lower()
        if b"html" not in content_type or urlsplit(response.url).netloc != self.host:
            return
        for href in lxml_html.fromstring(response.body).xpath("//a/@href"):
            url = urldefrag(urljoin(response.url, href))[0]
            if url.startswith(("http://", "https://")) and url not in self.seen:
                self.seen.add(url)
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def failed(self, failure):
        self.broken.add(failure.request.url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("start")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False, "HTTPERROR_ALLOW_ALL": True,
        "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0, "CONCURRENT_ITEMS": 1, "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    })
    crawler = process.create_crawler(FloorSpider)
    process.crawl(crawler, start=args.start)
    process.start()
    spider = crawler.spider
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump({"checked": len(spider.seen), "broken": sorted(spider.broken)}, out)


if __name__ == "__main__":
    main()
