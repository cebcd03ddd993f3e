"""Wording of privacy findings (privacy.id_number, privacy.mobile_number); only masked values appear."""
from __future__ import annotations

from checks.base import Finding
from checks.wording import Text, wording

WHAT = {"privacy.id_number": ("身份证号码", "仅保留前若干位和后若干位，中间以“*”代替（如 35*************123）"),
        "privacy.mobile_number": ("个人手机号码", "隐藏中间四位（如 138****1234）")}


def _render(f: Finding) -> Text:
    ev = f.evidence
    what, how = WHAT[f.check]
    first = (ev.get("examples") or [{}])[0]
    if f.kind == "url":
        where = f"网页地址 {ev.get('shown_url', '')} "
    elif f.kind == "attachment":
        name = f"“{ev['attachment_name']}”" if ev.get("attachment_name") else ""
        where = f"{ev['document_url']} 的附件{name}（{ev['source_url']}）"
    else:
        where = f"页面 {ev['source_url']} "
    msg = (f"个人信息未脱敏：{where}中公开了 {ev['count']} 个完整的{what}，"
           f"如 {first.get('masked', '')}（上下文：“{first.get('excerpt', '')}”；此处已作遮盖）。")
    if f.kind == "url":
        lead = f"请立即撤下该地址的页面或文件，改用不含{what}的网页地址和文件名重新发布"
    else:
        lead = f"请立即撤下或替换该{'附件' if f.kind == 'attachment' else '页面'}，将{what}{how}后重新发布"
    fix = (f"{lead}；"
           "排查本单位已公开的名单类信息（低保、救助、补贴、危房改造等），建立发布前隐私审查机制。")
    return Text(msg, fix)


wording("privacy.id_number")(_render)
wording("privacy.mobile_number")(_render)
