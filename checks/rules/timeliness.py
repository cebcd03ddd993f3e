"""Timeliness: columns kept up to date (timeliness.stale_column), documents published within the legal
time after they were written (timeliness.late_publication), the annual report on time
(timeliness.annual_report), policy interpretations in time (timeliness.interpretation).

Working days follow the State Council schedule (checks.calendar); a year without a schedule is counted
Monday–Friday and the evidence says so.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Iterable

from sqlalchemy import func, or_, select

from checks.base import Check, Finding, Severity, SkipCheck
from checks.calendar import WorkCalendar, work_calendar
from checks.context import AuditContext, in_chunks
from checks.registry import register
from checks.rules.coverage import DepartmentView, department_views, finding, normalise
from checks.rules.repost import is_repost
from store import models as m


def _calendar(ctx: AuditContext) -> WorkCalendar:
    return ctx.memo("work_calendar", lambda: work_calendar(ctx.registry.path if ctx.registry else None))


def day_of(doc: m.Document) -> date | None:
    """The publication date a page shows, else the date its list shows."""
    return doc.publish_date or doc.list_date


def _views(ctx: AuditContext) -> list[DepartmentView]:
    views = department_views(ctx)
    if not views:
        raise SkipCheck("本次抓取没有栏目数据")
    return views


def _listed(ctx: AuditContext, dept_id: str, *conditions, columns: Iterable[int] | None = None
            ) -> list[tuple[Any, set[int]]]:
    """(document, ids of the columns listing it) for the department's documents matching `conditions`, by URL.

    Only the documents a check can judge come from the database (the conditions are SQL prefilters), each
    with the columns listing it — or, given `columns`, only the documents listed in those columns, with those."""
    doc = m.Document
    stmt = select(doc.id, doc.department_id, doc.url, doc.title, doc.doc_number, doc.written_date, doc.publish_date,
                  doc.list_date, m.ListEntry.column_id).where(*conditions).order_by(doc.url, doc.id)
    # A list entry lists a document of its own run (the writer and store.carry map URLs within one run), so
    # the join is by document id alone: with run_id in it SQLite, lacking statistics, walks every entry of the run.
    on = m.ListEntry.document_id == doc.id
    if columns is None:
        stmt = stmt.where(doc.run_id == ctx.run_id, doc.department_id == dept_id).outerjoin(m.ListEntry, on)
    else:  # from the few entries of these columns (ix_list_entries_column_id), not every document of the department
        stmt = stmt.select_from(m.ListEntry).join(doc, on).where(m.ListEntry.column_id.in_(list(columns)))
    out: list[tuple[Any, set[int]]] = []
    for row in ctx.session.execute(stmt):
        if row.department_id != dept_id:
            continue
        if not out or out[-1][0].id != row.id:
            out.append((row, set()))
        if row.column_id is not None:
            out[-1][1].add(row.column_id)
    return out


def _published_between(since: date, until: date):
    """SQL: the day a page shows (day_of) lies in [since, until]."""
    day = func.coalesce(m.Document.publish_date, m.Document.list_date)
    return day.is_not(None), day >= since, day <= until


def _governing(view: DepartmentView) -> dict[int, Any]:
    """column id → the catalog item of the column or of its nearest matched ancestor."""
    by_column = {mt.column.id: mt.item for mt in view.matches.values()}
    parents = {c.id: c.parent_id for c in view.columns}
    out = {}
    for column in view.columns:
        node, hops = column.id, 0
        while node is not None and node not in by_column and hops < 20:
            node, hops = parents.get(node), hops + 1
        if node in by_column:
            out[column.id] = by_column[node]
    return out


def _with_note(evidence: dict[str, Any], cal: WorkCalendar, *days: date) -> dict[str, Any]:
    note = cal.note(*days)
    return {**evidence, "calendar_note": note} if note else evidence


@register
class StaleColumnCheck(Check):
    """栏目不更新"""

    id = "timeliness.stale_column"
    severity = Severity.MEDIUM
    rule = ("栏目应按规定更新：动态类 2 周、通知公告和政策文件类 6 个月未更新属不更新栏目，10 个及以上单项否决"
            "（国办秘函〔2019〕19号）；人事、规划计划类 1 年（检查实践）；未标注日期的信息视为未更新")
    defaults: dict[str, Any] = {"stale_after_days": {}}  # catalog item id → days, overriding the catalog

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        overrides = dict(self.settings["stale_after_days"] or {})
        for view in _views(ctx):
            for item_id, match in view.matches.items():
                limit = overrides.get(item_id, match.item.stale_after_days)
                if not limit:
                    continue
                count, newest = view.newest(match.column)
                if count == 0 or (newest is not None and newest > ctx.as_of):
                    continue  # empty columns are coverage.empty_column's; future dates are not judged here
                age = (ctx.as_of - newest).days if newest else None
                if age is not None and age <= limit:
                    continue
                partial = view.incomplete(match.column)
                if partial is not None:  # the newer entries may be in the part of the list not read
                    yield view.unjudged(self.id, partial, item_id, newest_date=newest.isoformat() if newest else None,
                                        stale_after_days=int(limit))
                    continue
                yield finding(check=self.id, department=view.dept.id, url=view.page(match.column), item=item_id,
                              kind="stale" if newest else "undated", evidence={
                                  "column": match.column.name, "page": view.page(match.column),
                                  "newest_date": newest.isoformat() if newest else None, "age_days": age,
                                  "stale_after_days": int(limit), "documents": count, "match": match.evidence()})


@register
class LatePublicationCheck(Check):
    """信息发布不及时"""

    id = "timeliness.late_publication"
    severity = Severity.MEDIUM
    rule = "政府信息应自形成或者变更之日起 20 个工作日内予以公开（政府信息公开条例 第26条）；目录事项另有时限的从其规定"
    defaults = {"publish_within_workdays": 20, "window_days": 365}

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        cal = _calendar(ctx)
        since = ctx.as_of - timedelta(days=int(self.settings["window_days"]))
        default = int(self.settings["publish_within_workdays"])
        for view in _views(ctx):
            governing = _governing(view)
            # a late document stays a finding: it stands on its own page; a column whose list was not read
            # whole is recorded as only partly judged
            for column in view.incomplete_columns():
                item = governing.get(column.id)
                yield view.unjudged(self.id, column, item.id if item else None)
            # a document can be late only if it shows a 成文日期 and was published in the window
            judged = _listed(ctx, view.dept.id, m.Document.written_date.is_not(None),
                             *_published_between(since, ctx.as_of))
            for doc, listed in judged:
                published = day_of(doc)
                if (doc.written_date is None or published is None or not since <= published <= ctx.as_of
                        or doc.written_date > published or is_repost(doc.title)):
                    continue
                items = [governing[c] for c in listed if c in governing]
                limited = sorted((i for i in items if i.publish_within_workdays),
                                 key=lambda i: i.publish_within_workdays)
                limit = limited[0].publish_within_workdays if limited else default
                if (published - doc.written_date).days <= limit:
                    continue  # working days never outnumber calendar days
                took = cal.workdays_between(doc.written_date, published)
                if took <= limit:
                    continue
                item = limited[0] if limited else (items[0] if items else None)
                yield finding(check=self.id, department=view.dept.id, url=doc.url, item=item.id if item else None,
                              kind="late", evidence=_with_note({
                                  "title": doc.title, "doc_number": doc.doc_number,
                                  "written_date": doc.written_date.isoformat(), "publish_date": published.isoformat(),
                                  "workdays": took, "limit_workdays": limit,
                                  "limit_source": f"目录事项“{limited[0].name}”" if limited else "条例第26条"},
                                  cal, doc.written_date, published))


_REPORT = re.compile(r"((?:19|20)\d\d)\s*年(?:度)?.{0,30}?(?:政府信息公开|政务公开).{0,12}?(?:年度报告|年报|工作报告)")
_REPORT_IN_COLUMN = re.compile(r"((?:19|20)\d\d)\s*年.{0,40}?(?:报告|年报)")


def report_year(title: str, in_report_column: bool = False) -> int | None:
    found = _REPORT.search(title or "") or (_REPORT_IN_COLUMN.search(title or "") if in_report_column else None)
    return int(found.group(1)) if found else None


def _month_day(value: str, name: str) -> tuple[int, int]:
    from checks.base import CheckConfigError

    try:
        month, day = (int(p) for p in str(value).split("-"))
        date(2000, month, day)
    except ValueError:
        raise CheckConfigError(f"检查项 timeliness.annual_report 的 {name} 应为 MM-DD（实际为 {value!r}）") from None
    return month, day


@register
class AnnualReportCheck(Check):
    """政府信息公开年报未按时发布"""

    id = "timeliness.annual_report"
    severity = Severity.HIGH
    rule = ("各级人民政府部门应于每年 1 月 31 日前、各级人民政府应于每年 3 月 31 日前公布上一年度政府信息公开工作年度报告"
            "（政府信息公开条例 第49条）")
    defaults = {"department_deadline": "01-31", "government_deadline": "03-31"}

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for view in _views(ctx):
            key = "department_deadline" if view.dept.kind == "department" else "government_deadline"
            month, day = _month_day(self.settings[key], key)
            due = date(ctx.as_of.year, month, day)
            if ctx.as_of <= due:  # this year's report is not due yet: judge last year's deadline
                due = date(ctx.as_of.year - 1, month, day)
            year = due.year - 1
            match = next((mt for mt in view.matches.values() if mt.item.annual_report), None)
            report_columns = {c.id for c in view.subtree(match.column)} if match else set()
            # both report patterns need 年 followed by 报: titles without them are never read
            reports = sorted((d for d, listed in _listed(ctx, view.dept.id, m.Document.title.like("%年%报%"))
                              if report_year(d.title, bool(listed & report_columns)) == year),
                             key=lambda d: (day_of(d) or date.max, d.url))
            base = {"year": year, "deadline": due.isoformat(), "department_kind": view.dept.kind,
                    "column": match.column.name if match else None}
            item = match.item.id if match else None
            if not reports:
                yield finding(check=self.id, department=view.dept.id, url=view.page(match.column if match else None),
                              item=item, kind="missing", evidence=base)
                continue
            first = reports[0]
            published = day_of(first)
            if published is not None and published > due:
                yield finding(check=self.id, department=view.dept.id, url=first.url, item=item, kind="late",
                              evidence={**base, "title": first.title, "publish_date": published.isoformat(),
                                        "days_late": (published - due).days})


INTERPRETATION_WORDS = ("解读", "图解", "一图读懂", "一图看懂", "答记者问")
_INTERPRETATION = re.compile("|".join(INTERPRETATION_WORDS))
_BOOK = re.compile(r"《(.+?)》")
_AROUND = re.compile(r"^(?:一图读懂|一图看懂|图解|关于)|(?:的)?(?:政策)?(?:解读|图解)(?:材料)?$")


def is_interpretation(title: str) -> bool:
    return bool(_INTERPRETATION.search(title or ""))


def interpreted_title(interpretation: str) -> str:
    """The normalised title of the policy a 解读 names (its 《…》, else its title without the 解读 words)."""
    book = _BOOK.search(interpretation or "")
    return normalise(book.group(1) if book else _AROUND.sub("", interpretation or ""))


def policy_keys(policy: str) -> tuple[set[str], str]:
    """(the names a 解读 may give the policy titled `policy`, its normalised title)."""
    whole = normalise(policy)
    return {whole} | {normalise(b) for b in _BOOK.findall(policy or "")}, whole


def interprets(interpretation: str, policy: str) -> bool:
    """Does the 解读 titled `interpretation` explain the policy titled `policy`?"""
    inner, (names, whole) = interpreted_title(interpretation), policy_keys(policy)
    return bool(inner) and (inner in names or (len(inner) >= 8 and inner in whole))


def _linked_with(ctx: AuditContext, pages: list[str], others: set[str]) -> dict[str, set[str]]:
    """page → those of `others` it links to or is linked from, over the run's links (both ways by index)."""
    found: dict[str, set[str]] = defaultdict(set)
    for chunk in in_chunks(pages):
        for source, target in ctx.session.execute(select(m.Link.source_url, m.Link.target_url).where(
                m.Link.run_id == ctx.run_id, m.Link.source_url.in_(chunk))):
            if target in others:
                found[source].add(target)
        # tag is not in the (run_id, source_url, target_url) index: lacking statistics, SQLite would otherwise
        # prefer walking that covering index over every link of the run to seeking ix_links_run_target
        for source, target, _ in ctx.session.execute(select(m.Link.source_url, m.Link.target_url, m.Link.tag).where(
                m.Link.run_id == ctx.run_id, m.Link.target_url.in_(chunk))):
            if source in others:
                found[target].add(source)
    return found


class _Interpretations:
    """A department's 解读 pages, found for a policy by a link either way or by the policy title they name."""

    def __init__(self, docs: list[Any]) -> None:
        self.by_url = {d.url: d for d in docs}
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        self.long: list[tuple[str, Any]] = []  # names long enough to be found inside a policy title
        for d in docs:
            inner = interpreted_title(d.title)
            if inner:
                self.by_name[inner].append(d)
                if len(inner) >= 8:
                    self.long.append((inner, d))

    def of(self, policy: Any, linked: set[str]) -> list[Any]:
        """As interprets() decides, plus the linked ones; earliest first."""
        names, whole = policy_keys(policy.title)
        found = {url: self.by_url[url] for url in linked if url in self.by_url}
        found.update((d.url, d) for name in names for d in self.by_name.get(name, ()))
        found.update((d.url, d) for inner, d in self.long if inner in whole)
        return sorted(found.values(), key=lambda d: (day_of(d), d.url))


@register
class InterpretationCheck(Check):
    """政策解读不及时或缺失"""

    id = "timeliness.interpretation"
    severity = Severity.MEDIUM
    rule = ("政策文件的解读材料应在文件公开后 3 个工作日内发布，并与文件相互关联（扬州 细则，seed 002）；"
            "目录事项要求解读的文件没有解读即为缺失")
    defaults = {"within_workdays": 3, "window_days": 365, "numbered_only": True}

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        cal = _calendar(ctx)
        within = int(self.settings["within_workdays"])
        since = ctx.as_of - timedelta(days=int(self.settings["window_days"]))
        for view in _views(ctx):
            governing = {c: i for c, i in _governing(view).items() if i.requires_interpretation}
            if not governing:
                continue
            explained = _Interpretations([d for d, _ in _listed(ctx, view.dept.id, or_(
                *(m.Document.title.like(f"%{w}%") for w in INTERPRETATION_WORDS))) if is_interpretation(d.title)
                and day_of(d)])
            judged = []
            for doc, listed in _listed(ctx, view.dept.id, columns=governing):
                items = [governing[c] for c in listed if c in governing]
                published = day_of(doc)
                if (not items or published is None or not since <= published <= ctx.as_of or is_repost(doc.title)
                        or is_interpretation(doc.title) or (self.settings["numbered_only"] and not doc.doc_number)):
                    continue
                judged.append((doc, items, published))
            links = _linked_with(ctx, [doc.url for doc, _, _ in judged], set(explained.by_url))
            for doc, items, published in judged:
                found = explained.of(doc, links.get(doc.url, set()))
                base = {"title": doc.title, "doc_number": doc.doc_number, "publish_date": published.isoformat(),
                        "within_workdays": within}
                if not found:
                    if cal.add_workdays(published, within) >= ctx.as_of:
                        continue  # its interpretation may still come in time
                    yield finding(check=self.id, department=view.dept.id, url=doc.url, item=items[0].id,
                                  kind="missing", evidence=base)
                    continue
                if (day_of(found[0]) - published).days <= within:
                    continue  # in time (or before the policy): working days never outnumber calendar days
                took = cal.workdays_between(published, day_of(found[0]))
                if took > within:
                    yield finding(check=self.id, department=view.dept.id, url=doc.url, item=items[0].id, kind="late",
                                  evidence=_with_note({**base, "interpretation_url": found[0].url,
                                                       "interpretation_title": found[0].title,
                                                       "interpretation_date": day_of(found[0]).isoformat(),
                                                       "workdays": took}, cal, published, day_of(found[0])))
