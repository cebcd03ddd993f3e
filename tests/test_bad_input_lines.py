"""Bad input ends in one Chinese line and exit code 2, never a traceback: deeply nested YAML (sites.yaml, a
catalog, holidays.yaml), a database of a newer schema, a file that is not a database, a --db in a directory
that does not exist; a port out of range or a space in an address is refused when sites.yaml loads."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.migrate import upgrade
from tests.conftest import run_zwgk

DEPT = ("  - {{id: a, name: 测试局, kind: department, catalog: {catalog}, url: '{url}'}}\n")


def sites(tmp_path: Path, url: str = "http://127.0.0.1:8080/zwgk/", catalog: str = "municipal-department",
          extra: str = "") -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text("region: 测试市\n" + extra + "departments:\n" + DEPT.format(catalog=catalog, url=url),
                    encoding="utf-8")
    return path


def one_line(result, *needles: str) -> str:
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


DEEP_LIST = "[" * 5000 + "]" * 5000
DEEP_MAP = "{a: " * 5000 + "1" + "}" * 5000


@pytest.mark.parametrize("deep", [DEEP_LIST, DEEP_MAP, "[" * 60 + "]" * 60])
def test_deeply_nested_sites_yaml(tmp_path, deep):
    path = tmp_path / "sites.yaml"
    path.write_text(f"region: 测试市\ncatalogs: {deep}\n", encoding="utf-8")
    one_line(run_zwgk("sites", "validate", str(path)), "sites.yaml", "嵌套层数过多")


def test_deeply_nested_catalog(tmp_path):
    (tmp_path / "deep.yaml").write_text(f"id: deep\nname: 目录\nitems: {DEEP_LIST}\n", encoding="utf-8")
    path = sites(tmp_path, catalog="deep", extra="catalogs: [deep.yaml]\n")
    one_line(run_zwgk("sites", "validate", str(path)), "deep.yaml", "嵌套层数过多")


def test_deeply_nested_holiday_file(tmp_path):
    path = sites(tmp_path)
    (tmp_path / "holidays.yaml").write_text(f"2027: {DEEP_MAP}\n", encoding="utf-8")
    db = tmp_path / "zwgk.db"
    one_line(run_zwgk("--db", str(db), "spotcheck", "draw", str(path), "--share", "1"), "holidays.yaml", "嵌套层数过多")


def test_port_out_of_range_is_refused_at_load(tmp_path):
    path = sites(tmp_path, url="http://127.0.0.1:99999/zwgk/")
    one_line(run_zwgk("sites", "validate", str(path)), "sites.yaml", "departments[0].url", "端口")


def test_space_in_an_address_is_refused_at_load(tmp_path):
    path = sites(tmp_path, url="http://127.0.0.1:8080/zw gk/")
    one_line(run_zwgk("sites", "validate", str(path)), "sites.yaml", "departments[0].url", "空格")
    path = sites(tmp_path, url="http://127.0.0.1:8080/zwgk/", extra=(
        "upstream:\n  - {id: s, name: 省政府, url: 'http://127.0.0.1:0/zcwj/'}\n"))
    one_line(run_zwgk("sites", "validate", str(path)), "upstream[0].url", "端口")


def test_database_of_a_newer_schema(tmp_path):
    db = tmp_path / "new.db"
    engine = make_engine(str(db))
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '0999'"))
    engine.dispose()
    one_line(run_zwgk("--db", str(db), "findings"), "0999", "新")
    one_line(run_zwgk("--db", str(db), "crawl", str(sites(tmp_path)), "--fast"), "0999")


def test_a_file_that_is_not_a_database(tmp_path):
    fake = tmp_path / "notes.db"
    fake.write_bytes(b"These are my meeting notes, not a database.\n" * 200)
    one_line(run_zwgk("--db", str(fake), "findings"), "不是 SQLite 数据库")
    one_line(run_zwgk("--db", f"sqlite:///{fake}", "report", "html", "-o", str(tmp_path / "r.html")),
             "不是 SQLite 数据库")
    assert fake.read_bytes().startswith(b"These are my meeting notes")  # left as it was


def test_a_missing_db_directory_is_not_created(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    one_line(run_zwgk("--db", str(missing / "zwgk.db"), "findings"), "目录不存在", str(missing))
    one_line(run_zwgk("findings", env={"ZWGK_DB": str(missing / "zwgk.db")}), "目录不存在")
    assert not (tmp_path / "no").exists()


def test_commands_that_make_their_own_database_still_do(tmp_path):
    """`sites validate` needs none, a new file in an existing directory is created and migrated."""
    db = tmp_path / "fresh.db"
    one_line(run_zwgk("--db", str(db), "findings"), "还没有检查结果")  # created, migrated, empty
    assert db.is_file()
