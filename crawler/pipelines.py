"""StoreItemsPipeline: writes the spider's items into the store, batched, idempotent per run."""
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
            self.writer.commit()
        finally:
            self.session.close()
            self.engine.dispose()

    def process_item(self, item):
        if type(item) is it.ItemBatch:
            for one in item.items:
                self._write(one)
            self.crawler.stats.inc_value("zwgk/items", len(item.items))
        else:
            self._write(item)
            self.crawler.stats.inc_value("zwgk/items")
        return item

    def _write(self, item) -> None:
        cls = type(item)
        write = _WRITERS.get(cls)
        if write is None:  # pragma: no cover - programming error
            raise TypeError(f"unexpected item {cls.__name__}")
        # a shallow copy of the fields: dataclasses.asdict would deep-copy every body and chain
        write(self.writer, **{name: getattr(item, name) for name in _FIELDS[cls]})
