"""The 三随机 draw (柳政办〔2018〕142号): who is checked, on what, and when — provably at random.

Algorithm `sha256-rank`, version 1. Every candidate gets a lot number
``SHA-256("<seed>|<label>|<key>")`` (hex); within each group the candidates with the smallest lots are
drawn. Anyone holding the published frame and seed can recompute every lot with any SHA-256 tool.
The frame (departments as of a date, checklist, algorithm and version, parameters, candidate time slots)
is fixed and hashed (the commitment) before the seed exists, and everything here is a pure function of
(frame, seed): the same record always gives the same draw.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import Field, ValidationError, model_validator

from checks.calendar import WorkCalendar
from store.registry import StrictModel

ALGORITHM = "sha256-rank"
ALGORITHM_VERSION = "1"
DEFAULT_CHECKLIST = Path(__file__).resolve().parent / "checklists" / "liuzhou-2018-142.yaml"
KINDS = ("department", "county", "township")  # strata, in this order for tie-breaks
# Defaults, each overridable per draw (and then recorded in the frame)
DEFAULT_SHARE = 0.3  # 对象随机: share of the frame (辽宁 practice is ≥50%; set --share per province rule)
DEFAULT_WINDOW_DAYS = 10  # 时间随机: "any working hour in the next ten working days"
DEFAULT_WORK_HOURS = (9, 10, 11, 14, 15, 16)  # start hours inside office hours (8:30–12:00, 14:30–17:30)
DEFAULT_DOCUMENTS = 3  # 内容随机: documents per department for manual review
DEFAULT_COLUMNS = 2  # columns per department for manual review
# Stable check ids of design.md, with the names bulletins use while a check is not implemented yet
# (a registered check's own title takes precedence). A checklist may name them before they exist.
CHECK_NAMES = {
    "site.unreachable": "站点无法访问", "coverage.missing_column": "栏目缺失", "coverage.empty_column": "空白栏目",
    "timeliness.stale_column": "栏目更新不及时", "timeliness.late_publication": "信息发布不及时",
    "timeliness.annual_report": "年度报告未按时发布", "timeliness.interpretation": "政策解读发布不及时",
    "links.broken": "链接不可用", "attachments.archive": "附件以压缩包形式发布",
    "repost.late": "上级文件转载不及时", "repost.missing": "上级文件未转载",
    "privacy.id_number": "公开身份证号码", "privacy.mobile_number": "公开个人手机号码"}
KNOWN_CHECK_IDS = frozenset(CHECK_NAMES)


# --- the checklist (内容随机) ---------------------------------------------------------------------------

class ManualField(StrictModel):
    field: str = Field(min_length=1)   # what the inspector fills in
    prompt: str = Field(min_length=1)  # how to check it


class ChecklistItem(StrictModel):
    number: int = Field(gt=0)
    name: str = Field(min_length=1)
    checks: list[str] = Field(default_factory=list)
    manual: ManualField | None = None

    @model_validator(mode="after")
    def _served(self) -> ChecklistItem:
        if not self.checks and self.manual is None:
            raise ValueError("应列出对应的自动检查项（checks）或标注人工核查（manual）")
        unknown = [c for c in self.checks if c not in KNOWN_CHECK_IDS]
        if unknown:
            raise ValueError(f"检查项编号 {unknown[0]!r} 不存在（见 design.md 的稳定编号）")
        return self


class Checklist(StrictModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    source_title: str = ""
    annex: str = ""  # where in the source document the checklist is, e.g. 附件4
    note: str = ""
    draw_items: int = Field(gt=0)
    items: list[ChecklistItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Checklist:
        numbers = [i.number for i in self.items]
        if len(set(numbers)) != len(numbers):
            raise ValueError("items: 序号重复，每一项的 number 须唯一")
        return self


def load_checklist(path: str | Path | None = None) -> Checklist:
    from store.registry import explain, read_yaml  # one wording for every configuration file

    path = Path(path or DEFAULT_CHECKLIST)
    data, _ = read_yaml(path)
    try:
        return Checklist.model_validate(data)
    except ValidationError as exc:
        raise explain(path, exc) from None


# --- frame and commitment -------------------------------------------------------------------------

@dataclass(frozen=True)
class DrawParams:
    count: int | None = None
    share: float | None = None
    items: int | None = None  # None: the checklist's draw_items
    documents: int = DEFAULT_DOCUMENTS
    columns: int = DEFAULT_COLUMNS
    work_hours: tuple[int, ...] = DEFAULT_WORK_HOURS


def build_frame(*, as_of: str, region: str, sites_file: str, sites_sha256: str, departments: Iterable[dict[str, str]],
                excluded: Sequence[str], exclude_last: int, checklist: Checklist, params: DrawParams,
                workdays: Sequence[str], calendar: str) -> dict[str, Any]:
    """Everything the draw depends on, fixed before the seed: hashed into the commitment."""
    share = None if params.count is not None else (params.share or DEFAULT_SHARE)
    return {
        "algorithm": {"name": ALGORITHM, "version": ALGORITHM_VERSION},
        "as_of": as_of, "region": region, "sites_file": sites_file, "sites_sha256": sites_sha256,
        "departments": sorted(({"id": d["id"], "name": d["name"], "kind": d["kind"]} for d in departments),
                              key=lambda d: d["id"]),
        "exclude": {"last_rounds": exclude_last, "departments": sorted(excluded)},
        "sample": {"count": params.count, "share": share,
                   "items": params.items or checklist.draw_items, "documents": params.documents,
                   "columns": params.columns},
        "checklist": checklist.model_dump(mode="json"),
        "window": {"workdays": list(workdays), "hours": list(params.work_hours), "calendar": calendar},
    }


def canonical(frame: dict[str, Any]) -> bytes:
    return json.dumps(frame, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def commitment(frame: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(frame)).hexdigest()


def lot(seed: str, label: str, key: str) -> str:
    return hashlib.sha256(f"{seed}|{label}|{key}".encode("utf-8")).hexdigest()


def _lowest(seed: str, label: str, keys: Iterable[str], n: int) -> list[str]:
    return sorted(keys, key=lambda k: (lot(seed, label, k), k))[:max(n, 0)]


# --- the draw -----------------------------------------------------------------------------------

def sample_size(frame: dict[str, Any], eligible: int) -> int:
    s = frame["sample"]
    wanted = s["count"] if s["count"] is not None else math.ceil(s["share"] * eligible - 1e-9)
    return max(0, min(int(wanted), eligible)) if eligible else 0


def allocate(n: int, sizes: dict[str, int]) -> dict[str, int]:
    """Proportional allocation over strata, largest remainder first (ties: KINDS order)."""
    total = sum(sizes.values())
    if not total:
        return {k: 0 for k in sizes}
    exact = {k: n * size / total for k, size in sizes.items()}
    quota = {k: math.floor(v) for k, v in exact.items()}
    order = sorted(sizes, key=lambda k: (-(exact[k] - quota[k]), KINDS.index(k) if k in KINDS else 99, k))
    for k in order[:n - sum(quota.values())]:
        quota[k] += 1
    return quota


def draw(frame: dict[str, Any], seed: str) -> dict[str, Any]:
    """The result of the draw: departments by stratum, checklist items, execution time."""
    excluded = set(frame["exclude"]["departments"])
    eligible = [d for d in frame["departments"] if d["id"] not in excluded]
    strata: dict[str, list[str]] = {}
    for d in eligible:
        strata.setdefault(d["kind"], []).append(d["id"])
    quota = allocate(sample_size(frame, len(eligible)), {k: len(v) for k, v in strata.items()})
    by_kind = {k: sorted(_lowest(seed, "department", ids, quota[k])) for k, ids in sorted(strata.items())}
    departments = sorted(d for ids in by_kind.values() for d in ids)

    items = frame["checklist"]["items"]
    drawn_nos = {int(n) for n in _lowest(seed, "item", (str(i["number"]) for i in items), frame["sample"]["items"])}
    drawn = [i for i in items if i["number"] in drawn_nos]
    checks = sorted({c for i in drawn for c in i.get("checks") or []})

    window = frame["window"]
    slots = [f"{day} {hour:02d}" for day in window["workdays"] for hour in window["hours"]]
    scheduled_at = None
    if slots:
        slot = _lowest(seed, "slot", slots, 1)[0]
        scheduled_at = f"{slot[:10]}T{slot[11:]}:{int(lot(seed, 'minute', slot), 16) % 60:02d}"
    return {"departments": departments, "by_kind": by_kind, "items": sorted(drawn_nos), "checks": checks,
            "manual_items": [i["number"] for i in drawn if i.get("manual")], "scheduled_at": scheduled_at}


def sample_pages(seed: str, label: str, department: str, urls: Iterable[str], n: int) -> list[str]:
    """内容随机 for manual review: n pages of one department, drawn from the round's own crawl."""
    keys = [f"{department}|{u}" for u in sorted(set(urls))]
    return [k.split("|", 1)[1] for k in _lowest(seed, label, keys, n)]


@dataclass(frozen=True)
class Verification:
    commitment_ok: bool
    result_ok: bool
    expected_commitment: str
    expected_result: dict[str, Any]
    differences: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.commitment_ok and self.result_ok


def verify(frame: dict[str, Any], stored_commitment: str, seed: str, stored_result: dict[str, Any]) -> Verification:
    """Recompute the commitment and the draw from a stored record and compare."""
    expected_commitment = commitment(frame)
    differences: list[str] = []
    if expected_commitment != stored_commitment:
        differences.append("抽取范围（frame）与留存的校验值不符")
    version = (frame.get("algorithm") or {}).get("version")
    if (frame.get("algorithm") or {}).get("name") != ALGORITHM or version != ALGORITHM_VERSION:
        differences.append(f"抽取算法 {frame.get('algorithm')} 不是本程序实现的 {ALGORITHM} {ALGORITHM_VERSION}")
        return Verification(False, False, expected_commitment, {}, tuple(differences))
    expected = draw(frame, seed)
    for key in sorted(set(expected) | set(stored_result or {})):
        if expected.get(key) != (stored_result or {}).get(key):
            differences.append(f"抽取结果 {key} 与按记录重新计算的结果不符")
    return Verification(expected_commitment == stored_commitment, expected == stored_result, expected_commitment,
                        expected, tuple(differences))



# --- working days (the candidate dates, fixed in the frame so verification never needs a calendar) -------

def workdays_from(start: date, n: int, calendar: WorkCalendar) -> tuple[list[date], str]:
    """The first n working days from `start` on, and how each year's working days were decided."""
    days: list[date] = []
    day = start
    while len(days) < n:
        if calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    how = {"file": "节假日文件", "library": "chinesecalendar", "weekdays": "周一至周五（无节假日安排数据）"}
    return days, "；".join(f"{y}年：{how[calendar.source(y)]}" for y in sorted({d.year for d in days}))
