"""The Excel 标准目录 offices keep (公开事项 / 公开内容 / 公开依据 / 公开时限 / 公开主体 / 公开渠道和载体 /
公开对象 / 公开方式 / 公开层级) → a catalog YAML, its 公开时限 text turned into rules.

"信息形成或者变更之日起20个工作日内" becomes publish_within_workdays: 20; "20日内" (calendar days) becomes
20 working days, never stricter than the text; "每季度更新" becomes stale_after_days: 92. Merged cells
(one 一级事项 over many rows, two-row headers such as 公开方式 → 主动 / 依申请) are read as people see them.
Only items disclosed 主动 (actively) need a column; 依申请-only rows are left out and reported.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from store.registry import ConfigError

MAX_ROWS = 5000
HEADER_SCAN = 15
MARKED = re.compile(r"^\s*(√|✓|✔|☑|●|是|Y|y|yes|有|\*)\s*$")
_FIELDS = (  # (key, header pattern) in the order they are tried
    ("level1", r"一级"), ("level2", r"二级"), ("item", r"公开事项|事项名称|^事项$"), ("content", r"公开内容|要素"),
    ("basis", r"公开依据|依据"), ("deadline", r"公开时限|时限"), ("subject", r"公开主体|责任"),
    ("channel", r"公开渠道|载体"), ("audience", r"公开对象"), ("mode", r"公开方式"), ("level", r"公开层级|层级"),
)
_SUB = re.compile(r"^(一级事项|二级事项|一级|二级|主动|依申请|全社会|特定群体|省级|市级|县级|乡级|村级|乡镇级)$")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(\d+|[零〇一二两三四五六七八九十]{1,4})"
_PERIODS = ((r"每周|按周", 7), (r"每月|按月|月度", 31), (r"每季度?|按季|季度", 92), (r"每半年|半年", 183),
            (r"每年|按年|年度|一年", 365))


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)


def deadline_rules(text: str | None) -> tuple[dict[str, int], str]:
    """Rules read from a 公开时限 cell, and a short Chinese account of how it was read ("" if no rule)."""
    text = re.sub(r"\s+", "", str(text or ""))
    rules: dict[str, int] = {}
    notes = []
    if found := re.search(_NUMBER + r"个?工作日", text):
        rules["publish_within_workdays"] = _number(found.group(1))
        notes.append(f"{rules['publish_within_workdays']} 个工作日内公开")
    elif found := re.search(_NUMBER + r"(?:个)?(?:自然)?(?:日|天)(?:内|以内|之内)", text):
        days = _number(found.group(1))
        rules["publish_within_workdays"] = days
        notes.append(f"{days} 日内公开，按 {days} 个工作日从宽计算")
    elif found := re.search(_NUMBER + r"个?小时", text):
        hours = _number(found.group(1))
        rules["publish_within_workdays"] = max(1, -(-hours // 24))
        notes.append(f"{hours} 小时内公开，按 {rules['publish_within_workdays']} 个工作日计算")
    for pattern, days in _PERIODS:
        if re.search(pattern, text):
            rules["stale_after_days"] = days
            notes.append(f"定期更新，超过 {days} 天未更新即为不更新")
            break
    return {k: v for k, v in rules.items() if v > 0}, "；".join(notes)


@dataclass(frozen=True)
class ImportResult:
    data: dict[str, Any]
    text: str  # the YAML to write, with a comment per item saying where it came from
    skipped: list[str] = field(default_factory=list)  # rows left out, and why
    unread: list[str] = field(default_factory=list)  # 公开时限 texts that gave no rule


def _grid(path: Path) -> tuple[str, list[list[str]]]:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise ConfigError(f"{path}: 文件不存在") from None
    except Exception as exc:  # not a readable .xlsx
        hint = "；.xls 文件请先另存为 .xlsx" if path.suffix.lower() == ".xls" else ""
        raise ConfigError(f"{path}: 无法读取 Excel 文件（{type(exc).__name__}）{hint}") from None
    for sheet in book.worksheets:
        rows = [[("" if v is None else str(v).strip())[:2000] for v in row]
                for row in sheet.iter_rows(max_row=MAX_ROWS, values_only=True)]
        for merged in sheet.merged_cells.ranges:  # a merged cell shows its value in every cell it covers
            value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for c in range(merged.min_col - 1, merged.max_col):
                    if c < len(rows[r]):
                        rows[r][c] = value
        if any("时限" in cell for row in rows[:HEADER_SCAN] for cell in row):
            return sheet.title, rows
    raise ConfigError(f"{path}: 未找到标准目录表头（前 {HEADER_SCAN} 行中应有“公开事项”“公开时限”等列）")


def _columns(path: Path, rows: list[list[str]]) -> tuple[int, dict[str, int], dict[str, dict[str, int]]]:
    """(first data row, key → column, key → {sub-header → column})."""
    for h, row in enumerate(rows[:HEADER_SCAN]):
        if any("时限" in c for c in row) and any("事项" in c for c in row):
            break
    else:
        raise ConfigError(f"{path}: 未找到标准目录表头（应有“公开事项”和“公开时限”列）")
    nxt = rows[h + 1] if h + 1 < len(rows) else []
    two_rows = sum(bool(_SUB.match(c)) for c in nxt) >= 2
    single: dict[str, int] = {}
    subs: dict[str, dict[str, int]] = {}
    for c, top in enumerate(rows[h]):
        sub = nxt[c] if two_rows and c < len(nxt) and nxt[c] != top else ""
        label = f"{top}{sub}" if top in ("公开事项", "事项") and sub else top
        key = next((k for k, pattern in _FIELDS if re.search(pattern, label)), None)
        if key is None:
            continue
        if key in ("mode", "level", "audience") and sub:
            subs.setdefault(key, {})[sub] = c
        else:
            single.setdefault(key, c)
    if "deadline" not in single or not ({"level2", "item", "level1"} & set(single)):
        raise ConfigError(f"{path}: 表头缺少“公开事项”或“公开时限”列")
    return h + (2 if two_rows else 1), single, subs


def item_id(group: str, title: str) -> str:
    """A catalog item's id from its name path (一级事项/二级事项), not its row: the same item keeps its id when
    rows are inserted, when --level leaves rows out, and across versions of the catalog, so findings and
    scores stay comparable."""
    return "sx-" + hashlib.sha1(f"{group.strip()}/{title.strip()}".encode("utf-8")).hexdigest()[:10]


def import_catalog(path: str | Path, *, catalog_id: str | None = None, name: str | None = None,
                   level: str | None = None) -> ImportResult:
    path = Path(path)
    sheet, rows = _grid(path)
    start, cols, subs = _columns(path, rows)

    def cell(row: list[str], key: str) -> str:
        c = cols.get(key)
        return row[c] if c is not None and c < len(row) else ""

    def marked(row: list[str], key: str, sub: str) -> bool:
        c = subs.get(key, {}).get(sub)
        return c is not None and c < len(row) and bool(MARKED.match(row[c]) or row[c] == sub)

    picked, skipped, unread = [], [], []
    for number, row in enumerate(rows[start:], start=start + 1):
        group = cell(row, "level1")
        title = cell(row, "level2") or cell(row, "item") or group
        if not title or title in ("序号", "一级事项", "二级事项") or title.isdigit():
            continue
        where = f"第 {number} 行“{title}”"
        if "mode" in subs:
            active = marked(row, "mode", "主动")
        else:
            active = "主动" in cell(row, "mode") if "mode" in cols else True
        if not active:
            skipped.append(f"{where}：仅依申请公开，不需设栏目")
            continue
        if level:
            shown = [s for s in subs.get("level", {}) if marked(row, "level", s)] or [cell(row, "level")]
            if not any(level in s for s in shown):
                skipped.append(f"{where}：公开层级不含{level}")
                continue
        rules, how = deadline_rules(cell(row, "deadline"))
        if cell(row, "deadline") and not rules:
            unread.append(f"{where}：{cell(row, 'deadline')}")
        picked.append((group, title, rules, {"一级事项": group, "公开时限": cell(row, "deadline"), "时限规则": how,
                                             "公开依据": cell(row, "basis"), "公开主体": cell(row, "subject")}))
    titles = [t for _, t, _, _ in picked]
    entries = []
    for group, title, rules, comment in picked:
        # the same 二级事项 under several 一级事项 (政策文件 …) is told apart by its 一级事项
        label = f"{group}·{title}" if titles.count(title) > 1 and group and group != title else title
        entries.append(({"id": item_id(group, title), "name": label, "aliases": [], "required": True, **rules},
                         comment))
    if not entries:
        raise ConfigError(f"{path}: 工作表“{sheet}”中没有可导入的主动公开事项")
    data = {"id": catalog_id or path.stem, "name": name or f"{path.stem}（{sheet}）",
            "items": [e for e, _ in entries]}
    return ImportResult(data, _dump(path, sheet, data, [c for _, c in entries]), skipped, unread)


def _dump(path: Path, sheet: str, data: dict[str, Any], comments: list[dict[str, str]]) -> str:
    def one_line(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()[:200]

    head = {k: v for k, v in data.items() if k != "items"}
    lines = [f"# 由 zwgk catalog import 从 {one_line(path.name)}（工作表“{one_line(sheet)}”）生成；可按需补充 aliases。",
             yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=200).rstrip(), "items:"]
    for item, comment in zip(data["items"], comments):
        for key, value in comment.items():
            if value:
                lines.append(f"  # {key}：{one_line(value)}")
        dumped = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=200, default_flow_style=None)
        lines.extend("  " + line for line in dumped.rstrip().splitlines())
    return "\n".join(lines) + "\n"
