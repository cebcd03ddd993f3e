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

from sqlalchemy import select

from checks.base import Check, Finding, Severity, SkipCheck
from checks.calendar import WorkCalendar, work_calendar
from checks.context import AuditContext
from checks.registry import register
from checks.rules.coverage import DepartmentView, department_views, finding, normalise
from checks.rules.repost import is_repost
from store import models as m


def _calendar(ctx: AuditContext) -> WorkCalendar:
    return work_calendar(ctx.registry.path if ctx.registry is not None else None)


def day_of(doc: m.Document) -> date | None:
    """The publication date a page shows, else the date its list shows."""
    return doc.publish_date or doc.list_date


def _views(ctx: AuditContext) -> list[DepartmentView]:
    views = department_views(ctx)
    if not views:
        raise SkipCheck("本次抓取没有栏目数据")
    return views


def _documents(ctx: AuditContext, dept_id: str) -> list[m.Document]:
    return list(ctx.session.scalars(select(m.Document).where(
        m.Document.run_id == ctx.run_id, m.Document.department_id == dept_id).order_by(m.Document.url)))


def _listed_in(ctx: AuditContext) -> dict[int, set[int]]:
    """document id → ids of the columns listing it."""
    out: dict[int, set[int]] = defaultdict(set)
    for column_id, document_id in ctx.session.execute(select(m.ListEntry.column_id, m.ListEntry.document_id).where(
            m.ListEntry.run_id == ctx.run_id)):
        out[document_id].add(column_id)
    return out


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
        cal, listed = _calendar(ctx), _listed_in(ctx)
        since = ctx.as_of - timedelta(days=int(self.settings["window_days"]))
        default = int(self.settings["publish_within_workdays"])
        for view in _views(ctx):
            governing = _governing(view)
            for doc in _documents(ctx, view.dept.id):
                published = day_of(doc)
                if (doc.written_date is None or published is None or not since <= published <= ctx.as_of
                        or doc.written_date > published or is_repost(doc.title)):
                    continue
                items = [governing[c] for c in listed.get(doc.id, ()) if c in governing]
                limited = sorted((i for i in items if i.publish_within_workdays),
                                 key=lambda i: i.publish_within_workdays)
                limit = limited[0].publish_within_workdays if limited else default
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
        listed = _listed_in(ctx)
        for view in _views(ctx):
            key = "department_deadline" if view.dept.kind == "department" else "government_deadline"
            month, day = _month_day(self.settings[key], key)
            due = date(ctx.as_of.year, month, day)
            if ctx.as_of <= due:  # this year's report is not due yet: judge last year's deadline
                due = date(ctx.as_of.year - 1, month, day)
            year = due.year - 1
            match = next((mt for mt in view.matches.values() if mt.item.annual_report), None)
            report_columns = {c.id for c in view.subtree(match.column)} if match else set()
            reports = sorted((d for d in _documents(ctx, view.dept.id)
                              if report_year(d.title, bool(listed.get(d.id, set()) & report_columns)) == year),
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


_INTERPRETATION = re.compile(r"解读|图解|一图读懂|一图看懂|答记者问")
_BOOK = re.compile(r"《(.+?)》")
_AROUND = re.compile(r"^(?:一图读懂|一图看懂|图解|关于)|(?:的)?(?:政策)?(?:解读|图解)(?:材料)?$")


def is_interpretation(title: str) -> bool:
    return bool(_INTERPRETATION.search(title or ""))


def interprets(interpretation: str, policy: str) -> bool:
    """Does the 解读 titled `interpretation` explain the policy titled `policy`?"""
    book = _BOOK.search(interpretation or "")
    inner = normalise(book.group(1) if book else _AROUND.sub("", interpretation or ""))
    if not inner:
        return False
    keys = {normalise(policy)} | {normalise(b) for b in _BOOK.findall(policy or "")}
    return inner in keys or (len(inner) >= 8 and inner in normalise(policy))


@register
class InterpretationCheck(Check):
    """政策解读不及时或缺失"""

    id = "timeliness.interpretation"
    severity = Severity.MEDIUM
    rule = ("政策文件的解读材料应在文件公开后 3 个工作日内发布，并与文件相互关联（扬州 细则，seed 002）；"
            "目录事项要求解读的文件没有解读即为缺失")
    defaults = {"within_workdays": 3, "window_days": 365, "numbered_only": True}

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        cal, listed = _calendar(ctx), _listed_in(ctx)
        within = int(self.settings["within_workdays"])
        since = ctx.as_of - timedelta(days=int(self.settings["window_days"]))
        links = set(ctx.session.execute(
            select(m.Link.source_url, m.Link.target_url).where(m.Link.run_id == ctx.run_id)))
        for view in _views(ctx):
            governing = {c: i for c, i in _governing(view).items() if i.requires_interpretation}
            if not governing:
                continue
            docs = _documents(ctx, view.dept.id)
            explained = [d for d in docs if is_interpretation(d.title) and day_of(d)]
            for doc in docs:
                items = [governing[c] for c in listed.get(doc.id, ()) if c in governing]
                published = day_of(doc)
                if (not items or published is None or not since <= published <= ctx.as_of or is_repost(doc.title)
                        or is_interpretation(doc.title) or (self.settings["numbered_only"] and not doc.doc_number)):
                    continue
                found = sorted((d for d in explained if (d.url, doc.url) in links or (doc.url, d.url) in links
                                or interprets(d.title, doc.title)), key=lambda d: (day_of(d), d.url))
                base = {"title": doc.title, "doc_number": doc.doc_number, "publish_date": published.isoformat(),
                        "within_workdays": within}
                if not found:
                    if cal.add_workdays(published, within) >= ctx.as_of:
                        continue  # its interpretation may still come in time
                    yield finding(check=self.id, department=view.dept.id, url=doc.url, item=items[0].id,
                                  kind="missing", evidence=base)
                    continue
                took = cal.workdays_between(published, day_of(found[0]))
                if took > within:
                    yield finding(check=self.id, department=view.dept.id, url=doc.url, item=items[0].id, kind="late",
                                  evidence=_with_note({**base, "interpretation_url": found[0].url,
                                                       "interpretation_title": found[0].title,
                                                       "interpretation_date": day_of(found[0]).isoformat(),
                                                       "workdays": took}, cal, published, day_of(found[0])))
