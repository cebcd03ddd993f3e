"""Data endpoints that CMS list pages fetch their rows from, and the rows in those endpoints' answers.

A list page of the big CMS families often shows only its first records and loads the others from an
endpoint its own markup names: Hanweb jcms ``dataproxy.jsp`` (XML records), TRS search APIs (JSON, often by
POST), the gkmlpt disclosure platform (JSON). ``DataApi`` says how to ask such an endpoint for page n;
``parse_api_response`` reads one answer into list items. Pure: no network here, the spider does the asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = ["ApiRequest", "DataApi", "HANWEB", "TRS", "GKMLPT"]

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
