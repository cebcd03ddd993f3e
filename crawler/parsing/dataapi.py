"""Data endpoints that CMS list pages fetch their rows from, and the rows in those endpoints' answers.

A list page of the big CMS families often shows only its first records and loads the others from an
endpoint its own markup names: Hanweb jcms ``dataproxy.jsp`` (XML records), TRS search APIs (JSON, often by
POST), the gkmlpt disclosure platform (JSON). ``DataApi`` says how to ask such an endpoint for page n;
``parse_api_response`` reads one answer into list items. Pure: no network here, the spider does the asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["ApiRequest", "DataApi", "GKMLPT", "HANWEB", "TRS", "find_data_api"]

HANWEB = "hanweb-dataproxy"  # POST …/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage= , form: columnid, unitid …
TRS = "trs-search"           # TRS search/list API (JSON), the page number in a parameter
GKMLPT = "gkmlpt"            # GET /gkmlpt/api/all/<column>?page=N&sid=<site> (JSON)


@dataclass(frozen=True)
class ApiRequest:
    """One request for one page of records: GET with the parameters in the URL, or POST with a form body."""

    url: str
    method: str            # "GET" or "POST"
    body: str | None       # application/x-www-form-urlencoded body of a POST, else None


@dataclass(frozen=True)
class DataApi:
    """An endpoint a list page names for its records.

    kind:      HANWEB, TRS or GKMLPT (how pages are numbered and how answers read).
    url:       absolute endpoint URL, without the paging parameters.
    method:    "GET" or "POST" (form-encoded).
    params:    the fixed parameters that select the column (columnid, unitid, webid, channelId, sid …),
               in the order the page gives them; a tuple of pairs, so the dataclass stays hashable.
    per_page:  records per page as the page itself asks for them, when it says.
    page_param: for TRS/GKMLPT the name of the page-number parameter ("page", "pageNo" …); None for HANWEB
               (paged by startrecord/endrecord).
    first_page: the number the endpoint gives its first page (1, or 0 for zero-based counters).
    """

    kind: str
    url: str
    method: str
    params: tuple[tuple[str, str], ...] = ()
    per_page: int | None = None
    page_param: str | None = None
    first_page: int = 1

    def request(self, page: int) -> ApiRequest:
        """The request for page ``page`` (1 = first page of the list, whatever the endpoint counts from)."""
        page = max(1, page)
        per_page = self.per_page or 15
        if self.kind == HANWEB:
            start = (page - 1) * per_page + 1
            paging = [("startrecord", str(start)), ("endrecord", str(start + per_page - 1)),
                      ("perpage", str(per_page))]
            # dataproxy.jsp reads the record window from the query string and the column from the form
            url = _with_query(self.url, paging)
            return ApiRequest(url, "POST", urlencode(list(self.params)))
        params = [(k, v) for k, v in self.params if k != self.page_param]
        if self.page_param:
            params.append((self.page_param, str(page - 1 + self.first_page)))
        if self.method == "POST":
            return ApiRequest(self.url, "POST", urlencode(params))
        return ApiRequest(_with_query(self.url, params), "GET", None)


def _with_query(url: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query and extra else (parts.query or extra)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


_HANWEB_PROXY = re.compile(r"""[^\s"'<>()\[\]]*(?:morecolumn)?dataproxy\.jsp[^\s"'<>()\[\]]*""", re.I)
_HANWEB_PAGING = frozenset({"page", "startrecord", "endrecord", "perpage"})
_HANWEB_FORM = ("col", "appid", "webid", "path", "columnid", "sourcecontenttype", "unitid", "webname",
                "permissiontype")
_JS_NUMBER = r"""\s*[:=]\s*["']?(\d{1,12})"""
_PER_PAGE = re.compile(r"\b(?:perPage|prepage|pageSize|perpage)\s*[\"']?\s*[:=]\s*[\"']?(\d{1,4})\b")
_GKMLPT_API = re.compile(r"""[^\s"'<>()]*?/gkmlpt/api/all/(\d+)[^\s"'<>()]*""")
_GKMLPT_SID = re.compile(r"""\b(?:SID|sid|site_id)\b["']?\s*[:=]\s*["']?(\d{2,12})""")
# $.ajax({url: '…', type: 'POST', data: {…}}) and $.post('…', {…}): a list fetched by script
_AJAX = re.compile(r"""(?:\$|jQuery)\s*\.\s*(ajax|post|get(?:JSON)?)\s*\(""")
_URL_PROP = re.compile(r"""\burl\s*:\s*["']([^"'\s]{1,300})["']""")
_TYPE_PROP = re.compile(r"""\b(?:type|method)\s*:\s*["'](get|post)["']""", re.I)
_DATA_PROP = re.compile(r"""\bdata\s*:\s*\{""")
_FIRST_STRING = re.compile(r"""\s*["']([^"'\s]{1,300})["']\s*,\s*\{""")
_PAIR = re.compile(r"""["']?([A-Za-z_$][\w$]*)["']?\s*:\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)|([A-Za-z_$][\w$.]*))""")
_PAGE_KEYS = ("page", "pageNo", "pageno", "pageNum", "pagenum", "pageIndex", "pageindex", "curPage", "currPage",
              "currentPage", "current", "p", "pn", "page_no")
_CHANNEL_KEY = re.compile(r"chnl|channel|column|colid|catalog|cateid|classid|nodeid|lmid", re.I)


def find_data_api(scripts: str, url: str, *, static_pager: bool = False) -> DataApi | None:
    """The data endpoint a list page's scripts name, if any (scripts: the text of its <script> elements).

    A bare jQuery call with a channel and a page number is taken only when the page has no static pager
    (static_pager): beside one it is more likely a side widget than the list's own source.
    """
    if not scripts:
        return None
    found = _hanweb(scripts, url) or _gkmlpt(scripts, url) or _trs_list_model(scripts, url)
    if found is None and not static_pager:
        found = _script_api(scripts, url)
    return found


def _hanweb(scripts: str, url: str) -> DataApi | None:
    for m in _HANWEB_PROXY.finditer(scripts):
        target = urljoin(url, unescape(m.group(0)))
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            continue
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                  if k.lower() not in _HANWEB_PAGING]
        have = {k.lower() for k, _ in params}
        for key in ("columnid", "unitid", "webid"):
            if key not in have:
                found = re.search(r"\b" + key + _JS_NUMBER, scripts, re.I)
                if found:
                    params.append((key, found.group(1)))
        if "unitid" not in {k.lower() for k, _ in params}:
            unit = re.search(r"""\$\(\s*["']#(\d+)["']\s*\)\s*\.jpage""", scripts)
            if unit:
                params.append(("unitid", unit.group(1)))
        if not {"columnid", "unitid"} & {k.lower() for k, _ in params}:
            continue
        params.sort(key=lambda kv: _HANWEB_FORM.index(kv[0].lower()) if kv[0].lower() in _HANWEB_FORM else 99)
        per_page = _PER_PAGE.search(scripts)
        endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return DataApi(HANWEB, endpoint, "POST", tuple(params),
                       per_page=int(per_page.group(1)) if per_page else None)
    return None


def _gkmlpt(scripts: str, url: str) -> DataApi | None:
    """gkmlpt: the API a script names, or the column of a ``…/gkmlpt/index#<column>`` address and the
    site id (SID) of the page's ``window._CONFIG``."""
    m = _GKMLPT_API.search(scripts)
    if m is None:
        parts = urlsplit(url)
        sid = _GKMLPT_SID.search(scripts)
        if "/gkmlpt/" not in parts.path or not parts.fragment.isdigit() or sid is None:
            return None
        root = parts.path[: parts.path.index("/gkmlpt/")]
        endpoint = urlunsplit((parts.scheme, parts.netloc, f"{root}/gkmlpt/api/all/{parts.fragment}", "", ""))
        return DataApi(GKMLPT, endpoint, "GET", (("sid", sid.group(1)),), page_param="page")
    target = urlsplit(urljoin(url, m.group(0)))
    params = [(k, v) for k, v in parse_qsl(target.query) if k != "page"]
    if "sid" not in {k for k, _ in params}:
        sid = _GKMLPT_SID.search(scripts)
        if sid:
            params.append(("sid", sid.group(1)))
    endpoint = urlunsplit((target.scheme, target.netloc, target.path, "", ""))
    return DataApi(GKMLPT, endpoint, "GET", tuple(params), per_page=None, page_param="page")


def _object_at(text: str, start: int) -> str:
    """The {…} literal opening at text[start] (balanced braces, strings skipped), or "" if unbalanced."""
    depth, quote, i = 0, "", start
    while i < len(text) and i - start < 4000:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    return ""


_LITERAL = r"""(?:"([^"]*)"|'([^']*)'|(\d+))"""
_OR_CHAIN = re.compile(_LITERAL + r"""(?:\s*\|\|\s*""" + _LITERAL + r""")?""")


def _resolve(name: str, scripts: str) -> str | None:
    """``pageChnlInfo.chnlid`` or ``chnlid``: the literal it is set to elsewhere in the scripts
    (the first non-empty one of ``"" || "chnlid=1780"``)."""
    key = name.rsplit(".", 1)[-1]
    m = re.search(r"""["']?\b""" + re.escape(key) + r"""\b["']?\s*[:=]\s*(?=["'\d])""", scripts)
    if m is None:
        return None
    chain = _OR_CHAIN.match(scripts, m.end())
    if chain is None:
        return None
    values = [g for g in chain.groups() if g is not None]
    return next((v for v in values if v), values[0] if values else None)


def _params_of(body: str, scripts: str) -> list[tuple[str, str]]:
    """The key/value pairs of a flat object literal, names resolved to the literals they are set to."""
    params: list[tuple[str, str]] = []
    for pair in _PAIR.finditer(body[1:-1]):
        key = pair.group(1)
        value = next((g for g in pair.groups()[1:4] if g is not None), None)
        if value is None and pair.group(5) not in (None, "true", "false", "null", "undefined"):
            value = _resolve(pair.group(5), scripts)
        if value is not None and all(k != key for k, _ in params):
            params.append((key, value))
    return params


_LIST_API = re.compile(r"""\blistApi\s*:\s*\{[^{}]*?\burl\s*:\s*["']([^"'\s]{1,300})["']""")
_LIST_ARGS = re.compile(r"""\blistArgs\s*:\s*\{""")
_PAGEBAR_PREPAGE = re.compile(r"""\bprepage\s*:\s*([\w$.]+)""")


def _trs_list_model(scripts: str, url: str) -> DataApi | None:
    """TRS "trsapi" list model of the Fujian portals: ``listModel({listArgs: {channelid, classsql,
    sortfield …}, listApi: {url: "/fjdzapp/search"}, pagebar: {recordCount, prepage}})``; pages are
    asked for by POST with ``page`` and ``prepage``."""
    api = _LIST_API.search(scripts)
    args = _LIST_ARGS.search(scripts)
    if api is None or args is None:
        return None
    endpoint = urljoin(url, unescape(api.group(1)))
    if urlsplit(endpoint).scheme not in ("http", "https"):
        return None
    params = _params_of(_object_at(scripts, args.end() - 1), scripts)
    if not any(_CHANNEL_KEY.search(k) or "chnlid" in v for k, v in params):
        return None
    per_page = None
    prepage = _PAGEBAR_PREPAGE.search(scripts, api.end())
    if prepage:
        token = prepage.group(1)
        value = token if token.isdigit() else _resolve(token, scripts)
        per_page = int(value) if value and value.isdigit() and 0 < int(value) <= 500 else None
    params.append(("prepage", str(per_page or 15)))
    return DataApi(TRS, endpoint, "POST", tuple(params), per_page=per_page, page_param="page")


def _script_api(scripts: str, url: str) -> DataApi | None:
    """A list endpoint fetched by jQuery with a channel id and a page number (TRS search/list APIs)."""
    for m in _AJAX.finditer(scripts):
        call = scripts[m.end(): m.end() + 4000]
        if m.group(1) == "ajax":
            options = _object_at(call, call.find("{")) if "{" in call[:20] else ""
            target = _URL_PROP.search(options)
            kind = _TYPE_PROP.search(options)
            method = kind.group(1).upper() if kind else "GET"
            data = _DATA_PROP.search(options)
            body = _object_at(options, data.end() - 1) if data else ""
        else:
            first = _FIRST_STRING.match(call)
            target = first
            method = "POST" if m.group(1) == "post" else "GET"
            body = _object_at(call, first.end() - 1) if first else ""
        if target is None or not body:
            continue
        params = _params_of(body, scripts)
        keys = [k for k, _ in params]
        page_key = next((k for k in keys if k in _PAGE_KEYS), None)
        if page_key is None or not any(_CHANNEL_KEY.search(k) for k in keys):
            continue
        endpoint = urljoin(url, unescape(target.group(1)))
        if urlsplit(endpoint).scheme not in ("http", "https"):
            continue
        per_page = next((int(v) for k, v in params if k.lower() in ("prepage", "perpage", "pagesize", "page_size",
                                                                   "rows", "size", "limit") and v.isdigit()), None)
        first_page = int(dict(params)[page_key]) if dict(params)[page_key].isdigit() else 1
        return DataApi(TRS, endpoint, method, tuple(params), per_page=per_page, page_param=page_key,
                       first_page=first_page if first_page in (0, 1) else 1)
    return None
