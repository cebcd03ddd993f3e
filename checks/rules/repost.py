"""Reposting of important upper-level documents: each department reposts every document of the upstream
feeds within `repost_within_hours` (repost.late) and none is left out (repost.missing).

A repost is found anywhere in the department's crawl by its normalised title — without 转发/转载/【】
prefixes, punctuation or spaces, the upstream title also found inside "关于转发《…》的通知" — or by the
upstream 文号 in its title or 文号 field. Times are compared to the minute when both pages show them;
when a page shows only a date the lag is an interval (the day's first minute as the earliest, the
day's end or the crawl's first sight of the page as the latest), and only a repost late for certain
is reported.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate
from datetime import datetime, time, timedelta
from typing import Any, Iterable

from sqlalchemy import select

from checks.base import Check, Finding, Severity, SkipCheck
from checks.context import AuditContext, in_chunks
from checks.registry import register
from checks.rules.coverage import audit_departments, department_views, finding, normalise
from store import models as m

_MARK = r"(?:[【\[（(〔]\s*(?:转载|转发|转)\s*[】\]）)〕]|转载|转发)[:：\s]*"
_REPOST = re.compile(rf"^\s*(?:{_MARK})+")
_FORWARD_OF = re.compile(r"^\s*(?:[^《]{0,40}?)?关于转发(.+?)的通知\s*$")
_BOOK = re.compile(r"《(.+)》")
MIN_CONTAINED = 8  # an upstream title shorter than this must match whole, not inside a longer title
END_OF_DAY = time(23, 59, 59)


def strip_repost(title: str) -> str:
    """The upstream title inside a repost's title."""
    text = _REPOST.sub("", title or "").strip()
    forward = _FORWARD_OF.match(text)
    if forward:
        inner = forward.group(1).strip()
        book = _BOOK.search(inner)
        text = book.group(1) if book else inner
    return text


def is_repost(title: str) -> bool:
    return bool(_REPOST.match(title or "") or _FORWARD_OF.match(title or ""))


def title_key(title: str) -> str:
    return normalise(strip_repost(title))


@dataclass(frozen=True)
class Moment:
    """When a page says it was published: exact to the minute, or an interval when only a date shows."""

    earliest: datetime
    latest: datetime
    basis: str  # page_time | date_only | first_seen

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest


def moment(doc: m.Document, *, bound_by_first_seen: bool) -> Moment | None:
    day = doc.publish_date or doc.list_date
    if day is not None and doc.publish_time is not None:
        at = datetime.combine(day, doc.publish_time.replace(second=0, microsecond=0))
        return Moment(at, at, "page_time")
    if day is None:
        return None  # no date at all: never provably late
    start, latest = datetime.combine(day, time()), datetime.combine(day, END_OF_DAY)
    seen = doc.first_seen_at
    if bound_by_first_seen and seen is not None and start <= seen < latest:
        return Moment(start, seen, "date_only_first_seen")
    return Moment(start, latest, "date_only")


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Repost:
    doc: m.Document
    how: str  # title | doc_number
    when: Moment | None


_SEP = "\n"  # normalise() drops white space, so no key contains it: a search never spans two titles


class _Joined:
    """Strings joined by _SEP, searched at C speed; a hit is reported as the position of its string."""

    def __init__(self, strings: list[str], positions: list[int] | None = None) -> None:
        self.text = _SEP + _SEP.join(strings) + _SEP
        self.starts = array("q", accumulate((len(t) + 1 for t in strings[:-1]), initial=1)) if strings else array("q")
        self.positions = positions  # None: the i-th string is position i

    def hits(self, needle: str) -> set[int]:
        """Positions whose string contains `needle` (one framed by _SEP must equal it)."""
        found, at, lead = set(), self.text.find(needle), needle.startswith(_SEP)
        while at >= 0:
            i = bisect_right(self.starts, at + lead) - 1
            found.add(i if self.positions is None else self.positions[i])
            at = self.text.find(needle, at + 1)
        return found


class TitleIndex:
    """Every department document of a run by normalised title and 文号, built in one streamed pass.

    A repost search is then a substring search over one joined string (C speed) instead of a Python
    comparison per (upstream document, department document) pair; only the documents found are loaded.
    Titles carrying repost marks (转发…, 【转载】…) are searched by their title key in a small string apart.
    """

    def __init__(self, ctx: AuditContext) -> None:
        self.ids = array("q")
        self.spans: dict[str, tuple[int, int]] = {}  # department → [first, last) positions
        self.numbers: dict[str, list[int]] = defaultdict(list)
        titles: list[str] = []
        marked: list[int] = []
        marked_keys: list[str] = []
        stmt = (select(m.Document.id, m.Document.department_id, m.Document.title, m.Document.doc_number)
                .where(m.Document.run_id == ctx.run_id, m.Document.department_id.is_not(None))
                .order_by(m.Document.department_id, m.Document.id))
        result = ctx.session.connection().execute(stmt.execution_options(stream_results=True))
        while rows := result.fetchmany(20_000):
            titles.extend(map(normalise, (row[2] for row in rows)))
            for i, (doc_id, dept, title, number) in enumerate(rows, len(self.ids)):
                self.spans[dept] = (self.spans.get(dept, (i,))[0], i + 1)
                self.ids.append(doc_id)
                if "转" in (title or "") and is_repost(title):  # every repost mark has 转
                    marked.append(i)
                    marked_keys.append(title_key(title))
                if number:
                    self.numbers[normalise(number)].append(i)
        self.titles, self.marked = _Joined(titles), set(marked)
        self.marked_keys = _Joined(marked_keys, marked)

    def search(self, upstream: m.Document) -> dict[int, str]:
        """position → how ("title" | "doc_number") for every department document reposting `upstream`: its
        title key equals the upstream's, or contains it when that is long enough; else the upstream 文号 is
        in its title or is its 文号."""
        key, number = title_key(upstream.title), normalise(upstream.doc_number or "")
        out: dict[int, str] = {}
        if key:
            needle = key if len(key) >= MIN_CONTAINED else _SEP + key + _SEP
            # without marks a title key is the normalised title itself
            found = (self.titles.hits(needle) - self.marked) | self.marked_keys.hits(needle)
            out = dict.fromkeys(found, "title")
        if number:
            for i in self.titles.hits(number) | set(self.numbers.get(number, ())):
                out.setdefault(i, "doc_number")
        return out


def _title_index(ctx: AuditContext) -> TitleIndex:
    return ctx.memo("repost_title_index", lambda: TitleIndex(ctx))


def _documents_by_id(ctx: AuditContext, ids: Iterable[int]) -> dict[int, m.Document]:
    out: dict[int, m.Document] = {}
    for chunk in in_chunks(ids):
        out.update((d.id, d) for d in ctx.session.scalars(select(m.Document).where(m.Document.id.in_(chunk))))
    return out


class _RepostCheck(Check):
    severity = Severity.HIGH
    # The period judged: upstream documents published this many days before the audit date. 62 covers the
    # two months between 三随机 rounds (柳政办〔2018〕142号: every second month), so a document published
    # between two rounds is judged by the next one; it is stated in each finding's evidence.
    defaults = {"window_days": 62, "kinds": ["department", "county"]}
    rule = ("国务院和省政府重要政策文件，县级以上政府网站应在 24 小时内转载（国办发〔2014〕57号；扬州 细则，seed 002）；"
            "时限以 sites.yaml 中上级来源的 repost_within_hours 为准（福建为 8 小时）")

    def pairs(self, ctx: AuditContext) -> Iterable[tuple[Any, m.Document, float, list[Repost], str | None, int]]:
        """(department, upstream document, limit hours, reposts found, root page, documents searched)."""
        feeds = {f.id: f.repost_within_hours for f in (ctx.registry.sites.upstream if ctx.registry else [])}
        override = self.settings.get("repost_within_hours")
        since = ctx.as_of - timedelta(days=int(self.settings["window_days"]))
        upstream = [d for d in ctx.session.scalars(select(m.Document).where(
            m.Document.run_id == ctx.run_id, m.Document.upstream_id.is_not(None)).order_by(m.Document.url))
            if (d.publish_date or d.list_date) and since <= (d.publish_date or d.list_date) <= ctx.as_of]
        if not upstream:
            raise SkipCheck("检查期间内没有抓取到上级来源的文件")
        roots = {v.dept.id: v.page(v.root) for v in department_views(ctx)}
        kinds = set(self.settings["kinds"])
        index = _title_index(ctx)
        found = {up.id: index.search(up) for up in upstream}
        docs = _documents_by_id(ctx, (index.ids[i] for hits in found.values() for i in hits))
        for dept in audit_departments(ctx):
            if dept.kind not in kinds or dept.id not in index.spans:
                continue  # not crawled: the availability checks speak for it
            first, last = index.spans[dept.id]
            for up in upstream:
                limit = float(override if override is not None else feeds.get(up.upstream_id, 24))
                reposts = [Repost(docs[index.ids[i]], how, moment(docs[index.ids[i]], bound_by_first_seen=True))
                           for i, how in sorted(found[up.id].items()) if first <= i < last]
                yield dept, up, limit, reposts, roots.get(dept.id, dept.url), last - first

    def upstream_evidence(self, up: m.Document, limit: float) -> dict[str, Any]:
        when = moment(up, bound_by_first_seen=False)
        return {"window_days": int(self.settings["window_days"]), "upstream": up.upstream_id, "upstream_url": up.url, "upstream_title": up.title,
                "upstream_number": up.doc_number, "upstream_time": _stamp(when.earliest) if when else None,
                "upstream_time_basis": when.basis if when else None, "limit_hours": limit}


@register
class LateRepostCheck(_RepostCheck):
    """上级重要文件转载不及时"""

    id = "repost.late"

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for dept, up, limit, reposts, _, _ in self.pairs(ctx):
            up_when = moment(up, bound_by_first_seen=False)
            timed = [r for r in reposts if r.when is not None]
            if up_when is None or not timed or len(timed) < len(reposts):
                continue  # an undated repost may well have been on time
            first = min(timed, key=lambda r: r.when.earliest)
            lag_min = first.when.earliest - up_when.latest
            if lag_min <= timedelta(hours=limit):
                continue
            lag_max = first.when.latest - up_when.earliest
            yield finding(check=self.id, department=dept.id, url=first.doc.url, item=up.url,
                          kind="exact" if first.when.exact and up_when.exact else "bounded", evidence={
                              **self.upstream_evidence(up, limit), "repost_url": first.doc.url,
                              "repost_title": first.doc.title, "matched_by": first.how,
                              "repost_time": _stamp(first.when.earliest), "repost_time_basis": first.when.basis,
                              "repost_latest": _stamp(first.when.latest),
                              "first_seen_at": _stamp(first.doc.first_seen_at) if first.doc.first_seen_at else None,
                              "lag_hours": _hours(lag_min), "lag_hours_max": _hours(lag_max)})


@register
class MissingRepostCheck(_RepostCheck):
    """上级重要文件未转载"""

    id = "repost.missing"

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        crawled = ctx.run.started_at
        for dept, up, limit, reposts, root, searched in self.pairs(ctx):
            up_when = moment(up, bound_by_first_seen=False)
            if reposts or up_when is None:
                continue
            deadline = up_when.latest + timedelta(hours=limit)
            if deadline > crawled:
                continue  # still within its time when the site was crawled
            yield finding(check=self.id, department=dept.id, url=root, item=up.url, kind="missing", evidence={
                **self.upstream_evidence(up, limit), "deadline": _stamp(deadline), "crawled_at": _stamp(crawled),
                "documents_searched": searched})
