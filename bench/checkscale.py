"""Every check over a large crawl run: time and peak memory of `zwgk check` on SQLite and PostgreSQL.

    .venv/bin/python bench/checkscale.py --db sqlite:////tmp/checkscale.db --docs 1000000 --links 10000000
    .venv/bin/python bench/checkscale.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test --docs 100000

Builds the database of one completed crawl directly (no crawling): `--departments` departments of 25
columns each, `--docs` documents spread over their columns, a list entry and a snapshot per document,
`--links` link rows whose sources are documents and whose targets mix shared pages, other documents,
attachments and external sites; a url_check per distinct target (a small share broken, archived or
blocked), privacy hits, reposts of upstream documents, policy interpretations, annual reports, a week of
availability probes. SQLite is loaded with executemany in big transactions (synchronous and journal off
for the load only); PostgreSQL with COPY into a schema of its own (`zwgk_checkscale`), dropped at the end
unless --keep. Then the real CLI runs every check once and the table reports seconds and the peak RSS of
its process tree (bench/_measure.py); generation time is reported apart.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._measure import run as measure  # noqa: E402

SCHEMA = "zwgk_checkscale"
AS_OF = date(2026, 11, 20)
CRAWLED = datetime(2026, 11, 19, 8, 0)
# column names per catalog item (municipal-department), then extra columns up to 24 per department
ITEM_COLUMNS = ["政府信息公开指南", "政府信息公开制度", "政府信息公开年报", "机构职能", "工作动态", "通知公告",
                "政策文件", "政策解读", "规划计划", "人事信息", "财政预决算", "统计信息"]
EXTRA_COLUMNS = ["建议提案办理", "重点领域信息", "应急管理", "公共服务", "行政执法", "安全生产", "招标采购",
                 "督查考核", "民生实事", "双随机一公开", "社会救助", "新闻发布"]
SHARED_PER_DEPT = 30  # pages every document of a department may link to (home, column pages, services)
EXTERNAL_POOL = 5000  # distinct external targets across the whole run
UPSTREAM_DOCS = 60
BATCH = 50_000


# --- what the run contains -----------------------------------------------------------------------

def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class Plan:
    """Deterministic synthetic content; rows are produced table by table as tuples of plain values."""

    def __init__(self, docs: int, links: int, departments: int, run_id: int = 1) -> None:
        self.docs, self.links, self.depts, self.run_id = docs, links, departments, run_id
        self.cols_per_dept = len(ITEM_COLUMNS) + len(EXTRA_COLUMNS)  # leaf columns under one root
        self.leaf_columns = departments * self.cols_per_dept
        per_doc = max(1, round(links / docs))
        self.n_shared, self.n_att = max(1, round(per_doc * 0.3)), max(1, round(per_doc * 0.2))
        self.n_doc = max(0, round(per_doc * 0.3))
        self.n_ext = max(0, per_doc - self.n_shared - self.n_att - self.n_doc)

    # identities ---------------------------------------------------------------------------------
    def dept(self, i: int) -> str:
        return f"d{i:04d}"

    def base(self, i: int) -> str:
        return f"http://{self.dept(i)}.city.example.gov.cn"

    def column_id(self, dept: int, leaf: int | None) -> int:
        """Root is leaf None; ids are dense and start at 1."""
        return dept * (self.cols_per_dept + 1) + (0 if leaf is None else leaf + 1) + 1

    def column_url(self, dept: int, leaf: int | None) -> str:
        return f"{self.base(dept)}/zwgk/" + ("" if leaf is None else f"c{leaf:02d}/")

    def doc_place(self, doc: int) -> tuple[int, int]:
        """(department, leaf column) of a document: documents are spread round-robin over leaf columns."""
        slot = doc % self.leaf_columns
        return slot // self.cols_per_dept, slot % self.cols_per_dept

    def doc_url(self, doc: int) -> str:
        dept, leaf = self.doc_place(doc)
        return f"{self.column_url(dept, leaf)}t{doc:08d}.html"

    @staticmethod
    def reposts(doc: int) -> int | None:
        """The upstream document this one reposts, if any (about one in a thousand)."""
        return doc % UPSTREAM_DOCS if doc % 997 == 11 else None

    def doc_date(self, doc: int) -> date:
        up = self.reposts(doc)
        if up is not None:  # the same day as upstream, or one or two days later (late)
            return AS_OF - timedelta(days=up) + timedelta(days=(doc // 997) % 3)
        dept, leaf = self.doc_place(doc)
        if ITEM_COLUMNS[leaf:leaf + 1] == ["政策解读"]:  # explains the policy before it, 0–6 days later
            return min(AS_OF, self.doc_date(doc - 1) + timedelta(days=doc % 7))
        spread = 40 if leaf == 4 and dept % 5 == 0 else 0  # 工作动态 of every 5th department is stale
        return AS_OF - timedelta(days=spread + (doc * 7919) % 730)

    def attachment_url(self, doc: int, k: int) -> str:
        ext = "zip" if self.is_archive(doc, k) else "pdf"
        return f"{self.column_url(*self.doc_place(doc))}P0200{doc:08d}_{k}.{ext}"

    @staticmethod
    def is_archive(doc: int, k: int) -> bool:
        return (doc * 3 + k) % 400 == 5

    def shared_url(self, dept: int, s: int) -> str:
        if s == 0:
            return self.base(dept) + "/"
        if s <= self.cols_per_dept:
            return self.column_url(dept, s - 1)
        return f"{self.base(dept)}/bsfw/s{s:02d}.html"

    @staticmethod
    def external_url(e: int) -> str:
        return f"http://www.site{e % 97:02d}.example.org/p/{e:05d}.html"

    # tables ---------------------------------------------------------------------------------------
    def departments(self) -> Iterator[tuple]:
        for i in range(self.depts):
            yield (self.dept(i), f"示例市第{i}部门", "department", "municipal-department", self.column_url(i, None),
                   self.base(i) + "/", "示例市")

    def columns(self) -> Iterator[tuple]:
        names = ITEM_COLUMNS + EXTRA_COLUMNS
        per_leaf = self.docs // self.leaf_columns
        for d in range(self.depts):
            root = self.column_id(d, None)
            yield (root, self.run_id, self.dept(d), None, self.column_url(d, None), self.column_url(d, None),
                   "政府信息公开", 0, 1, 0, None, None)
            for leaf, name in enumerate(names):
                if d % 7 == 3 and name == "政策解读":
                    name = "其他信息"  # a catalog item without a column: coverage.missing_column
                # the newest of this column's documents is among its first few (dates are a permutation)
                count = per_leaf + (1 if d * self.cols_per_dept + leaf < self.docs % self.leaf_columns else 0)
                if d % 11 == 5 and leaf == len(names) - 1:
                    count = 0  # an empty column with no explanation
                first = d * self.cols_per_dept + leaf
                newest = max((self.doc_date(first + j * self.leaf_columns) for j in range(min(count, 400))),
                             default=None)
                yield (self.column_id(d, leaf), self.run_id, self.dept(d), root, self.column_url(d, leaf),
                       self.column_url(d, leaf) + "index.html", name, 1, max(1, count // 20), count,
                       newest.isoformat() if newest else None, None)

    def _doc_count_in(self, doc: int) -> bool:
        dept, leaf = self.doc_place(doc)
        return not (dept % 11 == 5 and leaf == self.cols_per_dept - 1)

    def document_ids(self) -> Iterator[int]:
        return (i for i in range(self.docs) if self._doc_count_in(i))

    def title(self, doc: int) -> tuple[str, str | None]:
        """(title, 文号) by the document's column and number."""
        dept, leaf = self.doc_place(doc)
        name = (ITEM_COLUMNS + EXTRA_COLUMNS)[leaf]
        if self.reposts(doc) is not None:
            return f"转发：关于加强第{self.reposts(doc)}项重点工作的意见", None
        if name == "政策文件":
            number = f"示{self.dept(dept)}发〔2026〕{doc % 997}号" if doc % 3 == 0 else None
            return f"关于印发第{doc}号实施方案的通知", number
        if name == "政策解读":
            policy = doc - 1  # the 政策文件 column is the previous leaf: same slot minus one
            return f"《关于印发第{policy}号实施方案的通知》政策解读", None
        if name == "政府信息公开年报" and doc // self.leaf_columns < 3:
            year = 2025 - doc // self.leaf_columns
            return f"示例市第{dept}部门{year}年政府信息公开工作年度报告", None
        return f"第{dept}部门{name}信息第{doc}号", None

    def documents(self) -> Iterator[tuple]:
        for i in self.document_ids():
            dept, leaf = self.doc_place(i)
            day = self.doc_date(i)
            title, number = self.title(i)
            written = (day - timedelta(days=45 if i % 50 == 0 else 3)).isoformat() if i % 3 == 1 else None
            at = "09:30:00.000000" if i % 2 else None
            yield (i + 1, self.run_id, self.dept(dept), None, self.column_id(dept, leaf), self.doc_url(i), title,
                   day.isoformat(), day.isoformat(), at, written, number, None, None, None,
                   ts(datetime.combine(day, datetime.min.time()) + timedelta(hours=10)), 1, None)
        for u in range(UPSTREAM_DOCS):
            day = AS_OF - timedelta(days=u)
            yield (self.docs + u + 1, self.run_id, None, "province", None,
                   f"http://www.province.example.gov.cn/zcwj/t{u:04d}.html", f"关于加强第{u}项重点工作的意见",
                   day.isoformat(), day.isoformat(), "08:00:00.000000", None, f"示政发〔2026〕{u}号", None, None,
                   None, ts(CRAWLED), 1, None)

    def list_entries(self) -> Iterator[tuple]:
        for n, i in enumerate(self.document_ids()):
            dept, leaf = self.doc_place(i)
            title, _ = self.title(i)
            yield (n + 1, self.run_id, self.column_id(dept, leaf), i + 1, title, self.doc_date(i).isoformat(),
                   self.column_url(dept, leaf) + "index.html")

    def attachments(self) -> Iterator[tuple]:
        n = 0
        for i in self.document_ids():
            for k in range(self.n_att):
                n += 1
                yield (n, self.run_id, i + 1, self.dept(self.doc_place(i)[0]), self.attachment_url(i, k),
                       f"附件{k + 1}")

    def link_rows(self) -> Iterator[tuple]:
        n, rnd = 0, random.Random(7)
        for i in self.document_ids():
            dept, _ = self.doc_place(i)
            source, dept_id = self.doc_url(i), self.dept(dept)
            targets: list[tuple[str, str, str, int]] = []
            for s in rnd.sample(range(SHARED_PER_DEPT), min(self.n_shared, SHARED_PER_DEPT)):
                targets.append((self.shared_url(dept, s), "导航", "a", 0))
            for k in range(self.n_att):
                targets.append((self.attachment_url(i, k), f"附件{k + 1}", "a", 1))
            for step in range(1, self.n_doc + 1):
                other = i + step * self.leaf_columns * 3 + 1
                if other >= self.docs or self.doc_place(other)[0] != dept:
                    other = (i + step) % self.docs
                targets.append((self.doc_url(other), "相关文件", "a", 0))
            for e in rnd.sample(range(EXTERNAL_POOL), min(self.n_ext, EXTERNAL_POOL)):
                targets.append((self.external_url(e), "外部链接", "a", 0))
            seen = set()
            for target, anchor, tag, is_att in targets:
                if target in seen or target == source:
                    continue
                seen.add(target)
                n += 1
                yield (n, self.run_id, dept_id, source, target, anchor, tag, is_att)

    def url_checks(self) -> Iterator[tuple]:
        n = 0
        ok = ("ok", None, 200)
        for d in range(self.depts):
            for s in range(SHARED_PER_DEPT):
                n += 1
                state = ("broken", "http_404", 404) if s == SHARED_PER_DEPT - 1 and d % 4 == 0 else ok
                yield self._check(n, self.shared_url(d, s), state, False)
        for i in self.document_ids():
            n += 1
            yield self._check(n, self.doc_url(i), ("broken", "http_404", 404) if i % 500 == 7 else ok, False)
            for k in range(self.n_att):
                n += 1
                state = ("broken", "http_404", 404) if (i * 3 + k) % 200 == 3 else ok
                yield self._check(n, self.attachment_url(i, k), state, self.is_archive(i, k))
        for e in range(EXTERNAL_POOL):
            n += 1
            state = (("broken", "timeout", None) if e % 50 == 0 else
                     ("blocked", "http_403", 403) if e % 100 == 1 else ok)
            yield self._check(n, self.external_url(e), state, False)

    def _check(self, n: int, url: str, state: tuple, archive: bool) -> tuple:
        verdict, reason, status = state
        return (n, self.run_id, url, verdict, reason, status, None, "[]", "timed out" if reason == "timeout" else None,
                "application/zip" if archive else "text/html", "zip" if archive else None, int(archive),
                "extension" if archive else None, url.rsplit("/", 1)[-1] if archive else None, "GET", ts(CRAWLED),
                None, None)

    def snapshot_bodies(self) -> Iterator[tuple]:
        for b in range(64):
            yield (f"{b:064x}", "zlib", b"x\x9c\x03\x00\x00\x00\x00\x01", 0, "text/html")

    def snapshots(self) -> Iterator[tuple]:
        n = 0
        for i in self.document_ids():
            n += 1
            yield (n, self.run_id, self.doc_url(i), None, 200, "{}", ts(CRAWLED), f"{i % 64:064x}", 0)
        for row in self.url_checks():
            document = row[2].rsplit("/", 1)[-1].startswith("t")  # its snapshot is the page's own, above
            if (row[3] != "ok" or row[11]) and not document:
                n += 1
                yield (n, self.run_id, row[2], None, row[5] or 0, "{}", ts(CRAWLED), f"{n % 64:064x}", 1)

    def privacy_hits(self) -> Iterator[tuple]:
        n = 0
        for i in self.document_ids():
            if i % 1000 != 17:
                continue
            dept = self.dept(self.doc_place(i)[0])
            for kind, masked in (("id_number", "4501**********1234"), ("mobile_number", "138****5678")):
                n += 1
                yield (n, self.run_id, dept, self.doc_url(i), self.doc_url(i), kind, masked, f"联系人 {masked}")
            n += 1
            yield (n, self.run_id, dept, self.doc_url(i), self.attachment_url(i, 0), "id_number",
                   "4501**********9876", "身份证号 4501**********9876")

    def probe_attempts(self) -> Iterator[tuple]:
        n = 0
        for d in range(self.depts):
            for h in range(7 * 24):
                n += 1
                at = datetime.combine(AS_OF, datetime.min.time()) - timedelta(hours=h)
                failed = d % 50 == 9 and h % 10 == 0  # 10 % failures at every 50th department
                yield (n, self.dept(d), self.base(d) + "/", "home", ts(at), 15000 if failed else 300,
                       0 if failed else 1, None if failed else 200, "timeout" if failed else None, None, None)

    def crawl_events(self) -> Iterator[tuple]:
        n = 0
        for d in range(self.depts):
            if d % 100 == 42:
                n += 1
                yield (n, self.run_id, self.dept(d), self.column_url(d, None), "unreachable", "多次尝试均无法打开",
                       ts(CRAWLED))

    def crawl_run(self, sites_file: str, sites_hash: str) -> tuple:
        depts = json.dumps([self.dept(i) for i in range(self.depts)])
        return (self.run_id, sites_file, sites_hash, ts(CRAWLED - timedelta(hours=10)), ts(CRAWLED), "completed",
                depts, json.dumps({"zwgk/privacy/documents_scanned": self.docs}), 0)


TABLES = {
    "departments": ("id", "name", "kind", "catalog", "url", "home", "region"),
    "crawl_runs": ("id", "sites_file", "sites_hash", "started_at", "finished_at", "status", "departments", "stats",
                   "resumed"),
    "columns": ("id", "run_id", "department_id", "parent_id", "url", "page_url", "name", "depth", "page_count",
                "item_count", "newest_date", "note"),
    "documents": ("id", "run_id", "department_id", "upstream_id", "column_id", "url", "title", "list_date",
                  "publish_date", "publish_time", "written_date", "doc_number", "index_number", "publisher", "topic",
                  "first_seen_at", "fetched", "content_hash"),
    "list_entries": ("id", "run_id", "column_id", "document_id", "title", "list_date", "page_url"),
    "attachments": ("id", "run_id", "document_id", "department_id", "url", "name"),
    "links": ("id", "run_id", "department_id", "source_url", "target_url", "anchor", "tag", "is_attachment"),
    "url_checks": ("id", "run_id", "url", "verdict", "reason", "status", "final_url", "redirect_chain", "error",
                   "content_type", "sniffed_kind", "is_archive", "kind_how", "filename", "method", "checked_at", "etag",
                   "last_modified"),
    "snapshot_bodies": ("sha256", "compression", "data", "size", "content_type"),
    "snapshots": ("id", "run_id", "url", "final_url", "status", "headers", "fetched_at", "sha256", "truncated"),
    "privacy_hits": ("id", "run_id", "department_id", "document_url", "source_url", "kind", "masked", "excerpt"),
    "probe_attempts": ("id", "department_id", "url", "kind", "started_at", "elapsed_ms", "ok", "status", "reason",
                       "error", "final_url"),
    "crawl_events": ("id", "run_id", "department_id", "url", "kind", "message", "at"),
}
BIG = ("documents", "list_entries", "attachments", "links", "url_checks", "snapshots")


def table_rows(plan: Plan, name: str, sites: Path, sites_hash: str) -> Iterable[tuple]:
    if name == "crawl_runs":
        return [plan.crawl_run(str(sites), sites_hash)]
    return getattr(plan, "link_rows" if name == "links" else name)()


def write_sites(plan: Plan, path: Path) -> None:
    import yaml

    feed = {"id": "province", "name": "省人民政府文件", "url": "http://www.province.example.gov.cn/zcwj/",
            "repost_within_hours": 24}
    sites = {"region": "示例市", "upstream": [feed],
             "departments": [{"id": d[0], "name": d[1], "kind": d[2], "catalog": d[3], "url": d[4], "home": d[5]}
                             for d in plan.departments()]}
    path.write_text(yaml.safe_dump(sites, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- loading -----------------------------------------------------------------------------------------

def _chunks(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_sqlite(path: str, plan: Plan, sites: Path, sites_hash: str) -> dict[str, int]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    con.execute("PRAGMA foreign_keys=OFF")
    counts = {}
    for name, cols in TABLES.items():
        # plain indexes are built once after the load (sorting beats 10M random B-tree inserts)
        indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? "
                              "AND sql IS NOT NULL", (name,)).fetchall() if name in BIG else []
        for index, _ in indexes:
            con.execute(f'DROP INDEX "{index}"')
        sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        counts[name] = 0
        con.execute("BEGIN")
        for chunk in _chunks(table_rows(plan, name, sites, sites_hash)):
            con.executemany(sql, chunk)
            counts[name] += len(chunk)
        con.execute("COMMIT")
        for _, ddl in indexes:
            con.execute(ddl)
    con.execute("PRAGMA journal_mode=WAL")  # as zwgk leaves it; no ANALYZE: a crawl never runs one either
    con.close()
    return counts


def load_postgres(url: str, plan: Plan, sites: Path, sites_hash: str) -> dict[str, int]:
    import psycopg

    counts = {}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as con:
        con.execute(f"SET search_path TO {SCHEMA}")
        con.execute("SET session_replication_role = replica")  # no FK triggers during the load
        con.execute("SET maintenance_work_mem = '1GB'")
        for name, cols in TABLES.items():
            indexes = con.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname=%s AND tablename=%s "
                                  "AND indexname NOT LIKE 'pk_%%' AND indexname NOT LIKE 'uq_%%'",
                                  (SCHEMA, name)).fetchall() if name in BIG else []
            for index, _ in indexes:
                con.execute(f'DROP INDEX "{index}"')
            counts[name] = 0
            with con.transaction(), con.cursor().copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in table_rows(plan, name, sites, sites_hash):
                    copy.write_row(row)
                    counts[name] += 1
            for _, ddl in indexes:
                con.execute(ddl)
            if "id" in cols and name != "departments":  # departments are keyed by their registry id
                con.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
        con.execute("SET session_replication_role = DEFAULT")
        con.execute("ANALYZE")
    return counts


def pg_schema_url(base: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{SCHEMA}"


def prepare(db: str, plan: Plan, workdir: Path) -> tuple[str, dict[str, int], float]:
    """Create the schema with the real migrations, load the run; returns (URL for zwgk, counts, seconds)."""
    import sqlalchemy as sa

    from store.db import make_engine
    from store.migrate import upgrade
    from store.registry import load_registry

    sites = workdir / "sites.yaml"
    write_sites(plan, sites)
    sites_hash = load_registry(sites).sha256
    start = time.monotonic()
    if db.startswith("sqlite"):
        path = db.split("///", 1)[1]
        Path(path).unlink(missing_ok=True)
        url = db
    else:
        admin = sa.create_engine(db)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
        admin.dispose()
        url = pg_schema_url(db)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    if db.startswith("sqlite"):
        counts = load_sqlite(path, plan, sites, sites_hash)
    else:
        counts = load_postgres(db, plan, sites, sites_hash)
    return url, counts, time.monotonic() - start


def drop_pg(db: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(db)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    admin.dispose()


def run_check(url: str, sites: Path, plan: Plan) -> tuple:
    """(command, measured, CPU seconds of the command: user + system, what the load of others cannot inflate)."""
    env = {**os.environ, "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "scheduler.cli", "--db", url, "check", str(sites), "--as-of", AS_OF.isoformat(),
           "--run", str(plan.run_id)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = measure(cmd, cwd=ROOT, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return cmd, result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def per_check(url: str) -> dict[str, dict]:
    """The last check run's results: status, findings and seconds per check."""
    import sqlalchemy as sa

    from store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT results FROM check_runs ORDER BY id DESC LIMIT 1")).scalar()
    engine.dispose()
    return (json.loads(raw) if isinstance(raw, str) else raw) or {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="sqlite:////path/file.db or a postgresql+psycopg:// URL")
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=10_000_000)
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the loaded database (PostgreSQL schema)")
    parser.add_argument("--reuse", action="store_true", help="do not regenerate: check the database as loaded before")
    args = parser.parse_args()
    plan = Plan(args.docs, args.links, args.departments)
    workdir = Path(tempfile.mkdtemp(prefix="checkscale-"))
    if args.reuse:
        write_sites(plan, workdir / "sites.yaml")
        url = args.db if args.db.startswith("sqlite") else pg_schema_url(args.db)
        counts, gen = {}, 0.0
    else:
        url, counts, gen = prepare(args.db, plan, workdir)
    try:
        load_before = os.getloadavg()
        cmd, result, cpu = run_check(url, workdir / "sites.yaml", plan)
        results = per_check(url)
    finally:
        if not args.keep and not args.db.startswith("sqlite"):
            drop_pg(args.db)
    backend = "SQLite" if args.db.startswith("sqlite") else "PostgreSQL"
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; load average before the check "
          f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"date: {datetime.now():%Y-%m-%d %H:%M}; rows loaded: {json.dumps(counts)}")
    print(f"generation + load: {gen:.1f} s")
    print(f"command: {' '.join(cmd)}")
    print(result.stdout)
    if result.returncode:
        print(result.stderr[-4000:])
    print("| backend | documents | links | check seconds (wall) | CPU seconds (client) | peak RSS MiB | exit |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {backend} | {counts.get('documents', args.docs):,} | {counts.get('links', args.links):,} | "
          f"{result.seconds:.1f} | {cpu:.1f} | {result.peak_mib:.0f} | {result.returncode} |")
    print("\n| check | status | findings | seconds |\n|---|---|---|---|")
    for check, r in results.items():
        seconds = r.get("seconds")
        print(f"| {check} | {r['status']} | {r['findings']:,} | {'' if seconds is None else f'{seconds:.1f}'} |")


if __name__ == "__main__":
    main()
