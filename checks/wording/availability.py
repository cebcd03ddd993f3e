"""Wording of availability findings (site.unreachable)."""
from __future__ import annotations

from typing import Any

from checks.base import Finding
from checks.wording import Text, wording
from checks.wording.links import LINK_REASONS

_PROBE_REASONS = {**LINK_REASONS, "timeout": "超过时限未能打开",
                  "blocked": "被网站防护拦截（未能判定）", "challenge": "返回防护验证页面（未能判定）"}
_KIND = {"home": "首页", "root": "政务公开专栏"}

_FIX = ("请排查服务器、网络带宽、域名解析和安全防护设备的配置，保障网站全天候稳定访问；"
        "建立可用性监测和故障处置机制，发现无法访问时及时恢复，并在整改后报告恢复情况。")


def probe_reason(reason: str | None, status: int | None) -> str:
    """One probe's outcome reason as a person reads it ("" for a page that loaded)."""
    if not reason:
        return ""
    if reason in _PROBE_REASONS:
        return _PROBE_REASONS[reason]
    if reason.startswith("http_") and status:
        return f"返回 HTTP {status}"
    return "无法访问"


def _why(example: dict[str, Any]) -> str:
    return probe_reason(example.get("reason") or "connection", example.get("status"))


def _probe_sentence(probes: dict[str, Any]) -> str:
    window = probes["window"]
    text = (f"{window['from'][:10]} 至 {window['to'][:10]}（{window['days']} 天）的 {probes['attempts']} 次可用性探测中"
            f"有 {probes['failures']} 次访问失败，失败比例 {probes['ratio']:.1%}")
    examples = probes.get("examples") or []
    if examples:
        first = examples[0]
        text += f"（如 {first['at']} 访问{_KIND.get(first['kind'], '')} {first['url']}，{_why(first)}）"
    return text


@wording("site.unreachable")
def _unreachable(f: Finding) -> Text:
    ev = f.evidence
    if f.kind == "crawl":
        event = ev["crawl_event"]
        msg = f"站点无法访问：{event['at']} 抓取时，政务公开专栏 {event['url']} 经多次尝试均未能打开（{event['message']}）"
        if ev.get("probes") and ev["probes"]["attempts"]:
            msg += f"；此外，{_probe_sentence(ev['probes'])}"
        return Text(msg + "。", _FIX)
    msg = f"站点无法访问：{_probe_sentence(ev)}，达到 {ev['threshold'] * 100:g}% 的判定标准。"
    return Text(msg, _FIX)
