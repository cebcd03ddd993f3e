"""The console's main flows in Debian's Chromium through Playwright, with screenshots: a department clerk
logs in, sees only her department, answers a finding with a proof file; the office accepts; the next
bulletin's problem list shows it. Hostile crawled text runs no script and opens no dialog."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select
from werkzeug.serving import make_server

from reports.bulletin import XLSX_HEADER
from scheduler.jobs_spotcheck import bulletin_job
from store import models as m
from store.db import make_engine, session_factory
from store.models_spotcheck import SpotcheckRound
from tests.test_reports_bulletin import CHECKLIST, HOSTILE, PLANTED, make_round, write_sites
from web import create_app
from web.accounts import Actor, add_user

CHROMIUM = os.environ.get("ZWGK_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (.ci/setup installs it)")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def served(tmp_path):
    db = f"sqlite:///{tmp_path / 'zwgk.db'}"
    checklist = tmp_path / "checklist.yaml"
    checklist.write_text(CHECKLIST, encoding="utf-8")
    names = {"fgw": "示例市发展和改革委员会", "jyj": "示例市教育局", "sfj": "示例市司法局"}
    round_id = make_round(db, write_sites(tmp_path / "a.yaml", names), checklist, PLANTED)
    engine = make_engine(db)
    with session_factory(engine)() as s:
        for dept, name in names.items():
            if s.get(m.Department, dept) is None:
                s.add(m.Department(id=dept, name=name, kind="department", url=f"http://x/{dept}/zwgk/"))
        cli = Actor(None, "test", None)
        add_user(s, cli, username="office", password="Office-pass-2026", role="admin", display_name="王主任")
        add_user(s, cli, username="jyj", password="Jyj-clerk-2026", role="department", department="jyj",
                 display_name="教育局李老师")
        s.commit()
    engine.dispose()
    app = create_app(db, upload_dir=tmp_path / "uploads")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", db, round_id, tmp_path
    server.shutdown()


def _shot(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    image = Image.open(path).convert("L")
    assert sum(image.histogram()[:128]) > 0.005 * image.width * image.height, "blank page"


def test_department_answers_office_accepts_and_the_bulletin_shows_it(served):
    from playwright.sync_api import sync_playwright

    base, db, round_id, tmp = served
    proof = tmp / "整改截图.png"
    proof.write_bytes(PNG)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/login")
        page.fill("#username", "jyj")
        page.fill("#password", "Jyj-clerk-2026")
        page.click("button[type=submit]")
        page.goto(f"{base}/findings?run=")
        _shot(page, tmp / "dept-findings.png")
        rows = page.locator("tbody tr")
        text = page.inner_text("main")
        assert "示例市教育局" in text and "示例市发展和改革委员会" not in text
        page.locator("tbody a").first.click()
        assert HOSTILE not in page.content() or "&lt;script&gt;" in page.content()
        page.check("input[value=rectified]")
        page.fill("#note", "已删除失效链接，并对栏目逐一核查")
        page.set_input_files("#proof", str(proof))
        page.click("form[enctype] button[type=submit]")
        assert "已提交，等待办公室审核" in page.inner_text("main")
        _shot(page, tmp / "dept-answered.png")
        finding_url = page.url
        page.click("header button")  # 退出

        page.goto(f"{base}/login")
        page.fill("#username", "office")
        page.fill("#password", "Office-pass-2026")
        page.click("button[type=submit]")
        _shot(page, tmp / "office-overview.png")
        page.goto(finding_url)
        page.check("input[value=accepted]")
        page.fill("#decision-note", "经核实已整改")
        page.click("text=提交审核")
        assert "已整改" in page.inner_text("main")
        _shot(page, tmp / "office-finding.png")
        assert rows is not None
        browser.close()
    assert dialogs == []  # hostile finding text ran no script
    out = tmp / "bulletin"
    bulletin_job(db, round_id, out, allow_pending=True)
    ws = load_workbook(next(out.glob("*_问题清单.xlsx"))).active
    col = {name: i for i, name in enumerate(XLSX_HEADER)}
    states = {r[col["页面地址"]]: r[col["整改状态"]] for r in ws.iter_rows(min_row=2, values_only=True)}
    with session_factory(make_engine(db))() as s:
        spot = s.get(SpotcheckRound, round_id)
        accepted = s.scalars(select(m.Finding).where(m.Finding.check_run_id == spot.check_run_id,
                                                     m.Finding.status == "rectified")).all()
    assert len(accepted) == 1 and states[accepted[0].url] == "已整改"
