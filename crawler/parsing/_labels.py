"""Label/value metadata on document pages: "发布日期：2026-11-15", "索 引 号" cells with the value in the next
cell, several labels on one line ("来源：… 发布时间：… 浏览次数：…")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ._html import ELEMENT_MARK

# field -> groups of labels, best group first; within a group the earliest on the page wins.
FIELD_LABELS: dict[str, tuple[tuple[str, ...], ...]] = {
    "publish": (("发布日期", "发布时间"),
                ("公开日期", "公开时间", "发表日期", "发表时间", "上网日期", "上网时间", "发布于")),
    # Some disclosure catalogues label the 成文日期 "生成日期".
    "written": (("成文日期", "成文时间"), ("发文日期", "发文时间", "印发日期", "签发日期", "生成日期")),
    "doc_number": (("发文字号", "文号", "发文文号", "文件编号", "文件字号"),),
    "index_number": (("索引号", "索引编号"),),
    "publisher": (("发布机构", "发文机关", "发文单位", "发布单位", "公开主体", "生成机构"),
                  ("信息来源", "来源", "文章来源", "来源单位")),
    "topic": (("主题分类",), ("信息分类", "所属主题", "分类")),
    "title": (("标题", "名称", "文件名称", "文件标题", "信息名称"),),
    "column": (("所属栏目", "栏目", "栏目名称"),),
    # Bare "日期"/"时间" say less (a meeting notice has "时间：" too): used only when nothing better exists.
    "weak_publish": (("日期", "时间"),),
}
# Labels that only end the value before them ("… 浏览次数：12").
_STOP_LABELS = (
    "浏览次数", "浏览量", "点击数", "点击量", "点击率", "阅读次数", "阅读量", "访问量", "访问次数", "作者", "编辑",
    "责任编辑", "审核", "审核人", "字号", "字体", "打印", "关闭", "分享", "分享到", "主题词", "关键词", "关键字",
    "体裁分类", "组配分类", "服务对象", "有效性", "是否有效", "生效日期", "失效日期", "废止日期", "公开方式",
    "公开范围", "公开时限", "时效", "信息类别", "内容概述", "摘要", "发布人", "录入", "更新时间", "更新日期",
    "浏览", "次数", "视力保护色", "保护视力色",
)
_PLACEHOLDERS = frozenset({"无", "暂无", "/", "-", "--", "—", "——", "空", "null", "none", "无文号"})
_VALUE_STOPS = re.compile(r"\s*[【\[|｜丨]")  # "来源：市政府 | 浏览次数" ends at the bar
MAX_VALUE = 300


@dataclass(frozen=True)
class LabelValue:
    """A value found under a label; rank orders labels of one field, position orders lines of the page."""

    field: str
    rank: int
    position: int
    value: str


def _label_pattern(label: str) -> str:
    return r"[\s\ue000]*".join(re.escape(ch) for ch in label)  # "发 布 日 期", "发<b>布日期</b>"


_ALL: list[tuple[str, str, int]] = [
    (label, field, rank)
    for field, groups in FIELD_LABELS.items()
    for rank, labels in enumerate(groups)
    for label in labels
] + [(label, "", 99) for label in _STOP_LABELS]
_ALL.sort(key=lambda item: -len(item[0]))  # longest first: "信息来源" before "来源"
_LOOKUP = {label: (field, rank) for label, field, rank in _ALL}
# A label starts a line or follows a separator; never in mid-sentence ("资金来源：" is not "来源：").
_LABEL_RE = re.compile(
    r"(?<![^\s\ue000|｜丨【\[（(/,，;；])(?P<label>" + "|".join(_label_pattern(lbl) for lbl, _, _ in _ALL) + r")"
    r"\s*(?P<colon>[:：])?"
)
_SPACES = re.compile(r"[\s\ue000]+")


def _bare(text: str) -> str:
    return text.replace(ELEMENT_MARK, "").strip()


def _clean(value: str) -> str | None:
    value = _VALUE_STOPS.split(value.strip().lstrip("[【"), 1)[0].strip(" \t:：;；,，|】]")
    if not value or value.lower() in _PLACEHOLDERS or len(value) > MAX_VALUE:
        return None
    return value


def scan_lines(lines: Iterable[str], start: int = 0) -> list[LabelValue]:
    """All labelled values in text lines; ``start`` offsets positions (for several sources)."""
    found: list[LabelValue] = []
    lines = list(lines)
    for index, line in enumerate(lines):
        matches = [
            m for m in _LABEL_RE.finditer(line)
            if m.group("colon") or not _bare(line[m.end():])
        ]
        for n, m in enumerate(matches):
            label = _SPACES.sub("", m.group("label"))
            field, rank = _LOOKUP.get(label, ("", 99))
            end = matches[n + 1].start() if n + 1 < len(matches) else len(line)
            raw = _bare(line[m.end():end])
            if not raw and n + 1 == len(matches) and index + 1 < len(lines):
                following = _bare(lines[index + 1])
                first = _LABEL_RE.match(following)
                if not (first and (first.group("colon") or first.end() == len(following))):
                    raw = following  # value in the next cell
            if not field:
                continue
            value = _clean(raw)
            if value is not None:
                found.append(LabelValue(field, rank, start + index, value))
    return found


def best(found: Iterable[LabelValue], field: str) -> LabelValue | None:
    """The value under the best-ranked label of a field, the earliest on the page among equals."""
    candidates = [lv for lv in found if lv.field == field]
    return min(candidates, key=lambda lv: (lv.rank, lv.position)) if candidates else None
