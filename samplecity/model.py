"""The vocabulary data.py is written in: departments, columns, special endpoints and planted links."""

from __future__ import annotations

from dataclasses import dataclass, field

#: ground-truth verdicts an endpoint can carry
BROKEN = "links.broken"
ARCHIVE = "attachments.archive"
NEGATIVE = "negatives"
#: a valid link target that serves content planted for another check (a privacy leak in an attachment)
PLANTED = "planted"


@dataclass(frozen=True)
class Column:
    """One column (栏目) of a disclosure root; `children` makes it a parent of sub-columns."""

    code: str  # URL segment under /{dept}/zwgk/
    name: str
    docs: int = 0  # generated documents
    newest: int = 1  # days before the anchor of the newest document
    oldest: int = 90  # days before the anchor of the oldest document
    yearly: tuple[int, int] | None = None  # (month, day): one document per year on that date instead
    kind: str = ""  # title/body template family in texts.py; defaults to code
    numbered: bool = False  # documents carry a 文号
    attach_every: int = 0  # every n-th document gets a generated attachment
    image_every: int = 0  # every n-th document shows an inline image
    children: tuple[Column, ...] = ()
    note: str = ""  # what the page says when the column is empty; "" = the CMS placeholder 暂无信息
    explains: str = ""  # path of a column whose documents this one interprets (one 解读 per document)
    js: bool = False  # the list is filled in the browser by a script from list.json (keep it to one page)

    @property
    def family(self) -> str:
        return self.kind or self.code


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    short: str  # how the department names itself in news titles
    style: str  # key of samplecity.styles.STYLES
    credit_code: str  # 统一社会信用代码, the first half of every 索引号
    doc_prefix: str  # 文号 prefix, e.g. 示发改规
    topics: tuple[str, ...]
    first_id: int  # first document id; ids count up from here
    columns: tuple[Column, ...]
    page_size: int = 5
    kind: str = "department"
    catalog: str = "municipal-department"
    repost_column: str = "tzgg"  # where the department reposts upstream documents ("" = it does not)
    challenge: bool = False  # every path under /{id}/ sits behind an anti-bot cookie challenge (HTTP 412)


@dataclass(frozen=True)
class Endpoint:
    """A URL with planted behaviour. Paths are unencoded; the site percent-encodes them once.

    `url` is a path on the sample city, an absolute URL (may contain `{refused_port}`), a path with a
    `#fragment`, or a mailto:/javascript: URI. Only plain paths get a route on the server.
    """

    url: str
    status: int = 200
    body: str | None = None  # key of files.BODIES; None = a small HTML page
    title: str = "页面"  # heading of the HTML page
    content_type: str | None = None  # overrides the body's default Content-Type
    location: str | None = None  # redirect target (a path)
    disposition: str | None = None  # Content-Disposition header
    head_status: int | None = None  # HEAD answers this status instead (GET is unaffected)
    delay: float = 0.0  # seconds before answering
    soft404: bool = False  # a 200 page that says the page does not exist
    verdict: str = ""  # BROKEN | ARCHIVE | NEGATIVE; "" = only reached through redirects
    why: str = ""  # the reason recorded in ground truth


@dataclass(frozen=True)
class Link:
    """A planted link on a crawled page of `dept`.

    `on`: "root" (the disclosure root), "column:<path>[:<page>]" (a column list page, 1-based, default 1),
    "doc:<path>:<n>" (the n-th newest document of that column, 0-based). `<path>` is e.g. "czyjs/bmys".
    `tag`: "a" (a related link), "img" (an inline image), "attachment" (an entry in the 附件 block),
    "item" (an entry of the column list itself).
    """

    dept: str
    on: str
    url: str  # must be the url of an Endpoint
    text: str
    tag: str = "a"


@dataclass(frozen=True)
class Upstream:
    id: str
    name: str
    path: str
    issuer: str
    doc_prefix: str
    docs: int
    repost_within_hours: int = 24
    page_size: int = 6
    topics: tuple[str, ...] = field(default=())
    #: (days before the anchor, hour, minute) of the newest documents, the ones every department reposts
    recent: tuple[tuple[int, int, int], ...] = ()
    older_from: int = 70  # the other documents: beyond the repost checks' 62-day period, one every `older_every` days
    older_every: int = 6


@dataclass(frozen=True)
class DocPlant:
    """Overrides for one generated document of `dept`; `key` is "<column path>/<n>", n counting the
    column's generated documents from the newest (reposts and 解读 are not counted)."""

    dept: str
    key: str
    written_workdays: int | None = None  # 成文日期 this many working days before publication
    explained_after: int | None = None  # its 解读 this many working days after it; -1 = no 解读 at all
    extra: tuple[str, ...] = ()  # paragraphs appended to the body


@dataclass(frozen=True)
class Repost:
    """How `dept` reposts the n-th recent document of an upstream feed (default: within a few hours)."""

    dept: str
    feed: str
    n: int
    lag_hours: float | None  # None: never reposted
    title: str = "转发"  # 转发 | 【转载】 | 关于转发 | 文号 | 原题 (the upstream title with spaces and ASCII punctuation)
    column: str = ""  # "" = the department's repost_column


@dataclass(frozen=True)
class Expect:
    """A planted finding of one of the audit checks, or (negative=True) a near miss it must not report.

    `url` is symbolic, resolved on a running city by samplecity.truth: root | column:<path> |
    doc:<key> | file:<path> | annual:<path> (the report due as of the anchor, else that column) | *
    (negatives only: no finding of this check for the department). `item` is a catalog item id or
    upstream:<feed>/<n>.
    """

    check: str
    dept: str
    url: str
    item: str | None = None
    why: str = ""
    negative: bool = False
