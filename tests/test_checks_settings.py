"""Check thresholds set in sites.yaml's `checks:` section: validated against each check's own defaults, used by
`zwgk check` and rounds, and shown in the evidence of every finding that used them."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from checks.base import Status
from checks.runner import run_checks
from checks.settings import check_settings
from store import models as m
from store.registry import ConfigError, load_registry
from tests.test_checks_coverage import build, store  # noqa: F401 - fixtures

SITES = """region: 测试市
departments:
  - {id: fgw, name: 测试市发展和改革委员会, kind: department, catalog: municipal-department, url: "http://x/fgw/zwgk/"}
"""


def _sites(tmp_path, checks: str = ""):
    path = tmp_path / "sites.yaml"
    path.write_text(SITES + checks, encoding="utf-8")
    return path


@pytest.mark.parametrize("section, message", [
    ("checks:\n  repost.misssing: {window_days: 90}\n", "checks.repost.misssing: 没有这个检查项"),
    ("checks:\n  repost.missing: {window: 90}\n", "checks.repost.missing.window: 检查项 repost.missing 没有这个阈值"),
    ("checks:\n  repost.missing: {window_days: ninety}\n", "checks.repost.missing.window_days: 应为数值"),
    ("checks:\n  repost.missing: {window_days: -5}\n", "不能为负数"),
    ("checks:\n  timeliness.interpretation: {numbered_only: 1}\n", "应为 true 或 false"),
])
def test_a_wrong_threshold_is_one_line_naming_file_and_field(tmp_path, zwgk, section, message):
    path = _sites(tmp_path, section)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        check_settings(load_registry(path).sites.checks, path)
    result = zwgk("sites", "validate", str(path))
    assert result.code == 2 and message in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_thresholds_from_sites_yaml_are_used_and_shown_in_the_evidence(build, tmp_path):  # noqa: F811
    b = build(started=datetime(2026, 11, 10, 20, 0))
    b.doc("关于做好冬季安全生产工作的通知", upstream="province", published=date(2026, 9, 20), at=time(9, 0))  # 51 days
    b.doc("本单位的其他信息", published=date(2026, 11, 1))
    b.s.commit()
    short = load_registry(_sites(tmp_path, "checks:\n  repost.missing: {window_days: 30}\n"))
    _, [outcome] = run_checks(b.s, b.run, as_of=date(2026, 11, 10), registry=short, only=["repost.missing"])
    assert outcome.status == Status.SKIPPED  # nothing upstream within 30 days
    (tmp_path / "long").mkdir()
    long = load_registry(_sites(tmp_path / "long", "checks:\n  repost.missing: {window_days: 90}\n"))
    check_run, [outcome] = run_checks(b.s, b.run, as_of=date(2026, 11, 10), registry=long, only=["repost.missing"])
    assert outcome.status == Status.FAIL
    finding = b.s.query(m.Finding).filter_by(check_run_id=check_run.id).one()
    assert finding.evidence["thresholds"]["window_days"] == 90 and finding.evidence["window_days"] == 90
    assert check_run.config["settings"] == {"repost.missing": {"window_days": 90}}
