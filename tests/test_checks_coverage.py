"""coverage.missing_column and coverage.empty_column on stored crawl data: the matching passes (exact,
alias, normalised, fuzzy, nested, one column per item) and which notes excuse an empty column.

Also the small run builder the other check tests use: rows written as the crawler writes them.
"""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from checks.base import Status
from checks.rules.coverage import excuse_of, match_catalog, normalise
from checks.runner import run_checks
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.registry import CatalogItem
from tests.conftest import BACKENDS, _pg_database

AS_OF = date(2026, 11, 20)
CRAWLED = datetime(2026, 11, 20, 10, 0)


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    """One migrated database per module and backend; each test writes its own crawl run."""
    if request.param == "sqlite":
        url, gen = f"sqlite:///{tmp_path_factory.mktemp('checks') / 'zwgk.db'}", None
    else:
        gen = _pg_database()
        url = next(gen)
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    factory.url = url  # for tests that run the CLI on the same database
    yield factory
    engine.dispose()
    if gen is not None:
        gen.close()


class Builder:
    """A crawl run written row by row: departments, column tree, documents, list entries, links."""

    def __init__(self, session, departments=(("fgw", "department", "municipal-department"),),
                 started: datetime = CRAWLED) -> None:
        self.s = session
        for dept_id, kind, catalog in departments:
            session.merge(m.Department(id=dept_id, name=f"单位{dept_id}", kind=kind, catalog=catalog,
                                       url=f"http://x/{dept_id}/zwgk/"))
        self.run = m.CrawlRun(sites_file="s", sites_hash="h", started_at=started, status="completed",
                              departments=[d for d, _, _ in departments])
        session.add(self.run)
        session.flush()
        self.roots = {d: self._column(d, "政府信息公开", f"http://x/{d}/zwgk/", None, 6, None, None)
                      for d, _, _ in departments}
        self.n = 0

    def _column(self, dept, name, url, parent, items, newest, note) -> m.Column:
        col = m.Column(run_id=self.run.id, department_id=dept, name=name, url=url,
                       parent_id=parent.id if parent is not None else None,
                       depth=parent.depth + 1 if parent is not None else 0, item_count=items, newest_date=newest,
                       note=note)
        self.s.add(col)
        self.s.flush()
        return col

    def column(self, name: str, *, dept: str = "fgw", parent: m.Column | None = None, items: int = 3,
               newest: date | None = AS_OF, note: str | None = None, url: str | None = None,
               page_url: str | None = None) -> m.Column:
        self.n += 1
        base = (parent or self.roots[dept]).url
        col = self._column(dept, name, url or f"{base}c{self.n}/", parent or self.roots[dept], items,
                           newest if items else None, note)
        col.page_url = page_url  # the first list page as the crawler requested it
        return col

    def doc(self, title: str, *, dept: str | None = "fgw", column: m.Column | None = None,
            published: date | None = None, at: time | None = None, written: date | None = None,
            number: str | None = None, upstream: str | None = None, first_seen: datetime | None = None,
            url: str | None = None, list_date: date | None = None) -> m.Document:
        self.n += 1
        doc = m.Document(run_id=self.run.id, department_id=None if upstream else dept, upstream_id=upstream,
                         url=url or f"http://x/{upstream or dept}/doc{self.n}.html", title=title,
                         publish_date=published, publish_time=at, written_date=written, doc_number=number,
                         list_date=list_date, first_seen_at=first_seen or self.run.started_at, fetched=True,
                         column_id=column.id if column is not None else None)
        self.s.add(doc)
        self.s.flush()
        if column is not None:
            self.s.add(m.ListEntry(run_id=self.run.id, column_id=column.id, document_id=doc.id, title=title,
                                   list_date=list_date or published, page_url=column.url))
        return doc

    def link(self, source: str, target: str, *, dept: str = "fgw", anchor: str = "") -> None:
        self.s.add(m.Link(run_id=self.run.id, department_id=dept, source_url=source, target_url=target,
                          anchor=anchor))

    def check(self, check_id: str, as_of: date = AS_OF, **settings):
        """(status, findings) of one check on this run."""
        self.s.commit()
        check_run, [outcome] = run_checks(self.s, self.run, as_of=as_of, only=[check_id],
                                          settings={check_id: settings} if settings else None)
        found = self.s.query(m.Finding).filter_by(check_run_id=check_run.id).order_by(m.Finding.id).all()
        return outcome.status, found


@pytest.fixture
def build(store):
    with store() as session:
        yield lambda **kw: Builder(session, **kw)


MUNICIPAL = ["政府信息公开指南", "政府信息公开制度", "政府信息公开年报", "机构职能", "工作动态", "通知公告", "政策文件",
             "政策解读", "规划计划", "人事信息", "财政预决算"]


def test_a_complete_tree_misses_nothing(build):
    b = build()
    for name in MUNICIPAL:
        b.column(name)
    status, found = b.check("coverage.missing_column")
    assert status is Status.PASS and found == []


@pytest.mark.parametrize("name,how", [
    ("规划计划", "exact"),
    ("发展规划", "alias"),
    ("规划·计划", "normalised"),
    ("规划　计划", "normalised"),  # a full-width space
    ("规划计划执行情况", None),  # fuzzy: 2*4/12 = 67 against 规划计划, below 80
    ("规划和计划信息", "fuzzy"),  # 规划和计划 is an alias: 2*5/12 = 83
    ("政府信息公开", None),  # near 指南/制度/年报 (86), but each is taken by its own column
])
def test_how_a_column_is_matched(build, name, how):
    b = build()
    for other in MUNICIPAL:
        if other != "规划计划":
            b.column(other)
    b.column(name)
    _, found = b.check("coverage.missing_column")
    if how is None:
        assert [f.item for f in found] == ["ghjh"]
        assert found[0].url == "http://x/fgw/zwgk/" and found[0].evidence["nearest"]["column"]
        assert "规划计划" in found[0].message and found[0].fix
    else:
        assert found == []


def test_nested_columns_count_under_their_parent_name(build):
    b = build()
    hub = b.column("法定主动公开内容", items=0)
    for name in MUNICIPAL:
        b.column(name, parent=hub if name not in ("政府信息公开指南", "政府信息公开年报") else None)
    assert b.check("coverage.missing_column")[1] == []


def _items(*specs) -> list[CatalogItem]:
    return [CatalogItem(id=i, name=n, aliases=list(a)) for i, n, *a in specs]


def test_one_column_serves_one_item_and_the_stronger_match_wins():
    cols = [m.Column(id=i, name=n, url=f"u{i}", depth=1, parent_id=None) for i, n in
            ((1, "政策文件"), (2, "文件解读"))]
    items = _items(("zcwj", "政策文件"), ("zcjd", "政策解读", "文件解读"), ("gfxwj", "政策文件汇编"))
    matches = match_catalog(items, cols, {})
    assert {i: (mt.column.name, mt.how) for i, mt in matches.items()} == {
        "zcwj": ("政策文件", "exact"), "zcjd": ("文件解读", "alias")}


def test_nested_name_matches_an_item_named_after_area_and_column():
    parent = m.Column(id=1, name="社会救助", url="a/", depth=1, parent_id=None)
    child = m.Column(id=2, name="政策文件", url="a/b/", depth=2, parent_id=1)
    [(item, match)] = match_catalog(_items(("x1", "社会救助·政策文件")), [parent, child], {1: parent}).items()
    assert match.column is child and match.how == "normalised" and match.column_name == "社会救助/政策文件"


def test_normalise_drops_spaces_and_punctuation():
    assert normalise(" 【政策·文件】（ ） ") == "政策文件" and normalise("ＡＢ１") == "ab1"


@pytest.mark.parametrize("note,excused", [
    (None, False),
    ("暂无信息", False),
    ("暂无信息。", False),
    ("暂无此类信息", False),  # still the placeholder
    ("没有记录", False),
    ("本单位无此类信息", True),
    ("本单位无此类信息，特此说明。", True),
    ("本机关不涉及此项职能，无相关信息", True),
    ("本年度未产生行政处罚决定", True),
])
def test_which_note_excuses_an_empty_column(build, note, excused):
    assert bool(excuse_of(note)) is excused
    b = build()
    col = b.column("行政执法公示", items=0, note=note)
    status, found = b.check("coverage.empty_column")
    assert [f.url for f in found] == ([] if excused else [col.url])
    if not excused:
        assert found[0].evidence["note"] == note and "行政执法公示" in found[0].message


def test_empty_column_finding_names_its_item_and_page(build):
    b = build()
    col = b.column("规划计划", items=0, note="暂无信息", url="http://x/fgw/zwgk/ghjh/",
                   page_url="http://x/fgw/zwgk/ghjh/index.html")
    b.link("http://x/fgw/zwgk/", "http://x/fgw/zwgk/ghjh/index.html", anchor="规划计划")
    b.link("http://x/fgw/zwgk/ghjh/index.html", "http://x/fgw/zwgk/ghjh/index_2.html")
    _, [finding] = b.check("coverage.empty_column")
    assert finding.url == "http://x/fgw/zwgk/ghjh/index.html" and finding.item == "ghjh"
    assert finding.evidence["match"]["how"] == "exact" and finding.evidence["column_url"] == col.url


def test_parents_and_the_root_are_not_empty_columns(build):
    b = build()
    hub = b.column("财政预决算", items=0)
    b.column("部门预算", parent=hub)
    b.roots["fgw"].item_count = 0
    assert b.check("coverage.empty_column") == (Status.PASS, [])


def test_nothing_crawled_is_skipped(build):
    b = build(departments=())
    assert b.check("coverage.missing_column")[0] is Status.SKIPPED
