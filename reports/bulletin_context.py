"""A spot-check round → plain, frozen data for the bulletin (通报). Reports never judge: every number here
is counted from what the round stored (draw record, findings and their statuses, manual entries)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.calendar import work_calendar
from checks.registry import all_checks
from checks.sampling import CHECK_NAMES
from reports.context import FindingView, finding_views
from store import clock
from store import models as m
from store.models_evidence import Screenshot
from store.models_spotcheck import FindingStatusChange, SpotcheckDraw, SpotcheckManualEntry, SpotcheckRound, pending_manual
from store.office import OfficeSettings
from store.registry import ConfigError, load_registry

KIND_LABELS = {"department": "市直部门", "county": "县（区）", "township": "乡镇（街道）"}
STATUS_LABELS = {"open": "未整改", "rectified": "已整改", "disputed": "有异议，待核实", "accepted": "情况说明已采纳"}
EXAMPLES_PER_CATEGORY = 2
MAX_SCREENSHOT_BYTES = 3_000_000  # larger captures are referenced, not embedded


@dataclass(frozen=True)
class BulletinSettings:
    """What the issuing office decides; defaults follow common practice and can be set per bulletin."""

    issuer: str | None = None  # default: sites.yaml office.name, else "<region>一服务两公开领导小组办公室"
    deadline_workdays: int = 10  # 整改期限 (working days from the bulletin date)
    dispute_workdays: int = 5  # 异议 within this many working days
    public: bool = True  # 附注（此件公开发布）
    issued_on: date | None = None  # default: today


@dataclass(frozen=True)
class ItemView:
    number: int
    name: str
    checks: tuple[str, ...]  # titles of the automatic checks that ran for it
    unavailable: tuple[str, ...]  # names of its automatic checks not implemented yet
    manual_field: str | None


@dataclass(frozen=True)
class DepartmentRow:
    id: str
    name: str
    kind: str
    findings: int
    by_check: dict[str, int]


@dataclass(frozen=True)
class CategoryView:
    check: str
    title: str
    count: int
    departments: tuple[tuple[str, int], ...]  # (name, count), most first
    examples: tuple[FindingView, ...]


@dataclass(frozen=True)
class ManualView:
    department: str
    item: int
    item_name: str
    field: str
    value: str
    problem: bool
    by: str


@dataclass(frozen=True)
class DrawVerification:
    """What an outsider needs to recompute the draw (the bulletin's verification annex)."""

    announcement_id: int | None
    commitment: str
    public_source: str | None
    public_value: str | None
    secret: str | None
    secret_sha256: str | None
    seed: str
    algorithm: str


@dataclass(frozen=True)
class PreviousView:
    year: int
    period: int
    total: int
    counts: dict[str, int]  # by status
    still_open: tuple[tuple[str, int, tuple[str, ...]], ...]  # (department name, open count, check titles)
    open_findings: tuple[FindingView, ...]

    @property
    def rate_base(self) -> int:
        """Problems that count: accepted explanations (情况说明已采纳) are not problems."""
        return self.total - self.counts.get("accepted", 0)


@dataclass(frozen=True)
class BulletinContext:
    round_id: int
    draw_id: int
    year: int
    period: int
    region: str
    issuer: str
    issued_on: date
    executed_at: datetime
    scheduled_at: datetime | None  # the drawn execution time
    window: tuple[str, str, int]  # first and last candidate day, number of working days
    frame_as_of: str
    frame_by_kind: tuple[tuple[str, int], ...]
    frame_total: int
    exclude_last: int
    excluded: int
    share: float | None
    departments: tuple[DepartmentRow, ...]  # drawn, in registry id order
    checklist_name: str
    checklist_source: str
    checklist_source_title: str
    checklist_annex: str
    checklist_total: int
    items: tuple[ItemView, ...]
    documents_each: int
    columns_each: int
    samples: dict[str, dict]
    algorithm: str
    algorithm_version: str
    commitment: str
    seed: str
    categories: tuple[CategoryView, ...]
    findings: tuple[FindingView, ...]
    screenshots: dict[int, tuple[Path, str]]  # finding id → (screenshot file, the page it shows)
    manual: tuple[ManualView, ...]
    previous: PreviousView | None
    settings: BulletinSettings
    deadline: date
    dispute_by: date
    crawl_run_id: int | None
    check_run_id: int | None
    kinds_in_frame: tuple[str, ...] = field(default_factory=tuple)
    office: OfficeSettings = field(default_factory=OfficeSettings)  # sites.yaml `office:` as of the bulletin
    run_reason: str | None = None  # why the round ran before its drawn time
    pending: tuple[tuple[str, int, str], ...] = ()  # (department, item, item name) with no manual result yet
    verification: DrawVerification | None = None
    rechecks: dict[int, str] = field(default_factory=dict)  # finding id → what the last 复查 found

    @property
    def title(self) -> str:
        return f"关于{self.year}年第{self.period}期政务公开工作“三随机”抽查情况的通报"

    @property
    def doc_number(self) -> str:
        """发文字号 from the office's 机关代字, numbered by the round's period within the year."""
        prefix = self.office.number_prefix
        return f"{prefix}〔{self.year}〕{self.period}号" if prefix else ""

    @property
    def names(self) -> dict[str, str]:
        return {d.id: d.name for d in self.departments}

    @property
    def manual_problems(self) -> tuple[ManualView, ...]:
        return tuple(m for m in self.manual if m.problem)

    @property
    def problem_departments(self) -> tuple[str, ...]:
        """Names of drawn departments with findings or manual problems, in registry order."""
        manual = {m.department for m in self.manual_problems}
        return tuple(d.name for d in self.departments if d.findings or d.name in manual)


def bulletin_context(session: Session, spot: SpotcheckRound, settings: BulletinSettings | None = None
                     ) -> BulletinContext:
    settings = settings or BulletinSettings()
    record = session.get(SpotcheckDraw, spot.draw_id)
    frame, result = record.frame, record.result
    kinds = {d["id"]: d["kind"] for d in frame["departments"]}
    names = {d["id"]: d["name"] for d in frame["departments"]}
    titles = {**CHECK_NAMES, **{cid: cls.title() for cid, cls in all_checks().items()}}
    findings = _round_findings(session, spot)
    per_dept: dict[str, Counter] = {d: Counter() for d in result["departments"]}
    for f in findings:
        per_dept.setdefault(f.department or "", Counter())[f.check] += 1
    departments = tuple(DepartmentRow(d, names.get(d, d), kinds.get(d, ""), sum(per_dept[d].values()),
                                      dict(per_dept[d])) for d in result["departments"])
    issued = settings.issued_on or clock.today()
    office = _office(record)
    calendar = work_calendar(Path(record.sites_path or frame["sites_file"]))
    frame_kinds = Counter(kinds.values())
    days = frame["window"]["workdays"]
    return BulletinContext(
        round_id=spot.id, draw_id=record.id, year=spot.year, period=spot.period, region=frame["region"],
        issuer=settings.issuer or office.name or f"{frame['region']}一服务两公开领导小组办公室", issued_on=issued,
        executed_at=spot.started_at,
        scheduled_at=datetime.fromisoformat(result["scheduled_at"]) if result.get("scheduled_at") else None,
        window=(days[0] if days else "", days[-1] if days else "", len(days)),
        frame_as_of=frame["as_of"],
        frame_by_kind=tuple((KIND_LABELS.get(k, k), frame_kinds[k]) for k in KIND_LABELS if frame_kinds[k]),
        frame_total=len(frame["departments"]), exclude_last=frame["exclude"]["last_rounds"],
        excluded=len(frame["exclude"]["departments"]), share=frame["sample"]["share"], departments=departments,
        checklist_name=frame["checklist"]["name"], checklist_source=frame["checklist"]["source"],
        checklist_source_title=frame["checklist"].get("source_title", ""),
        checklist_annex=frame["checklist"].get("annex", ""),
        checklist_total=len(frame["checklist"]["items"]),
        items=_items(frame, result, spot, titles), documents_each=frame["sample"]["documents"],
        columns_each=frame["sample"]["columns"], samples=dict(spot.samples or {}), algorithm=record.algorithm,
        algorithm_version=record.algorithm_version, commitment=record.commitment, seed=record.seed,
        categories=_categories(findings, names), findings=tuple(findings),
        screenshots=_screenshots(session, spot.check_run_id, {f.id for f in findings}),
        manual=_manual(session, spot, frame, names), previous=_previous(session, spot, frame["region"], titles), settings=settings,
        deadline=calendar.add_workdays(issued, settings.deadline_workdays),
        dispute_by=calendar.add_workdays(issued, settings.dispute_workdays),
        crawl_run_id=spot.crawl_run_id, check_run_id=spot.check_run_id,
        kinds_in_frame=tuple(k for k in KIND_LABELS if frame_kinds[k]), office=office, run_reason=spot.run_reason,
        pending=_pending(session, spot, frame, names), rechecks=_rechecks(session, [f.id for f in findings]),
        verification=DrawVerification(
            record.announcement_id, record.commitment, (frame.get("randomness") or {}).get("public_source"),
            record.public_value, record.secret, (frame.get("randomness") or {}).get("secret_sha256"), record.seed,
            f"{record.algorithm} 第{record.algorithm_version}版"))


def _rechecks(session: Session, finding_ids: list[int]) -> dict[int, str]:
    """The last status change a 复查 made to each finding, in words (empty: never re-checked)."""
    out: dict[int, str] = {}
    if not finding_ids:
        return out
    rows = session.scalars(select(FindingStatusChange).where(
        FindingStatusChange.finding_id.in_(finding_ids), FindingStatusChange.recheck_id.is_not(None))
        .order_by(FindingStatusChange.at, FindingStatusChange.id))
    for change in rows:
        out[change.finding_id] = f"{cn_date_of(change.at)}复查：{change.reason}"
    return out


def cn_date_of(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _office(record: SpotcheckDraw) -> OfficeSettings:
    """The `office:` section of the registry the round was drawn from; defaults when it is gone or has none."""
    try:
        return load_registry(record.sites_path or record.frame["sites_file"]).sites.office or OfficeSettings()
    except (ConfigError, OSError):
        return OfficeSettings()


def _pending(session: Session, spot: SpotcheckRound, frame: dict, names: dict[str, str]
             ) -> tuple[tuple[str, int, str], ...]:
    items = {i["number"]: i["name"] for i in frame["checklist"]["items"]}
    return tuple((names.get(d, d), i, items.get(i, "")) for d, i in pending_manual(session, spot))



def _round_findings(session: Session, spot: SpotcheckRound) -> list[FindingView]:
    """The round's findings, departments named as in the draw's frame (the registry when it was drawn)."""
    if spot.check_run_id is None:
        return []
    names = {d["id"]: d["name"] for d in session.get(SpotcheckDraw, spot.draw_id).frame["departments"]}
    return [replace(f, department_name=names.get(f.department, f.department_name))
            for f in finding_views(session, session.get(m.CheckRun, spot.check_run_id))]


def _items(frame: dict, result: dict, spot: SpotcheckRound, titles: dict[str, str]) -> tuple[ItemView, ...]:
    ran = set(spot.checks or [])
    out = []
    for item in frame["checklist"]["items"]:
        if item["number"] not in result["items"]:
            continue
        checks = item.get("checks") or []
        out.append(ItemView(item["number"], item["name"], tuple(titles.get(c, c) for c in checks if c in ran),
                            tuple(titles.get(c, c) for c in checks if c not in ran),
                            (item.get("manual") or {}).get("field")))
    return tuple(out)


def _categories(findings: list[FindingView], names: dict[str, str]) -> tuple[CategoryView, ...]:
    by_check: dict[str, list[FindingView]] = {}
    for f in findings:
        by_check.setdefault(f.check, []).append(f)
    out = []
    for check, items in by_check.items():
        counts = Counter(f.department for f in items)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
        # one example per department, the most affected first
        examples = [next(f for f in items if f.department == dept) for dept, _ in ordered[:EXAMPLES_PER_CATEGORY]]
        out.append(CategoryView(check, items[0].check_title, len(items),
                                tuple((names.get(d, d or "（上级来源）"), n) for d, n in ordered), tuple(examples)))
    return tuple(sorted(out, key=lambda c: (-c.count, c.check)))


def _screenshots(session: Session, check_run_id: int | None, ids: set[int]) -> dict[int, tuple[Path, str]]:
    if check_run_id is None:
        return {}
    found: dict[int, tuple[Path, str]] = {}
    for shot in session.scalars(select(Screenshot).where(Screenshot.check_run_id == check_run_id,
                                                         Screenshot.error.is_(None)).order_by(Screenshot.id)):
        path = Path(shot.path) if shot.path else None
        if path is None or not path.is_file() or path.stat().st_size > MAX_SCREENSHOT_BYTES:
            continue
        for fid in shot.finding_ids or []:
            if fid in ids:
                found.setdefault(fid, (path, shot.url))
    return found


def _manual(session: Session, spot: SpotcheckRound, frame: dict, names: dict[str, str]) -> tuple[ManualView, ...]:
    items = {i["number"]: i["name"] for i in frame["checklist"]["items"]}
    rows = session.scalars(select(SpotcheckManualEntry).where(SpotcheckManualEntry.round_id == spot.id)
                           .order_by(SpotcheckManualEntry.department_id, SpotcheckManualEntry.item,
                                     SpotcheckManualEntry.id))
    return tuple(ManualView(names.get(e.department_id, e.department_id), e.item, items.get(e.item, ""), e.field,
                            e.value, e.problem, e.by) for e in rows)


def _previous(session: Session, spot: SpotcheckRound, region: str, titles: dict[str, str]) -> PreviousView | None:
    """The last completed round of the same region before this one."""
    earlier = session.execute(select(SpotcheckRound, SpotcheckDraw.frame).join(
        SpotcheckDraw, SpotcheckDraw.id == SpotcheckRound.draw_id).where(
        SpotcheckRound.id < spot.id, SpotcheckRound.status == "completed").order_by(SpotcheckRound.id.desc()))
    prev = next((r for r, frame in earlier if frame.get("region") == region), None)
    if prev is None:
        return None
    findings = _round_findings(session, prev)
    counts = Counter(f.status for f in findings)
    still = [f for f in findings if f.status == "open"]
    by_dept: dict[str, list[FindingView]] = {}
    for f in still:
        by_dept.setdefault(f.department_name, []).append(f)
    return PreviousView(prev.year, prev.period, len(findings), dict(counts), tuple(
        (name, len(items), tuple(dict.fromkeys(titles.get(f.check, f.check) for f in items)))
        for name, items in sorted(by_dept.items(), key=lambda kv: -len(kv[1]))), tuple(still))
