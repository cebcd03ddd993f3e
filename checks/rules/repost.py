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
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Iterable

from sqlalchemy import select

from checks.base import Check, Finding, Severity, SkipCheck
from checks.context import AuditContext
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


def find_reposts(upstream: m.Document, docs: list[m.Document]) -> list[Repost]:
    key = title_key(upstream.title)
    number = normalise(upstream.doc_number or "")
    found = []
    for doc in docs:
        other = title_key(doc.title)
        if key and (other == key or (len(key) >= MIN_CONTAINED and key in other)):
            how = "title"
        elif number and (number in normalise(doc.title) or number == normalise(doc.doc_number or "")):
            how = "doc_number"
        else:
            continue
        found.append(Repost(doc, how, moment(doc, bound_by_first_seen=True)))
    return found


class _RepostCheck(Check):
    severity = Severity.HIGH
    defaults = {"window_days": 30, "kinds": ["department", "county"]}
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
        for dept in audit_departments(ctx):
            if dept.kind not in kinds:
                continue
            docs = list(ctx.session.scalars(select(m.Document).where(
                m.Document.run_id == ctx.run_id, m.Document.department_id == dept.id)))
            if not docs:
                continue  # not crawled: the availability checks speak for it
            for up in upstream:
                limit = float(override if override is not None else feeds.get(up.upstream_id, 24))
                yield dept, up, limit, find_reposts(up, docs), roots.get(dept.id, dept.url), len(docs)

    @staticmethod
    def upstream_evidence(up: m.Document, limit: float) -> dict[str, Any]:
        when = moment(up, bound_by_first_seen=False)
        return {"upstream": up.upstream_id, "upstream_url": up.url, "upstream_title": up.title,
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
