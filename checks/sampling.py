"""The 三随机 draw (柳政办〔2018〕142号): who is checked, on what, and when — provably at random.

Algorithm `sha256-rank`, version 2 (the arithmetic is in checks/drawcore.py, standard library only, so
that outsiders can run it alone). The frame (departments as of a date, checklist, algorithm and version,
parameters, candidate time slots, the named public random value and the hash of the office's secret) is
fixed, hashed (the commitment) and published in an announcement before the public value exists; the seed
is SHA-256(commitment | public value | secret). Everything here is a pure function of (frame, seed).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence

from pydantic import Field, ValidationError, model_validator

from checks.calendar import WorkCalendar
# re-exported: callers use sampling.derive_seed, sampling.canonical … as one surface for the draw
from checks.drawcore import (ALGORITHM, KINDS, canonical, commitment, derive_seed, draw, lot, lowest,  # noqa: F401
                             normalise_public_value, sample_size, sha256_hex)  # noqa: F401
from checks.drawcore import allocate as _allocate
from store.registry import StrictModel

ALGORITHM_VERSION = "2"
DEFAULT_CHECKLIST = Path(__file__).resolve().parent / "checklists" / "liuzhou-2018-142.yaml"
# Defaults, each overridable per draw (and then recorded in the frame)
DEFAULT_SHARE = 0.3  # 对象随机: share of the frame (辽宁 practice is ≥50%; set --share per province rule)
DEFAULT_WINDOW_DAYS = 10  # 时间随机: "any working hour in the next ten working days"
DEFAULT_WORK_HOURS = (9, 10, 11, 14, 15, 16)  # start hours inside office hours (8:30–12:00, 14:30–17:30)
DEFAULT_DOCUMENTS = 3  # 内容随机: documents per department for manual review
DEFAULT_COLUMNS = 2  # columns per department for manual review
# Stable check ids (README 检查项), with the names bulletins use while a check is not implemented yet
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
            raise ValueError(f"检查项编号 {unknown[0]!r} 不存在（稳定编号见 README 的检查项表）")
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
                workdays: Sequence[str], calendar: str, public_source: str | None = None,
                secret_sha256: str | None = None) -> dict[str, Any]:
    """Everything the draw depends on, fixed before the seed: hashed into the commitment.

    ``sites_file`` is kept as the file's name only: a local path says nothing to an outsider and would
    make the same registry hash differently on two machines."""
    share = None if params.count is not None else (params.share or DEFAULT_SHARE)
    return {
        "algorithm": {"name": ALGORITHM, "version": ALGORITHM_VERSION},
        "randomness": {"public_source": public_source, "secret_sha256": secret_sha256},
        "as_of": as_of, "region": region, "sites_file": Path(sites_file).name, "sites_sha256": sites_sha256,
        "departments": sorted(({"id": d["id"], "name": d["name"], "kind": d["kind"]} for d in departments),
                              key=lambda d: d["id"]),
        "exclude": {"last_rounds": exclude_last, "departments": sorted(excluded)},
        "sample": {"count": params.count, "share": share,
                   "items": params.items or checklist.draw_items, "documents": params.documents,
                   "columns": params.columns},
        "checklist": checklist.model_dump(mode="json"),
        "window": {"workdays": list(workdays), "hours": list(params.work_hours), "calendar": calendar},
    }


def allocate(n: int, sizes: dict[str, int], every_stratum: bool = False) -> dict[str, int]:
    """Units per stratum (checks.drawcore.allocate)."""
    return _allocate(n, sizes, every_stratum)


def _lowest(seed: str, label: str, keys: Iterable[str], n: int) -> list[str]:
    return lowest(seed, label, keys, n)


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
    if (frame.get("algorithm") or {}).get("name") != ALGORITHM or version not in ("1", ALGORITHM_VERSION):
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
