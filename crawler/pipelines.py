"""StoreItemsPipeline: writes the spider's items into the store, batched, idempotent per run."""
from __future__ import annotations

import dataclasses
import logging

from crawler import items as it
from store.db import make_engine, session_factory
from store.evidence import save_snapshot
from store.writer import RunWriter

log = logging.getLogger(__name__)


class StoreItemsPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.db_url = crawler.settings.get("ZWGK_DB_URL")
        self.batch = crawler.settings.getint("ZWGK_DB_BATCH", 200)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = make_engine(self.db_url)
        self.session = session_factory(self.engine)()
        self.writer = RunWriter(self.session, self.crawler.spider.run_id, batch_size=self.batch)

    def close_spider(self) -> None:
        try:
            self.writer.commit()
        finally:
            self.session.close()
            self.engine.dispose()

    def process_item(self, item):
        w = self.writer
        fields = dataclasses.asdict(item)
        if isinstance(item, it.ColumnItem):
            w.column(**fields)
        elif isinstance(item, it.DocumentItem):
            w.document(**fields)
        elif isinstance(item, it.ListEntryItem):
            w.list_entry(**fields)
        elif isinstance(item, it.AttachmentItem):
            w.attachment(**fields)
        elif isinstance(item, it.LinkItem):
            w.link(**fields)
        elif isinstance(item, it.UrlCheckItem):
            w.url_check(**fields)
        elif isinstance(item, it.CrawlEventItem):
            w.event(**fields)
        elif isinstance(item, it.CarryItem):
            w.carry(**fields)
        elif isinstance(item, it.PrivacyHitItem):
            w.privacy_hit(**fields)
        elif isinstance(item, it.SnapshotItem):
            save_snapshot(self.session, w.run_id, **fields)
            w._tick()
        else:  # pragma: no cover - programming error
            raise TypeError(f"unexpected item {type(item).__name__}")
        return item
