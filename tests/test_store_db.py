"""The store on real databases: migrations from empty, no drift from the models, idempotent writes."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from store import models as m
from store.db import make_engine, session_factory
from store.migrate import HEAD, MIGRATIONS_DIR, current_revision, upgrade
from store.writer import RunWriter, finalize_run


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_create_every_table_and_match_models(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    tables = set(inspect(engine).get_table_names())
    assert {"departments", "crawl_runs", "columns", "documents", "attachments", "links", "url_checks",
            "findings", "check_runs", "list_entries", "crawl_events"} <= tables
    dialect = engine.dialect.name

    def applies(obj, name, kind, reflected, compare_to):  # url_keyed: one form of a key per database
        return reflected or m.for_dialect(obj, dialect)

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": applies}), m.Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    engine.dispose()


def _write_run(session, run_id):
    w = RunWriter(session, run_id, batch_size=3)
    now = datetime(2026, 11, 20, 9, 0)
    w.column(department_id="fgw", url="http://x/fgw/zwgk/", name="政府信息公开", parent_url=None, depth=0,
             page_count=1, note=None)
    w.column(department_id="fgw", url="http://x/fgw/zwgk/tzgg/", name="通知公告", parent_url="http://x/fgw/zwgk/",
             depth=1, page_count=2, note=None)
    w.column(department_id="fgw", url="http://x/fgw/zwgk/tzgg/sub/", name="子栏目", parent_url="http://x/fgw/zwgk/",
             depth=1, page_count=1, note="暂无信息")
    for i, day in enumerate((3, 9, 15)):
        url = f"http://x/fgw/zwgk/tzgg/t{i}.html"
        w.document(url=url, title=f"关于第{i}号事项的通知", department_id="fgw", column_url="http://x/fgw/zwgk/tzgg/",
                   list_date=date(2026, 11, day), first_seen_at=now)
        w.list_entry(column_url="http://x/fgw/zwgk/tzgg/", document_url=url, title=f"关于第{i}号事项的通知",
                     list_date=date(2026, 11, day), page_url="http://x/fgw/zwgk/tzgg/")
        w.link(department_id="fgw", source_url=url, target_url="http://x/missing.pdf", anchor="附件", tag="a",
               is_attachment=True)
        w.attachment(document_url=url, url="http://x/missing.pdf", name="附件", department_id="fgw")
    w.url_check(url="http://x/missing.pdf", verdict="broken", reason="http_404", status=404, checked_at=now)
    w.commit()


def test_the_head_known_without_alembic_is_alembics_head(db_url):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    upgrade(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()


def test_writes_are_idempotent_and_finalize_derives_columns(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    Session = session_factory(engine)
    with Session() as s:
        run = m.CrawlRun(sites_file="s.yaml", sites_hash="h", started_at=datetime(2026, 11, 20), departments=["fgw"])
        s.add(run)
        s.commit()
        _write_run(s, run.id)
        _write_run(s, run.id)  # as after an interrupted crawl is resumed
        finalize_run(s, run.id)
        counts = {model.__tablename__: s.scalar(select(func.count()).select_from(model))
                  for model in (m.Column, m.Document, m.ListEntry, m.Link, m.Attachment, m.UrlCheck)}
        assert counts == {"columns": 3, "documents": 3, "list_entries": 3, "links": 3, "attachments": 3,
                          "url_checks": 1}
        tzgg = s.scalar(select(m.Column).where(m.Column.url == "http://x/fgw/zwgk/tzgg/"))
        sub = s.scalar(select(m.Column).where(m.Column.url == "http://x/fgw/zwgk/tzgg/sub/"))
        assert (tzgg.item_count, tzgg.newest_date, tzgg.depth) == (3, date(2026, 11, 15), 1)
        # nested by path although it was discovered from the root page
        assert sub.parent_id == tzgg.id and sub.depth == 2 and sub.item_count == 0
        first = s.scalar(select(m.Document).where(m.Document.url.like("%t0.html")))
        assert first.first_seen_at == datetime(2026, 11, 20, 9, 0) and first.column_id == tzgg.id
    engine.dispose()


def test_upgrade_from_the_released_schema_keeps_rows_and_adds_the_check_indexes(db_url):
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    with session_factory(engine)() as s:
        run = m.CrawlRun(sites_file="s.yaml", sites_hash="h", started_at=datetime(2026, 11, 20), departments=["fgw"])
        s.add(run)
        s.flush()
        s.add(m.Document(run_id=run.id, department_id="fgw", url="http://x/fgw/t1.html", title="通知",
                         first_seen_at=datetime(2026, 11, 20)))
        s.commit()
    upgrade(engine)
    indexes = {table: {i["name"] for i in inspect(engine).get_indexes(table)}
               for table in ("documents", "list_entries", "url_checks")}
    if engine.dialect.name == "postgresql":  # 0005: no URL in a PostgreSQL btree (store.models.url_keyed)
        assert {"ix_documents_run_department", "uqh_documents_run_url"} <= indexes["documents"]
        assert "ix_documents_run_department_url" not in indexes["documents"]
    else:
        assert "ix_documents_run_department_url" in indexes["documents"]
        assert "ix_documents_run_department" not in indexes["documents"]
    assert "ix_list_entries_document_id" in indexes["list_entries"]
    assert {"ix_url_checks_run_verdict", "ix_url_checks_run_archive"} <= indexes["url_checks"]
    with session_factory(engine)() as s:
        assert s.scalar(select(m.Document.title)) == "通知"
    engine.dispose()
