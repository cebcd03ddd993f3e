"""A finding's evidence (an English-keyed object, for machines) as one line of Chinese, for people."""
from __future__ import annotations

from typing import Any

LABELS = {
    "source_url": "所在页面", "page": "页面", "url": "地址", "column": "栏目", "column_url": "栏目地址",
    "title": "标题", "anchor": "链接文字", "tag": "链接类型", "kind": "类型", "status": "HTTP状态码",
    "reason": "原因", "error": "错误", "redirect_chain": "跳转过程", "publish_date": "发布日期",
    "written_date": "成文日期", "doc_number": "文号", "deadline": "期限", "workdays": "间隔工作日",
    "within_workdays": "时限（工作日）", "publish_within_workdays": "时限（工作日）", "limit_workdays": "时限（工作日）",
    "limit_hours": "时限（小时）", "lag_hours": "间隔（小时）", "newest_date": "最近更新日期",
    "stale_after_days": "更新周期（天）", "window_days": "检查期间（天）", "item_name": "目录事项", "item": "目录事项编号",
    "upstream_title": "上级文件", "upstream_url": "上级文件地址", "upstream_number": "上级文件文号",
    "upstream_time": "上级文件发布时间", "repost_url": "转载地址", "repost_title": "转载标题", "repost_time": "转载时间",
    "masked": "内容（已遮盖）", "match": "匹配内容", "matched": "对应栏目", "failures": "失败次数", "attempts": "探测次数",
    "ratio": "失败比例", "threshold": "阈值", "year": "年度", "note": "说明", "message": "说明", "at": "时间",
    "sniffed_kind": "文件类型", "kind_how": "识别依据", "link_kind": "链接类型", "list_title": "列表条目",
    "list_date": "条目日期", "linking_pages": "链接所在页面",
}
_SKIP = {"reason", "snapshot", "source_snapshot", "run", "examples", "max_examples", "sources", "score", "rule", "method",
         "upstream", "unverified", "upstream_time_basis", "repost_time_basis", "recognised_by", "matched_by",
         "numbered_only", "nearest", "min_attempts", "limit_source", "repost_latest", "lag_hours_max", "parent",
         "source_count", "to", "window"}


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " → ".join(_value(v) for v in value) if value and not isinstance(value[0], dict) else \
            "；".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{LABELS.get(k, k)}：{_value(v)}" for k, v in value.items() if k in LABELS)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def evidence_text(evidence: dict[str, Any] | None, *, limit: int = 600) -> str:
    """Known keys with Chinese labels, in a stable order; machine-only keys left out; capped in length."""
    parts = [f"{LABELS[k]}：{_value(v)}" for k, v in (evidence or {}).items()
             if k in LABELS and k not in _SKIP and v not in (None, "", [], {})]
    text = "；".join(parts)
    return text if len(text) <= limit else text[:limit - 1] + "…"
