"""A department whose columns use the list layouts of the big government CMS families (our own re-creation
of their structure, not copied pages), chosen per column by `Column.layout`:

- "trs":    Fujian TRS-like: the first page's rows in many sibling ``<div ms-visible>`` blocks, each with its
            own ``<ul>``; ``pageChnlInfo = {chnlid, recordCount, prepage}`` in a script; later pages only
            through a POST search API (``$.ajax({url, type: "POST", data: {chnlid, page, prepage}})``)
            answering JSON ``{"total": N, "data": [{"title", "url", "pubDate"}]}``;
- "hanweb": Hanweb/大汉 jcms jpage: the first page's records as CDATA ``<record>`` in a
            ``<script type="text/xml">`` datastore, ``$('#unit').jpage({perPage, totalRecord, proxyUrl})``;
            the others from ``dataproxy.jsp?startrecord=&endrecord=&perpage=`` (POST, columnid/unitid in
            the form) answering ``<datastore><totalrecord>N</totalrecord><recordset><record><![CDATA[<li>…``;
- "dl":     one ``<dl><dt><a>title</a></dt><dd>date</dd></dl>`` per entry, a static pager;
- "table":  a ``<table>`` of 标题/文号/发布日期 rows, a static pager with "共N条";
- "nodate": a plain ``<ul>`` without dates (dates only on the document pages), a static pager;
- "jspager": a first page declaring "共N条" and a 下一页 *button* whose script fetches ``page_<n>.json`` and
            redraws the list in place: no URL of a later page anywhere, only a browser clicking gets them.

Hub columns (with children) are column-tree pages: links to the sub-columns and a "最新文件" teaser of
their newest documents, which is not the hub's own list.
"""

from __future__ import annotations

import json
from datetime import datetime

from ..generate import Doc, walk
from ..model import Department
from ._base import Item, Planted, Style, TreeNode, esc

API_PATH = "/{dept}/search/chnldoc.do"  # the TRS-like search API (POST)
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"  # the Hanweb data proxy (POST), one per site as in jcms
#: the layouts whose later pages exist only behind an endpoint
ENDPOINT_LAYOUTS = ("trs", "hanweb", "jspager")


def channel_id(dept: Department, path: str) -> int:
    """A stable numeric channel / column id for a column, as the CMSes number them."""
    return 4000 + sum(ord(c) for c in f"{dept.id}/{path}") % 900


class FjtrsStyle(Style):
    key = "fjtrs"
    href_mode = "root"
    title_limit = 30

    def column_url(self, dept: Department, path: str, page: int) -> str:
        name = "index.htm" if page == 1 else f"index_{page - 1}.htm"
        return f"/{dept.id}/zwgk/{path}/{name}"

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{doc.id}.htm"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m}/P0{doc.published:%Y%m%d}{doc.id % 10000:04d}{n}.{ext}"

    # --- lists ----------------------------------------------------------------------------------

    def render_list(self, dept: Department, name: str, path: str, tree: tuple[TreeNode, ...],
                    items: list[Item], page_no: int, pages: int, offset: int,
                    planted: list[Planted], page: str, *, total: int = 0) -> str:
        column = dict(walk(dept.columns)).get(path)
        layout = column.layout if column is not None else ""
        total = total or len(items)
        if not items:
            body = f'<p class="empty">{esc(column.note if column is not None and column.note else "暂无信息")}</p>'
        elif layout == "trs":
            body = self._trs(dept, path, items, page, total)
        elif layout == "hanweb":
            body = self._hanweb(dept, path, items, page, total)
        elif layout == "dl":
            body = "".join(f'<dl class="xxgk-dl"><dt><a href="{self.href(i.url, page)}" title="{esc(i.title)}">'
                           f'{esc(self.short_title(i.title))}</a></dt><dd>{self.date(i.published)}</dd></dl>\n'
                           for i in items)
            body = f'<div class="dl-list">{body}</div>'
        elif layout == "table":
            rows = "".join(f'<tr><td class="bt"><a href="{self.href(i.url, page)}" title="{esc(i.title)}">'
                           f'{esc(self.short_title(i.title))}</a></td><td>{esc(i.index_no)}</td>'
                           f'<td class="rq">{self.date(i.published)}</td></tr>\n' for i in items)
            body = (f'<table class="list-table"><tr><th>标题</th><th>索引号</th><th>发布日期</th></tr>\n{rows}'
                    '</table>')
        elif layout == "jspager":
            body = self._jspager(items, page, total)
        else:  # nodate
            rows = "".join(f'<li><a href="{self.href(i.url, page)}" title="{esc(i.title)}">'
                           f'{esc(self.short_title(i.title))}</a></li>\n' for i in items)
            body = f'<ul class="nodate-list">\n{rows}</ul>'
        pager = "" if layout in ENDPOINT_LAYOUTS else self.pager_html(dept, path, page_no, pages, page, total)
        first = self.column_url(dept, path, 1)
        main = (
            self.crumbs(dept, page, (first, name))
            + f'<div class="left">{self.tree(tree, page)}{self.side_links(planted, page)}</div>'
            + f'<div class="right"><h2 class="column-title">{esc(name)}</h2>{body}{pager}</div>'
        )
        return self.shell(dept, name, page, main)

    def _trs(self, dept: Department, path: str, items: list[Item], page: str, total: int) -> str:
        blocks = []
        for start in range(0, len(items), 2):  # a few rows per block, the template shows block after block
            rows = "".join(
                f'<li><a href="{self.href(i.url, page)}" target="_blank" title="{esc(i.title)}">'
                f'{esc(self.short_title(i.title))}</a><em id="rel_{i.url.rsplit("_", 1)[-1].split(".")[0]}"></em>'
                f'<span class="bf-pass">{self.date(i.published)}</span></li>'
                for i in items[start:start + 2])
            blocks.append(f'<div ms-visible="$showStatic({start + 1})"><ul>{rows}</ul></div>')
        chnl = channel_id(dept, path)
        api = API_PATH.format(dept=dept.id)
        return (
            '<div class="list_base list_base_date_01" ms-controller="list"><div ms-visible="showStatic">'
            + "".join(blocks) + '</div></div><div class="pagination" id="page"></div>\n'
            f'<script type="text/javascript">\nvar pageChnlInfo = {{chnlid: "{chnl}", recordCount: {total}, '
            f'prepage: {dept.page_size}, pageNo: 1}};\n'
            "$(function () {\n"
            f'  $.ajax({{url: "{api}", type: "POST", dataType: "json", '
            "data: {chnlid: pageChnlInfo.chnlid, page: 1, prepage: pageChnlInfo.prepage},\n"
            "    success: function (res) { render(res.data, res.total); }});\n});\n</script>"
        )

    def _hanweb(self, dept: Department, path: str, items: list[Item], page: str, total: int) -> str:
        unit = 10000 + channel_id(dept, path)
        records = "".join(f"<record><![CDATA[{self.hanweb_row(i, page)}]]></record>\n" for i in items)
        return (
            f'<div id="{unit}"><script type="text/xml"><datastore>\n<nextgroup><![CDATA[<a href="{PROXY_PATH}'
            f'?page=1&appid=1&webid=1&path=/&columnid={channel_id(dept, path)}&unitid={unit}'
            f'&webname=%E7%A4%BA%E4%BE%8B%E5%B8%82&permissiontype=0"></a>]]></nextgroup>\n<recordset>\n{records}'
            "</recordset>\n</datastore></script></div>\n"
            f'<script type="text/javascript">$("#{unit}").jpage({{dataStore: dataStore, perPage: {dept.page_size}, '
            f'totalRecord: {total}, proxyUrl: "{PROXY_PATH}", groupSize: 1, barPosition: "bottom", '
            f'ajaxParam: {{col: 1, appid: 1, webid: 1, columnid: {channel_id(dept, path)}, unitid: {unit}}}}});'
            "</script>"
        )

    def _jspager(self, items: list[Item], page: str, total: int) -> str:
        """A list whose 下一页 is a script button: it fetches page_<n>.json and redraws the list in place."""
        rows = "".join(f'<li><a href="{self.href(i.url, page)}" title="{esc(i.title)}">{esc(self.short_title(i.title))}'
                       f'</a><span>{self.date(i.published)}</span></li>' for i in items)
        return (
            f'<ul class="jp-list" id="jp-list">{rows}</ul>'
            f'<div class="js-pager"><span>共{total}条</span> <span id="js-now">1</span> '
            '<a href="javascript:;" id="js-next">下一页</a></div>\n'
            "<script>\n(function () {\n  var now = 1;\n"
            '  document.getElementById("js-next").addEventListener("click", function () {\n'
            '    fetch("page_" + (now + 1) + ".json").then(function (r) { if (!r.ok) { throw r; } return r.json(); })\n'
            "      .then(function (list) {\n"
            '        if (!list.length) { return; }\n'
            '        now += 1; var ul = document.getElementById("jp-list"); ul.innerHTML = "";\n'
            "        list.forEach(function (it) {\n"
            '          var li = document.createElement("li"), a = document.createElement("a"), s = document.createElement("span");\n'
            "          a.href = it.url; a.textContent = it.title; a.title = it.title; s.textContent = it.date;\n"
            "          li.appendChild(a); li.appendChild(s); ul.appendChild(li);\n"
            "        });\n"
            '        document.getElementById("js-now").textContent = String(now);\n'
            "      }).catch(function () {});\n  });\n})();\n</script>"
        )

    def hanweb_row(self, item: Item, page: str) -> str:
        return (f'<li><a href="{self.href(item.url, page)}" title="{esc(item.title)}" target="_blank">'
                f'{esc(self.short_title(item.title))}</a><span class="bt-data-time">{self.date(item.published)}'
                "</span></li>")

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str, total: int = 0) -> str:
        def link(number: int, text: str) -> str:
            return f'<a href="{self.href(self.column_url(dept, path, number), page)}">{text}</a>'

        parts = [link(page_no - 1, "上一页") if page_no > 1 else "<span>上一页</span>"]
        parts += [f"<b>{n}</b>" if n == page_no else link(n, str(n)) for n in range(1, pages + 1)]
        parts.append(link(page_no + 1, "下一页") if page_no < pages else "<span>下一页</span>")
        count = f"共{total}条 " if total else ""
        return f'<div class="page-box">{"".join(parts)}<span>{count}共{pages}页</span></div>'

    # --- column-tree pages ----------------------------------------------------------------------

    def render_hub(self, dept: Department, name: str, tree: tuple[TreeNode, ...],
                   boxes: list[tuple[str, str, list[Item]]], planted: list[Planted], page: str) -> str:
        subs = "".join(f'<li><a href="{self.href(url, page)}">{esc(box)}</a></li>' for box, url, _ in boxes)
        latest = sorted((i for _, _, items in boxes for i in items), key=lambda i: i.published, reverse=True)[:5]
        teaser = "".join(f'<li><a href="{self.href(i.url, page)}" title="{esc(i.title)}">'
                         f'{esc(self.short_title(i.title))}</a><span>{self.date(i.published)}</span></li>'
                         for i in latest)
        main = (
            self.crumbs(dept, page, (page, name))
            + f'<div class="left">{self.tree(tree, page)}{self.side_links(planted, page)}</div>'
            + f'<div class="right"><h2 class="column-title">{esc(name)}</h2>'
            f'<div class="sub-nav"><h3>子栏目</h3><ul class="sub-columns">{subs}</ul></div>'
            f'<div class="zxwj"><h3>最新文件</h3><ul>{teaser}</ul>'
            f'<a class="more" href="{self.href(boxes[0][1], page) if boxes else ""}">更多&gt;&gt;</a></div></div>'
        )
        return self.shell(dept, name, page, main)

    # --- documents ------------------------------------------------------------------------------

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        number = esc(doc.number) if doc.number else ""
        return (
            '<div class="xxgk-info"><table>'
            f"<tr><th>索引号：</th><td>{esc(doc.index_no)}</td><th>发布机构：</th><td>{esc(dept.name)}</td></tr>"
            f"<tr><th>成文日期：</th><td>{self.date(doc.written)}</td><th>发布日期：</th><td>{self.date(doc.published)}</td></tr>"
            f"<tr><th>文号：</th><td>{number}</td><th>主题分类：</th><td>{esc(doc.topic_class)}</td></tr>"
            f'<tr><th>标题：</th><td colspan="3">{esc(doc.title)}</td></tr></table></div>'
            f'<div class="article"><h1>{esc(doc.title)}</h1><div class="TRS_UEDITOR">{body}</div></div>'
        )


def api_answer(items: list[Item], total: int, base_url: str) -> bytes:
    """The TRS-like search API's JSON answer for one page."""
    data = [{"title": i.title, "url": base_url + i.url, "pubDate": f"{i.published:%Y-%m-%d %H:%M:%S}"}
            for i in items]
    return json.dumps({"code": 0, "total": total, "data": data}, ensure_ascii=False).encode()


def proxy_answer(style: FjtrsStyle, items: list[Item], total: int, page: str) -> bytes:
    """The Hanweb dataproxy.jsp answer for one window of records."""
    records = "".join(f"<record><![CDATA[{style.hanweb_row(i, page)}]]></record>\n" for i in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{total}</totalrecord>\n'
            f"<totalpage>0</totalpage>\n<recordset>\n{records}</recordset>\n</datastore>\n").encode()


def stamp(day: datetime) -> str:
    return f"{day:%Y-%m-%d}"
