"""Wording of link findings (links.broken, attachments.archive).

Reasons (http_404, redirect_loop, …) have their own phrases, so a new reason needs one line here and
none in the checks.
"""
from __future__ import annotations

from typing import Any

from checks.base import Finding
from checks.wording import Text, wording


# why a link target is unusable, as a person reads it
LINK_REASONS: dict[str, str] = {
    "soft_404": "页面可以打开，但内容显示“页面不存在/已删除”",
    "redirect_loop": "跳转形成循环，无法到达目标页面",
    "too_many_redirects": "跳转次数过多，无法到达目标页面",
    "dns": "域名无法解析",
    "refused": "服务器拒绝连接",
    "timeout": "访问超时",
    "tls": "HTTPS 证书或加密连接错误",
    "connection": "连接中断",
    "private_address": "指向内网地址，公众无法访问",
    "url_too_long": "链接地址过长，未访问",
    "unsupported_scheme": "跳转到非网页地址（如 file:、ftp:、javascript:），公众无法访问",
    "invalid_url": "链接地址格式错误，无法访问",
    "fragment_missing": "页面可以打开，但其中没有链接指向的位置（#锚点）",
}

# what kind of link it is, as a bulletin groups them (crawler.parsing.links.KINDS)
LINK_KINDS: dict[str, str] = {
    "page": "页面链接",
    "attachment": "附件",
    "image": "图片",
    "video": "视频",
    "audio": "音频",
    "style": "样式文件",
    "script": "脚本",
    "frame": "框架页面",
    "object": "嵌入对象",
    "font": "字体文件",
}

ARCHIVE_HOW: dict[str, str] = {
    "extension": "文件扩展名",
    "content-disposition": "下载文件名（Content-Disposition）",
    "content-type": "文件类型（Content-Type）",
    "magic": "文件内容特征（文件头）",
}


def _status_phrase(ev: dict[str, Any], kind: str) -> str:
    if kind in LINK_REASONS:
        return LINK_REASONS[kind]
    status = ev.get("status")
    if status:
        label = {404: "页面不存在", 410: "页面已删除", 500: "服务器内部错误", 502: "网关错误", 503: "服务不可用",
                 403: "禁止访问", 304: "未返回页面内容"}.get(status, "访问失败")
        return f"返回 HTTP {status}（{label}）"
    return "无法访问" + (f"（{ev['error']}）" if ev.get("error") else "")


def _where(ev: dict[str, Any]) -> str:
    sources = ev.get("sources") or []
    count = ev.get("source_count", len(sources))
    if not sources:
        return ""
    first = sources[0]
    anchor = f"“{first['anchor']}”" if first.get("anchor") else LINK_KINDS.get(first.get("kind") or "page", "链接")
    if first.get("list_date"):  # a list entry: its title and the date the list shows
        anchor = f"列表条目{anchor}（{first['list_date']}）"
    more = f"等 {count} 个页面" if count > 1 else ""
    return f"{first['page']}{more}中的{anchor}"


@wording("links.broken")
def _broken(f: Finding) -> Text:
    ev = f.evidence
    where = _where(ev)
    kind = LINK_KINDS.get(ev.get("link_kind") or "page", "页面链接")
    msg = f"链接不可用：{where}（{kind}）指向 {f.url}，{_status_phrase(ev, f.kind)}。"
    fix = ("请逐一核对引用该地址的页面：目标已迁移的，改为新的有效地址；目标已撤销的，删除链接或注明已失效；"
           "属于本单位网站的页面，恢复页面或设置正确的跳转。")
    return Text(msg, fix)


@wording("attachments.archive")
def _archive(f: Finding) -> Text:
    ev = f.evidence
    name = ev.get("filename") or f.url
    how = ARCHIVE_HOW.get(ev.get("recognised_by") or f.kind, "文件特征")
    kind = (ev.get("archive_kind") or "压缩").upper()
    msg = f"附件以压缩包形式发布：{_where(ev)}提供的附件 {name} 为 {kind} 压缩文件（依据{how}识别）。"
    fix = ("请将压缩包解压，把其中的文件以 PDF、Word、Excel 等可直接打开的格式逐个上传为附件，"
           "并删除原压缩包链接。")
    return Text(msg, fix)
