"""The provincial feed (/upstream/zcwj/): a paginated list whose documents show 发布时间 with the time."""

from __future__ import annotations

from datetime import datetime
from html import escape

from .generate import UpstreamDoc
from .model import Upstream
from .urls import canon


def _page_url(feed: Upstream, page: int) -> str:
    return feed.path if page == 1 else f"{feed.path}index_{page - 1}.html"


def doc_url(feed: Upstream, doc: UpstreamDoc) -> str:
    return f"{feed.path}{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{doc.id}.html"


def _shell(feed: Upstream, title: str, main: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}_{escape(feed.issuer)}</title>\n"
        f'<link rel="stylesheet" href="/static/css/common.css">\n</head>\n<body>\n'
        f'<div class="header"><img src="/static/img/guohui.png" alt="国徽"><span>{escape(feed.issuer)}</span></div>\n'
        f'<div class="topnav"><a href="/">示例市人民政府</a><a href="{canon(feed.path)}">{escape(feed.name)}</a></div>\n'
        f'<div class="main">\n{main}\n</div>\n<div class="footer">{escape(feed.issuer)}办公厅主办</div>\n'
        "</body>\n</html>\n"
    )


def render(feed: Upstream, docs: list[UpstreamDoc]) -> dict[str, tuple[str, datetime]]:
    """path -> (html, last modified) for the list pages and documents; docs get their url set."""
    for doc in docs:
        doc.url = doc_url(feed, doc)
    pages = max(1, -(-len(docs) // feed.page_size))
    out: dict[str, tuple[str, datetime]] = {}
    for page in range(1, pages + 1):
        chunk = docs[(page - 1) * feed.page_size: page * feed.page_size]
        rows = "".join(
            f'<li><a href="{canon(d.url)}" target="_blank">{escape(d.title)}</a>'
            f"<span>{d.published:%Y-%m-%d}</span></li>\n"
            for d in chunk
        )
        nav = [f'<a href="{canon(_page_url(feed, 1))}">首页</a>']
        if page > 1:
            nav.append(f'<a href="{canon(_page_url(feed, page - 1))}">上一页</a>')
        if page < pages:
            nav.append(f'<a href="{canon(_page_url(feed, page + 1))}">下一页</a>')
        nav.append(f'<a href="{canon(_page_url(feed, pages))}">尾页</a>')
        main = (
            f'<h2>{escape(feed.name)}</h2><ul class="list">\n{rows}</ul>'
            f'<div class="pager">{"".join(nav)}<span>第{page}页/共{pages}页</span></div>'
        )
        out[_page_url(feed, page)] = (_shell(feed, feed.name, main), chunk[0].published)
    for doc in docs:
        body = "".join(f"<p>{escape(p)}</p>" for p in doc.paragraphs)
        main = (
            f'<div class="article"><h1>{escape(doc.title)}</h1>'
            f'<div class="info"><span>发文机关：{escape(feed.issuer)}</span><span>文号：{escape(doc.number)}</span>'
            f"<span>发布时间：{doc.published:%Y-%m-%d %H:%M}</span></div>"
            f'<div class="content">{body}<p>{escape(feed.issuer)}</p>'
            f"<p>{doc.published.year}年{doc.published.month}月{doc.published.day}日</p></div></div>"
        )
        out[doc.url] = (_shell(feed, doc.title, main), doc.published)
    return out
