"""TRS WCM: dated folders (./202611/t20261115_123456.html), relative hrefs, a createPageHTML() pager
script and the 索引号/发布机构/成文日期/发布日期/文号/主题分类 metadata table."""

from __future__ import annotations

from ..generate import Doc
from ..model import Department
from ._base import Item, Style, esc

_PAGER_SCRIPT = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0){ document.write("<span>首页</span> <span>上一页</span> "); }
  else {
    document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> ");
    var prev = nCurrIndex == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt;
    document.write("<a href=\\"" + prev + "\\">上一页</a> ");
  }
  if(nCurrIndex + 1 < _nPageCount){
    document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a> ");
  } else { document.write("<span>下一页</span> "); }
  document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
}
</script>"""


class TrsStyle(Style):
    key = "trs"
    href_mode = "relative"

    def column_url(self, dept: Department, path: str, page: int) -> str:
        name = "index.html" if page == 1 else f"index_{page - 1}.html"
        return f"/{dept.id}/zwgk/{path}/{name}"

    def doc_url(self, dept: Department, doc: Doc) -> str:
        return f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{doc.id}.html"

    def asset_url(self, dept: Department, doc: Doc, n: int, ext: str) -> str:
        prefix = "W" if ext in ("png", "jpg") else "P"
        return (
            f"/{dept.id}/zwgk/{doc.path}/{doc.published:%Y%m}/"
            f"{prefix}0{doc.published:%Y%m%d}{doc.id % 10000:04d}{n}.{ext}"
        )

    def list_html(self, items: list[Item], page: str, offset: int) -> str:
        rows = "".join(
            f'<li><a href="{self.href(i.url, page)}" target="_blank" title="{esc(i.title)}">'
            f'{esc(self.short_title(i.title))}</a><span class="date">{self.date(i.published)}</span></li>\n'
            for i in items
        )
        return f'<ul class="list-ul">\n{rows}</ul>'

    def pager_html(self, dept: Department, path: str, page_no: int, pages: int, page: str) -> str:
        return (
            f'<div class="page">{_PAGER_SCRIPT}\n<script type="text/javascript">'
            f'createPageHTML({pages}, {page_no - 1}, "index", "html");</script></div>'
        )

    def doc_html(self, dept: Department, doc: Doc, column_name: str, body: str, page: str) -> str:
        number = esc(doc.number) if doc.number else "无"
        table = (
            '<table class="xxgk-table" cellspacing="0" cellpadding="0">'
            f"<tr><td class=\"td-l\">索引号：</td><td>{esc(doc.index_no)}</td>"
            f"<td class=\"td-l\">主题分类：</td><td>{esc(doc.topic_class)}</td></tr>"
            f"<tr><td class=\"td-l\">发布机构：</td><td>{esc(dept.name)}</td>"
            f"<td class=\"td-l\">成文日期：</td><td>{self.date(doc.written)}</td></tr>"
            f"<tr><td class=\"td-l\">文号：</td><td>{number}</td>"
            f"<td class=\"td-l\">发布日期：</td><td>{self.date(doc.published)}</td></tr>"
            f'<tr><td class="td-l">名称：</td><td colspan="3">{esc(doc.title)}</td></tr></table>'
        )
        return (
            f'<div class="article">{table}<h1 class="title">{esc(doc.title)}</h1>'
            f'<div class="TRS_Editor">{body}</div></div>'
        )
