"""An incremental re-crawl of an unchanged site costs a fraction of the first, and its run is complete:
the same rows and the same findings as a full crawl."""
from __future__ import annotations

from sqlalchemy import func, select

from samplecity.server import start
from store import models as m
from store.db import make_engine, session_factory


def _requests(city) -> int:
    return sum(n for (method, _path), n in city.requests.items() if method in ("GET", "HEAD"))


def _findings(zwgk, db, sites, run):
    assert zwgk("--db", db, "check", str(sites), "--run", str(run)).code == 0
    return sorted((f["check"], f["department"], f["url"], f["item"]) for f in
                  zwgk("--db", db, "findings", "--format", "json").json())


def test_second_crawl_is_cheap_and_complete(tmp_path, zwgk, db_url):
    with start() as city:
        sites = city.write_sites(tmp_path / "sites.yaml")
        first = zwgk("--db", db_url, "crawl", str(sites), "--fast")
        assert first.code == 0, first.stderr
        first_requests = _requests(city)
        second = zwgk("--db", db_url, "crawl", str(sites), "--fast")
        assert second.code == 0, second.stderr
        second_requests = _requests(city) - first_requests
        full = zwgk("--db", db_url, "crawl", str(sites), "--fast", "--full")
        assert full.code == 0, full.stderr
        full_requests = _requests(city) - first_requests - second_requests

    assert second_requests * 5 <= first_requests, (first_requests, second_requests)
    assert full_requests > 4 * second_requests  # --full really re-reads everything (no carry marks: below)
    assert city.requests[("304", "/fgw/zwgk/")] >= 1  # conditional requests were made and answered

    with session_factory(make_engine(db_url))() as s:
        runs = s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id)).all()
        assert [r.status for r in runs] == ["completed"] * 3
        marks = [s.scalar(select(func.count()).select_from(m.CarryMark).where(m.CarryMark.run_id == r.id))
                 for r in runs]
        assert marks[0] == 0 and marks[1] > 0 and marks[2] == 0
        for model in (m.Column, m.Document, m.ListEntry, m.Link, m.UrlCheck, m.Attachment):
            counts = [s.scalar(select(func.count()).select_from(model).where(model.run_id == r.id)) for r in runs[:2]]
            assert counts[0] == counts[1], (model.__tablename__, counts)
        metadata = [s.execute(select(func.count(m.Document.publish_date), func.count(m.Document.index_number))
                              .where(m.Document.run_id == r.id)).one() for r in runs[:2]]
        assert metadata[0] == metadata[1]
    assert _findings(zwgk, db_url, sites, runs[0].id) == _findings(zwgk, db_url, sites, runs[1].id)
