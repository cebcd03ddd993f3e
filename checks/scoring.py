"""Evaluation scores: a check run's findings turned into each department's score and verdict by an
indicator file (YAML) that maps check ids to indicators, per-finding deductions, caps and vetoes.

The default (checks/indicators/default.yaml) models 国办秘函〔2019〕19号: single-item vetoes make a
department 不合格 whatever its score; deductions from 100 never exceed an indicator's points; 合格 at 60.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import models as m
from store.registry import ConfigError, explain, read_yaml, StrictModel

DEFAULT_INDICATORS = Path(__file__).resolve().parent / "indicators" / "default.yaml"
# the stable check ids (README 检查项): an indicator file may name a check before this installation has it
STABLE_IDS = frozenset({
    "site.unreachable", "coverage.missing_column", "coverage.empty_column", "timeliness.stale_column",
    "timeliness.late_publication", "timeliness.annual_report", "timeliness.interpretation", "links.broken",
    "attachments.archive", "repost.late", "repost.missing", "privacy.id_number", "privacy.mobile_number",
})
PASSED, FAILED = "合格", "不合格"


class Veto(StrictModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    check: str = Field(min_length=1)
    min_findings: int = Field(default=1, ge=1)
    items: list[str] = Field(default_factory=list)  # count only findings about these catalog items
    basis: str = ""


class Indicator(StrictModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    points: float = Field(gt=0)  # the most this indicator can deduct
    checks: dict[str, float] = Field(min_length=1)  # check id → points deducted per finding
    basis: str = ""

    @model_validator(mode="after")
    def _non_negative(self) -> Indicator:
        for check, points in self.checks.items():
            if points < 0:
                raise ValueError(f"检查项 {check} 的每项扣分不能为负数")
        return self


class Indicators(StrictModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    full_score: float = Field(default=100, gt=0)
    pass_score: float = Field(default=60, ge=0)
    vetoes: list[Veto] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)


def _known_checks() -> set[str]:
    from checks.registry import all_checks

    return set(all_checks()) | STABLE_IDS


def load_indicators(path: str | Path | None = None) -> Indicators:
    """Read and validate an indicator file; None reads the default. Errors name file and field."""
    path = Path(path) if path is not None else DEFAULT_INDICATORS
    data, _ = read_yaml(path)
    try:
        spec = Indicators.model_validate(data)
    except ValidationError as exc:
        raise explain(path, exc) from None
    known, owner = _known_checks(), {}
    for i, ind in enumerate(spec.indicators):
        if ind.id in {x.id for x in spec.indicators[:i]}:
            raise ConfigError(f"{path}: indicators[{i}].id: 编号重复（{ind.id!r}）")
        for check in ind.checks:
            if check not in known:
                raise ConfigError(f"{path}: indicators[{i}].checks.{check}: 没有编号为 {check!r} 的检查项")
            if check in owner:
                raise ConfigError(f"{path}: indicators[{i}].checks.{check}: 该检查项已计入指标 {owner[check]!r}，"
                                  "每个检查项只能计入一个指标")
            owner[check] = ind.id
    for i, veto in enumerate(spec.vetoes):
        if veto.check not in known:
            raise ConfigError(f"{path}: vetoes[{i}].check: 没有编号为 {veto.check!r} 的检查项")
    if spec.pass_score > spec.full_score:
        raise ConfigError(f"{path}: pass_score: 合格分数不能高于满分 {spec.full_score:g}")
    return spec


@dataclass(frozen=True)
class Deduction:
    indicator: str
    indicator_name: str
    check: str
    finding_id: int
    points: float  # as applied: 0 once the indicator's cap is reached


@dataclass(frozen=True)
class DepartmentScore:
    department: str
    name: str
    score: float
    passed: bool
    verdict: str  # "合格" | "不合格"
    vetoes: tuple[str, ...]
    deductions: tuple[Deduction, ...]
    by_indicator: dict[str, float]  # indicator id → points deducted (capped)


def _score(dept: str, name: str, findings: list[m.Finding], spec: Indicators) -> DepartmentScore:
    vetoes = []
    for veto in spec.vetoes:
        count = sum(1 for f in findings if f.check == veto.check and (not veto.items or f.item in veto.items))
        if count >= veto.min_findings:
            vetoes.append(f"{veto.name}（{count} 项）")
    deductions, by_indicator = [], {}
    for ind in spec.indicators:
        left = ind.points
        for f in findings:
            if f.check in ind.checks:
                applied = round(min(ind.checks[f.check], left), 4)
                left = round(left - applied, 4)
                deductions.append(Deduction(ind.id, ind.name, f.check, f.id, applied))
        by_indicator[ind.id] = round(ind.points - left, 4)
    score = round(max(0.0, spec.full_score - sum(by_indicator.values())), 2)
    passed = not vetoes and score >= spec.pass_score
    return DepartmentScore(dept, name, score, passed, PASSED if passed else FAILED, tuple(vetoes), tuple(deductions),
                           by_indicator)


def score_check_run(session: Session, check_run: m.CheckRun, indicators: Indicators) -> list[DepartmentScore]:
    """One score per department of the crawl the check run judged, in department order."""
    crawl = session.get(m.CrawlRun, check_run.crawl_run_id)
    departments = list(crawl.departments or []) if crawl is not None else []
    names = dict(session.execute(select(m.Department.id, m.Department.name)).all())
    findings = session.scalars(select(m.Finding).where(m.Finding.check_run_id == check_run.id).order_by(m.Finding.id))
    by_dept: dict[str, list[m.Finding]] = {d: [] for d in departments}
    for f in findings:
        if f.department_id is not None:
            by_dept.setdefault(f.department_id, []).append(f)
    return [_score(d, names.get(d, d), fs, indicators) for d, fs in by_dept.items()]
