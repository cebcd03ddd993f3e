"""StoreItemsPipeline: writes the spider's items into the store, batched, idempotent per run.

A write that fails (disk full, a value the database refuses, the database gone) ends the crawl: the
spider is closed with reason `write_failed` and the first error is kept in the stats, so that the run
is recorded as failed rather than completed with rows silently missing (crawler.run).
"""
from __future__ import annotations

import dataclasses
import logging

from crawler import items as it
from store.db import make_engine, session_factory
from store.writer import RunWriter

log = logging.getLogger(__name__)

# Scrapy signal sent after each commit of the writer: every row of every item processed so far is stored
# (crawler.distributed releases the requests whose output is now safe)
ROWS_COMMITTED = object()
WRITE_FAILED = "write_failed"  # the spider's close reason after a failed write
FAILURE_STAT = "zwgk/write_failed"

# item class → the RunWriter method that stores it
_WRITERS = {
    it.ColumnItem: RunWriter.column,
    it.ListPageItem: RunWriter.list_page,
    it.DocumentItem: RunWriter.document,
    it.ListEntryItem: RunWriter.list_entry,
    it.AttachmentItem: RunWriter.attachment,
    it.LinkItem: RunWriter.link,
    it.UrlCheckItem: RunWriter.url_check,
    it.CrawlEventItem: RunWriter.event,
    it.CarryItem: RunWriter.carry,
    it.PrivacyHitItem: RunWriter.privacy_hit,
    it.SnapshotItem: RunWriter.snapshot,
}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _WRITERS}


class StoreItemsPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.db_url = crawler.settings.get("ZWGK_DB_URL")
        self.batch = crawler.settings.getint("ZWGK_DB_BATCH", 500)
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = make_engine(self.db_url)
        self.session = session_factory(self.engine)()
        self.writer = RunWriter(self.session, self.crawler.spider.run_id, batch_size=self.batch,
                                on_commit=lambda: self.crawler.signals.send_catch_log(signal=ROWS_COMMITTED))

    def close_spider(self) -> None:
        try:
            if not self.failed:
                self.writer.commit()
        except Exception as exc:  # noqa: BLE001 - any failure to store is the run's failure
            self._fail(exc, closing=True)
        finally:
            self.session.close()
            self.engine.dispose()

    def process_item(self, item):
        if self.failed:  # the run is ending: nothing more is stored
            return item
        try:
            # the items of one response are committed together (store.writer.RunWriter.together)
            with self.writer.together():
                if type(item) is it.ItemBatch:
                    for one in item.items:
                        self._write(one)
                else:
                    self._write(item)
        except Exception as exc:  # noqa: BLE001 - any failure to store is the run's failure
            self._fail(exc)
            return item
        self.crawler.stats.inc_value("zwgk/items", len(item.items) if type(item) is it.ItemBatch else 1)
        return item

    def _fail(self, exc: BaseException, *, closing: bool = False) -> None:
        """Keep the first error, forget what is buffered, and end the crawl."""
        first = not self.failed
        self.failed = True
        if first:
            self.crawler.stats.set_value(FAILURE_STAT, write_error_text(exc))
            log.info("writing to the store failed, the crawl stops: %s", write_error_text(exc))
        try:
            self.writer.discard()
        except Exception:  # noqa: BLE001 - the connection itself may be gone
            pass
        if first and not closing:
            from scrapy.utils.defer import deferred_from_coro

            # what the shutdown cuts short (a browser page mid-navigation…) is not news: the failure is
            spider = self.crawler.spider
            if spider is not None:
                spider.logger.logger.setLevel(logging.ERROR)

            deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_FAILED))

    def _write(self, item) -> None:
        cls = type(item)
        write = _WRITERS.get(cls)
        if write is None:  # pragma: no cover - programming error
            raise TypeError(f"unexpected item {cls.__name__}")
        # a shallow copy of the fields: dataclasses.asdict would deep-copy every body and chain
        write(self.writer, **{name: getattr(item, name) for name in _FIELDS[cls]})


def write_error_text(exc: BaseException) -> str:
    """The database's own first line for a failed write (sqlite3 / psycopg message), short."""
    orig = getattr(exc, "orig", None) or exc
    text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return text[:300]
