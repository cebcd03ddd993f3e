"""The indicator file weighs broken links by kind: a missing document or attachment costs more than a broken
picture, stylesheet or script on a page that works (checks/indicators/default.yaml, link_kinds)."""
from __future__ import annotations

import pytest
import yaml

from checks.scoring import load_indicators, score_check_run
from store import models as m
from store.registry import ConfigError
from tests.test_checks_coverage import store  # noqa: F401 - fixture
from tests.test_checks_scoring import NOW, db  # noqa: F401 - fixture


def _run(session, kinds: list[str | None]) -> m.CheckRun:
    crawl = m.CrawlRun(sites_file="s", sites_hash="k", started_at=NOW, status="completed", departments=["fgw"])
    session.add(crawl)
    session.flush()
    run = m.CheckRun(crawl_run_id=crawl.id, as_of=NOW.date(), started_at=NOW, results={})
    session.add(run)
    session.flush()
    for i, kind in enumerate(kinds):
        session.add(m.Finding(check_run_id=run.id, check="links.broken", department_id="fgw", url=f"http://x/{i}",
                              item=None, severity="medium", message="m", fix="f",
                              evidence={} if kind is None else {"link_kind": kind}, detected_at=NOW, as_of=NOW.date()))
    session.commit()
    return run


@pytest.mark.parametrize("kinds, deducted", [
    (["page"], 0.5),
    ([None], 0.5),  # findings from before link kinds: pages
    (["attachment"], 0.5),
    (["image"], 0.2),
    (["video"], 0.3),
    (["style", "script", "font"], 0.3),
    (["page", "image", "image"], 0.9),
    (["image"] * 100, 15),  # capped at the indicator's points
])
def test_broken_links_are_weighed_by_kind(db, kinds, deducted):
    _, session = db
    [fgw] = [s for s in score_check_run(session, _run(session, kinds), load_indicators()) if s.department == "fgw"]
    assert fgw.by_indicator["kyx"] == pytest.approx(deducted)


@pytest.mark.parametrize("link_kinds, words", [
    ({"picture": 0.2}, "不是链接类型"),
    ({"image": -1}, "不能为负数"),
])
def test_link_kinds_are_validated(tmp_path, link_kinds, words):
    spec = yaml.safe_load(open("checks/indicators/default.yaml", encoding="utf-8"))
    for ind in spec["indicators"]:
        if "links.broken" in ind["checks"]:
            ind["link_kinds"] = link_kinds
    path = tmp_path / "ind.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_indicators(path)
    assert words in str(err.value) and str(path) in str(err.value)
