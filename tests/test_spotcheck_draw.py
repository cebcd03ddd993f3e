"""The 三随机 draw: pure and reproducible from its record, stratified, and a tampered record is caught."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from checks import sampling
from checks.calendar import WorkCalendar
from scheduler.jobs_spotcheck import verify_job
from store.db import make_engine, session_factory
from store.models_spotcheck import ImmutableRecordError, SpotcheckDraw
from tests.conftest import ROOT, CliResult

KINDS = ["department"] * 6 + ["county"] * 3 + ["township"] * 3


def run_cli(*args: str, timeout: float = 300) -> CliResult:
    """The real `zwgk` entry point in a subprocess. (`python -m scheduler.cli`, which the shared `zwgk` fixture
    runs, executes cli.py as __main__, so the commands cli_*.py add to scheduler.cli.app are missing there.)"""
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ZWGK_DEBUG", None)
    proc = subprocess.run([sys.executable, "-c", "from scheduler.cli import main; main()", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def zwgk():
    return run_cli


def _frame(share: float | None = 0.5, count: int | None = None, excluded=(), items: int | None = None) -> dict:
    departments = [{"id": f"d{i:02d}", "name": f"单位{i}", "kind": kind} for i, kind in enumerate(KINDS)]
    return sampling.build_frame(
        as_of="2026-11-20", region="测试市", sites_file="sites.yaml", sites_sha256="0" * 64, departments=departments,
        excluded=list(excluded), exclude_last=1 if excluded else 0, checklist=sampling.load_checklist(),
        params=sampling.DrawParams(count=count, share=share, items=items),
        workdays=["2026-11-23", "2026-11-24", "2026-11-25"], calendar="test")


def test_the_same_record_always_gives_the_same_draw():
    frame, seed = _frame(), "a" * 64
    first = sampling.draw(frame, seed)
    assert sampling.draw(json.loads(json.dumps(frame)), seed) == first  # survives a JSON round trip (the store)
    assert sampling.draw(frame, "b" * 64) != first
    assert sampling.verify(frame, sampling.commitment(frame), seed, first).ok


def test_departments_are_stratified_by_kind_and_exclusions_respected():
    frame = _frame(share=0.5, excluded=["d00", "d06"])
    for seed in ("1" * 64, "2" * 64, "3" * 64):
        result = sampling.draw(frame, seed)
        kinds = Counter(KINDS[int(d[1:])] for d in result["departments"])
        # 10 eligible (5 departments, 2 counties, 3 townships) × 0.5 = 5 → 2.5 / 1 / 1.5 → 3 / 1 / 1 (largest remainder)
        assert sum(kinds.values()) == 5
        assert kinds == {"department": 3, "county": 1, "township": 1} or kinds == {"department": 2, "county": 1,
                                                                                     "township": 2}
        assert not {"d00", "d06"} & set(result["departments"])
        assert result["scheduled_at"][:10] in frame["window"]["workdays"]
        assert int(result["scheduled_at"][11:13]) in sampling.DEFAULT_WORK_HOURS


@pytest.mark.parametrize("count, share, eligible, expected", [
    (3, None, 12, 3), (20, None, 12, 12), (None, 0.3, 12, 4), (None, 0.25, 12, 3), (None, 1.0, 12, 12),
    (None, 0.3, 0, 0)])
def test_sample_size(count, share, eligible, expected):
    frame = {"sample": {"count": count, "share": share}}
    assert sampling.sample_size(frame, eligible) == expected


@pytest.mark.parametrize("n, sizes, expected", [
    (5, {"department": 5, "county": 2, "township": 3}, {"department": 3, "county": 1, "township": 1}),
    (4, {"department": 6, "county": 3, "township": 3}, {"department": 2, "county": 1, "township": 1}),
    (1, {"department": 1, "county": 1}, {"department": 1, "county": 0}),
    (0, {"department": 3}, {"department": 0})])
def test_allocation_is_proportional_with_largest_remainder(n, sizes, expected):
    assert sampling.allocate(n, sizes) == expected


def test_lots_can_be_recomputed_with_any_sha256_tool():
    frame, seed = _frame(count=1), "c" * 64
    by_kind = sampling.draw(frame, seed)["by_kind"]
    townships = [d["id"] for d in frame["departments"] if d["kind"] == "township"]
    smallest = min(townships, key=lambda d: hashlib.sha256(f"{seed}|department|{d}".encode()).hexdigest())
    assert by_kind.get("township", []) in ([], [smallest])


@pytest.mark.parametrize("edit, what", [
    (lambda f, s, r: f["departments"].pop(), "抽取范围"),
    (lambda f, s, r: r["departments"].reverse() or r.update(departments=["d11"]), "抽取结果"),
    (lambda f, s, r: r.update(scheduled_at="2026-11-23T09:00"), "抽取结果"),
])
def test_verification_names_what_was_changed(edit, what):
    frame, seed = _frame(), "d" * 64
    stored = sampling.commitment(frame)
    result = sampling.draw(frame, seed)
    edit(frame, seed, result)
    v = sampling.verify(frame, stored, seed, result)
    assert not v.ok and any(what in d for d in v.differences)


def test_default_checklist_is_attachment_4_of_seed_001():
    checklist = sampling.load_checklist()
    numbers = [i.number for i in checklist.items]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15]  # the source skips 11; kept as written
    assert checklist.source == "柳政办〔2018〕142号" and "11" in checklist.note
    assert all(i.checks or i.manual for i in checklist.items)
    assert {c for i in checklist.items for c in i.checks} <= sampling.KNOWN_CHECK_IDS
    assert "links.broken" in next(i for i in checklist.items if i.number == 6).checks


def test_workdays_skip_weekends_and_holidays():
    days, how = sampling.workdays_from(date(2026, 9, 30), 4, WorkCalendar())
    assert [d.isoformat() for d in days] == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"]  # 国庆; 调休 Saturday
    assert "2026年" in how


def _sites(tmp: Path) -> Path:
    lines = ["region: 测试市", "departments:"]
    for i, kind in enumerate(KINDS):
        catalog = {"department": "municipal-department", "county": "county-government", "township": "township"}[kind]
        lines += [f"  - id: d{i:02d}", f"    name: 测试市单位{i}", f"    kind: {kind}", f"    catalog: {catalog}",
                  f"    url: http://127.0.0.1:9/d{i:02d}/zwgk/"]
    path = tmp / "sites.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_draw_commits_before_the_seed_and_verify_catches_tampering(zwgk, db_url, tmp_path):
    sites = _sites(tmp_path)
    plain = zwgk("--db", db_url, "spotcheck", "draw", str(sites), "--count", "4")
    assert plain.code == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[0].startswith("抽取范围校验值") and lines[1].startswith("抽取记录 #1")
    drawn = zwgk("--db", db_url, "spotcheck", "draw", str(sites), "--share", "0.5", "--exclude-last", "1", "--json")
    assert drawn.code == 0, drawn.stderr
    data = drawn.json()
    assert set(data) == {"id", "commitment", "scheduled_at", "departments", "items"} and data["id"] == 2
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        first, second = s.get(SpotcheckDraw, 1), s.get(SpotcheckDraw, 2)
        first_frame = dict(first.frame)
        assert lines[0].endswith(first.commitment)
        assert hashlib.sha256(sampling.canonical(second.frame)).hexdigest() == data["commitment"]
        # --exclude-last counts rounds that were run: draw 1 never was, so it excludes nobody
        assert second.frame["exclude"]["departments"] == [] and second.frame["exclude"]["last_rounds"] == 1
        assert len(data["departments"]) == 6 and second.result["departments"] == data["departments"]  # 12 × 0.5
        second.seed = "0" * 64
        with pytest.raises(ImmutableRecordError):  # the program itself never edits a stored draw
            s.commit()

    ok = zwgk("--db", db_url, "spotcheck", "verify", "2")
    assert ok.code == 0 and "一致" in ok.stdout and "不一致" not in ok.stdout

    with engine.begin() as conn:  # someone edits the stored row behind the program's back
        row = conn.execute(sa.text("SELECT result FROM spotcheck_draws WHERE id = 2")).scalar_one()
        result = json.loads(row) if isinstance(row, str) else row
        others = [f"d{i:02d}" for i in range(12) if f"d{i:02d}" not in result["departments"]]
        result["departments"] = sorted(result["departments"][1:] + others[:1])
        conn.execute(sa.text("UPDATE spotcheck_draws SET result = :r WHERE id = 2"), {"r": json.dumps(result)})
        conn.execute(sa.text("UPDATE spotcheck_draws SET frame = :f WHERE id = 1"),
                     {"f": json.dumps({**first_frame, "as_of": "2026-01-01"}, ensure_ascii=False)})
    engine.dispose()
    bad = zwgk("--db", db_url, "spotcheck", "verify", "2")
    assert bad.code == 1, bad.stdout + bad.stderr
    assert "不一致" in bad.stdout and "抽取结果" in bad.stdout
    v = verify_job(db_url, 1)
    assert not v.ok and not v.commitment_ok and any("抽取范围" in d for d in v.differences)


@pytest.mark.parametrize("args, message", [
    (["--count", "2", "--share", "0.5"], "只能指定其一"),
    (["--share", "1.5"], "--share"),
    (["--window-start", "2026-13-01"], "--window-start"),
])
def test_cli_draw_refuses_bad_options(zwgk, tmp_path, args, message):
    result = zwgk("--db", f"sqlite:///{tmp_path / 'z.db'}", "spotcheck", "draw", str(_sites(tmp_path)), *args)
    assert result.code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_cli_reports_a_bad_checklist_and_unknown_draw_in_one_line(zwgk, tmp_path):
    bad = tmp_path / "checklist.yaml"
    bad.write_text("id: x\nname: 清单\nsource: 测试\ndraw_items: 1\nitems:\n  - number: 1\n    name: 某项\n"
                   "    checks: [links.brokn]\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'z.db'}"
    result = zwgk("--db", db, "spotcheck", "draw", str(_sites(tmp_path)), "--checklist", str(bad))
    assert result.code == 2 and "items[0]" in result.stderr and "links.brokn" in result.stderr
    missing = zwgk("--db", db, "spotcheck", "verify", "7")
    assert missing.code == 2 and "抽取记录 #7 不存在" in missing.stderr


def test_exclude_last_counts_only_rounds_that_were_run(zwgk, tmp_path):
    from store import clock
    from store.models_spotcheck import SpotcheckRound

    db, sites = f"sqlite:///{tmp_path / 'z.db'}", _sites(tmp_path)
    assert zwgk("--db", db, "spotcheck", "draw", str(sites), "--count", "4").code == 0
    engine = make_engine(db)
    with session_factory(engine)() as s:  # round 1 was carried out
        first = s.get(SpotcheckDraw, 1)
        s.add(SpotcheckRound(draw_id=1, year=2026, period=1, status="completed", started_at=clock.now()))
        s.commit()
        drawn_first = set(first.result["departments"])
    engine.dispose()
    again = zwgk("--db", db, "spotcheck", "draw", str(sites), "--count", "4", "--exclude-last", "1", "--json")
    assert again.code == 0, again.stderr
    assert drawn_first.isdisjoint(again.json()["departments"])


def test_every_stratum_gets_a_unit_when_drawing_a_share():
    frame = _frame(share=0.1)  # 12 units × 0.1 → 2, but three strata have members
    for seed in ("1" * 64, "2" * 64, "3" * 64):
        kinds = Counter(KINDS[int(d[1:])] for d in sampling.draw(frame, seed)["departments"])
        assert kinds == {"department": 1, "county": 1, "township": 1}
    counted = _frame(share=None, count=2)  # an explicit count is kept as given
    assert len(sampling.draw(counted, "1" * 64)["departments"]) == 2


@pytest.mark.parametrize("n, sizes, expected", [
    (3, {"department": 6, "county": 3, "township": 1}, {"department": 1, "county": 1, "township": 1}),
    # one each, then 2 more over the members left (5, 2, 0): 1.43 / 0.57 → 1 + 1 by largest remainder
    (5, {"department": 6, "county": 3, "township": 1}, {"department": 2, "county": 2, "township": 1}),
    (2, {"department": 6, "county": 3, "township": 1}, {"department": 1, "county": 1, "township": 1}),
    (10, {"department": 6, "county": 3, "township": 1}, {"department": 6, "county": 3, "township": 1}),
    (4, {"department": 4, "county": 0}, {"department": 4, "county": 0})])
def test_every_stratum_allocation(n, sizes, expected):
    assert sampling.allocate(n, sizes, every_stratum=True) == expected


def _announce(zwgk, db, sites, out, *extra):
    return zwgk("--db", db, "spotcheck", "announce", str(sites), "--public-source", "中国福利彩票双色球第2026141期开奖号码",
                "-o", str(out), "--secret-file", str(out.parent / f"secret-{out.name}.txt"), *extra)


def test_announced_draw_is_recomputed_by_the_standalone_script_and_cannot_be_redrawn(zwgk, db_url, tmp_path):
    sites, out = _sites(tmp_path), tmp_path / "pub"
    announced = _announce(zwgk, db_url, sites, out, "--share", "0.3")
    assert announced.code == 0, announced.stderr
    frame_file = out / "抽查公告_1_抽取范围.json"
    assert {p.name for p in out.iterdir()} == {"抽查公告_1.docx", "抽查公告_1.html", frame_file.name}
    published = json.loads(frame_file.read_text(encoding="utf-8"))
    assert str(tmp_path) not in frame_file.read_text(encoding="utf-8")  # no local path is published
    secret = (tmp_path / "secret-pub.txt").read_text(encoding="utf-8").strip()
    assert oct((tmp_path / "secret-pub.txt").stat().st_mode & 0o777) == "0o600"
    assert secret not in frame_file.read_text(encoding="utf-8") and secret not in (out / "抽查公告_1.html").read_text()
    assert published["commitment"] in announced.stdout

    refused = zwgk("--db", db_url, "spotcheck", "draw", "--announcement", "1", "--public-value", "01 02",
                   "--secret", "0" * 64)
    assert refused.code == 2 and "密钥校验值不符" in refused.stderr
    value = "03 08 12 19 25 31 + 07"
    drawn = zwgk("--db", db_url, "spotcheck", "draw", "--announcement", "1", "--public-value", value,
                 "--secret-file", str(tmp_path / "secret-pub.txt"), "--json")
    assert drawn.code == 0, drawn.stderr
    result = drawn.json()
    # an outsider: the published frame file, the public value and the revealed secret, standard library only
    script = subprocess.run([sys.executable, "-I", str(ROOT / "checks" / "drawcore.py"), str(frame_file),
                             "--public-value", "03  08 12 19 25 31 + 07", "--secret", secret],
                            capture_output=True, text=True, cwd=tmp_path)
    assert script.returncode == 0, script.stderr
    outsider = json.loads(script.stdout)
    assert outsider["commitment"] == published["commitment"] == result["commitment"]
    assert outsider["secret_matches_announcement"] is True
    assert (outsider["departments"], outsider["items"], outsider["scheduled_at"]) == (
        result["departments"], result["items"], result["scheduled_at"])
    # 12 units × 0.3 → 4, and each of the three strata has at least one
    kinds = Counter(KINDS[int(d[1:])] for d in result["departments"])
    assert sum(kinds.values()) == 4 and set(kinds) == {"department", "county", "township"}

    again = zwgk("--db", db_url, "spotcheck", "draw", "--announcement", "1", "--public-value", "09 09",
                 "--secret", secret)
    assert again.code == 2 and "只能抽取一次" in again.stderr
    assert zwgk("--db", db_url, "spotcheck", "verify", "1").code == 0
    # a second announcement is possible once the first was drawn, but never two open at once
    assert _announce(zwgk, db_url, sites, tmp_path / "pub2", "--share", "0.3").code == 0
    third = _announce(zwgk, db_url, sites, tmp_path / "pub3", "--share", "0.5")
    assert third.code == 2 and "尚未抽取" in third.stderr and "--announcement 2" in third.stderr


def test_the_announcement_names_the_public_value_and_hides_the_secret(zwgk, tmp_path):
    from docx import Document as open_docx

    db, sites, out = f"sqlite:///{tmp_path / 'z.db'}", _sites(tmp_path), tmp_path / "pub"
    assert _announce(zwgk, db, sites, out).code == 0
    doc = open_docx(str(out / "抽查公告_1.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "中国福利彩票双色球第2026141期开奖号码" in text and "至少抽取1个" in text
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    published = json.loads((out / "抽查公告_1_抽取范围.json").read_text(encoding="utf-8"))
    assert published["commitment"] in cells and published["frame"]["randomness"]["secret_sha256"] in cells
