"""Catalog coverage: every required catalog item has a column (coverage.missing_column) and no column is
an unexplained blank (coverage.empty_column). The column ↔ item matching here serves the timeliness
checks too.

Matching runs in passes of decreasing strength — exact name, alias, normalised name (spaces and
punctuation dropped, full-width folded), then fuzzy similarity above a threshold — over every column
of the department's tree (nested ones too, also under their parent's name), and one column serves one
item. Each match records how it was made, so a person can see why.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from rapidfuzz import fuzz
from sqlalchemy import select

from checks.base import Check, Finding, Severity, SkipCheck, Unjudged
from checks.context import AuditContext, incomplete_trees
from checks.registry import register
from store import models as m
from store.registry import Catalog, CatalogItem, builtin_catalogs, load_catalog

FUZZY_THRESHOLD = 80  # rapidfuzz ratio (0–100) on normalised names
PASSES = ("exact", "alias", "normalised", "fuzzy")


@dataclass(frozen=True)
class AuditDepartment:
    id: str
    name: str
    kind: str
    catalog: Catalog | None
    url: str | None


def audit_departments(ctx: AuditContext) -> list[AuditDepartment]:
    """The run's departments with their catalogs: from the registry, else from the stored registry copy
    and the built-in catalogs."""
    return ctx.memo("audit_departments", lambda: _audit_departments(ctx))


def _audit_departments(ctx: AuditContext) -> list[AuditDepartment]:
    rows = {d.id: d for d in ctx.session.scalars(select(m.Department).where(m.Department.id.in_(ctx.department_ids)))}
    out = []
    for dept_id in ctx.department_ids:
        if ctx.registry is not None:
            try:
                entry = ctx.registry.department(dept_id)
            except KeyError:
                continue
            out.append(AuditDepartment(entry.id, entry.name, entry.kind, ctx.registry.catalogs.get(entry.catalog),
                                       entry.url))
        elif dept_id in rows:
            row = rows[dept_id]
            path = builtin_catalogs().get(row.catalog or "")
            catalog = load_catalog(path) if path else None
            out.append(AuditDepartment(row.id, row.name, row.kind, catalog, row.url))
    return out


def finding(**fields: Any) -> Finding:
    """A Finding whose evidence also says its kind, for readers of the stored evidence."""
    fields["evidence"] = {"kind": fields["kind"], **fields.get("evidence", {})}
    return Finding(**fields)


class _Dropped(dict):
    """str.translate table: white space, punctuation, symbols and separators (Unicode categories P, S, Z)
    map to None, every other character to itself; filled in as characters are first seen."""

    def __missing__(self, codepoint: int) -> int | None:
        char = chr(codepoint)
        value = None if char.isspace() or unicodedata.category(char)[0] in "PSZ" else codepoint
        self[codepoint] = value
        return value


_DROPPED = _Dropped()


def normalise(name: str) -> str:
    """Compare names without spaces, punctuation or symbols, with full-width forms folded (NFKC)."""
    # one C-level translate per title: the repost and interpretation checks normalise every document title
    return unicodedata.normalize("NFKC", name or "").lower().translate(_DROPPED)


@dataclass(frozen=True)
class ColumnMatch:
    item: CatalogItem
    column: m.Column
    how: str  # exact | alias | normalised | fuzzy
    score: float  # 100 except for fuzzy
    matched: str  # the item name or alias that matched
    column_name: str  # the column's name, or "parent/child" when matched under its parent's name

    def evidence(self) -> dict[str, Any]:
        return {"item": self.item.id, "item_name": self.item.name, "column": self.column.name,
                "column_url": self.column.url, "how": self.how, "matched": self.matched,
                "as_named": self.column_name, "score": round(self.score, 1)}


def _column_names(column: m.Column, parent: m.Column | None) -> list[str]:
    names = [column.name]
    if parent is not None and parent.depth > 0:
        names.append(f"{parent.name}/{column.name}")
    return names


def _pair(item: CatalogItem, names: list[str], how: str, threshold: float) -> tuple[float, str, str] | None:
    """(score, item name matched, column name) when this pass matches, else None."""
    targets = [item.name, *item.aliases]
    if how == "exact":
        return (100.0, item.name, names[0]) if names[0].strip() == item.name else None
    if how == "alias":
        return (100.0, names[0].strip(), names[0]) if names[0].strip() in item.aliases else None
    best: tuple[float, str, str] | None = None
    for name in names:
        for target in targets:
            a, b = normalise(name), normalise(target)
            if not a or not b:
                continue
            score = 100.0 if a == b else (fuzz.ratio(a, b) if how == "fuzzy" else 0.0)
            if (how == "normalised" and a == b) or (how == "fuzzy" and score >= threshold):
                if best is None or score > best[0]:
                    best = (score, target, name)
    return best


def match_catalog(items: Iterable[CatalogItem], columns: list[m.Column], parents: dict[int, m.Column],
                  threshold: float = FUZZY_THRESHOLD) -> dict[str, ColumnMatch]:
    """item id → the column serving it. Stronger passes first; within a pass the best score, then the
    shallower column, wins; a column serves at most one item."""
    items = list(items)
    matches: dict[str, ColumnMatch] = {}
    used: set[int] = set()
    order = {c.id: i for i, c in enumerate(columns)}
    for how in PASSES:
        candidates = []
        for i, item in enumerate(items):
            if item.id in matches:
                continue
            for column in columns:
                if column.id in used:
                    continue
                found = _pair(item, _column_names(column, parents.get(column.parent_id or -1)), how, threshold)
                if found:
                    candidates.append((-found[0], column.depth, order[column.id], i, item, column, found))
        for *_, item, column, (score, matched, as_named) in sorted(candidates, key=lambda c: c[:4]):
            if item.id not in matches and column.id not in used:
                matches[item.id] = ColumnMatch(item, column, how, score, matched, as_named)
                used.add(column.id)
    return matches


@dataclass
class DepartmentView:
    """One department's column tree in a run, matched to its catalog."""

    dept: AuditDepartment
    columns: list[m.Column]
    root: m.Column | None
    matches: dict[str, ColumnMatch]
    pages: dict[str, str] = field(default_factory=dict)  # column key → URL of its first list page
    children: dict[int, list[m.Column]] = field(default_factory=dict)

    def page(self, column: m.Column | None) -> str | None:
        if column is None:
            return self.dept.url
        return self.pages.get(column.url, column.url)

    def item_of(self, column: m.Column) -> str | None:
        return next((i for i, mt in self.matches.items() if mt.column.id == column.id), None)

    def subtree(self, column: m.Column) -> list[m.Column]:
        out, stack = [], [column]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children.get(node.id, []))
        return out

    def newest(self, column: m.Column) -> tuple[int, date | None]:
        """(documents listed, newest list date) over the column and its sub-columns."""
        nodes = self.subtree(column)
        dates = [n.newest_date for n in nodes if n.newest_date]
        return sum(n.item_count for n in nodes), max(dates) if dates else None

    def incomplete(self, column: m.Column) -> m.Column | None:
        """The first column of `column`'s subtree whose list was not read completely, else None."""
        return next((n for n in self.subtree(column) if n.complete is False), None)

    def incomplete_columns(self) -> list[m.Column]:
        return [c for c in self.columns if c.complete is False]

    def unjudged(self, check: str, column: m.Column, item: str | None = None, **evidence: Any) -> Unjudged:
        """`column` (or the sub-column `column` was judged with) recorded as 未能完整抓取 for `check`."""
        return Unjudged(check=check, department=self.dept.id, column=column.url, reason=column.incomplete_reason
                        or "short", column_name=column.name, url=self.page(column), item=item,
                        evidence={**completeness_evidence(column), **evidence})

    def match_table(self) -> list[dict[str, Any]]:
        return [mt.evidence() for mt in self.matches.values()]


def completeness_evidence(column: m.Column) -> dict[str, Any]:
    """What the crawler read of a column's list, for 未能完整抓取 records (docs/completeness.md)."""
    return {"column": column.name, "column_url": column.url, "declared_total": column.declared_total,
            "crawled": column.item_count, "declared_pages": column.declared_pages, "pages_read": column.pages_read,
            "pages_failed": column.pages_failed, "reason": column.incomplete_reason}


def _first_pages(columns: list[m.Column]) -> dict[str, str]:
    """A column is stored under its key (…/gzdt/); the page a person opens is the first list page the
    crawl requested (Column.page_url), which is the link the site itself uses."""
    return {c.url: c.page_url for c in columns if c.page_url}


def _run_columns(ctx: AuditContext) -> dict[str, list[m.Column]]:
    """department id → its columns in this run, shallowest first (one query for the whole run)."""
    out: dict[str, list[m.Column]] = defaultdict(list)
    for column in ctx.session.scalars(select(m.Column).where(m.Column.run_id == ctx.run_id)
                                      .order_by(m.Column.department_id, m.Column.depth, m.Column.id)):
        out[column.department_id].append(column)
    return out


def department_views(ctx: AuditContext, threshold: float = FUZZY_THRESHOLD) -> list[DepartmentView]:
    """Every crawled department with a catalog; departments whose column tree was not reached are left
    to the availability checks. Built once per check run and threshold: most checks start from it."""
    return ctx.memo(("department_views", float(threshold)), lambda: _build_views(ctx, threshold))


def _build_views(ctx: AuditContext, threshold: float) -> list[DepartmentView]:
    by_department = _run_columns(ctx)
    views = []
    for dept in audit_departments(ctx):
        columns = by_department.get(dept.id, [])
        if not columns:
            continue
        by_id = {c.id: c for c in columns}
        root = next((c for c in columns if c.parent_id is None and c.depth == 0), None)
        children: dict[int, list[m.Column]] = defaultdict(list)
        for c in columns:
            if c.parent_id in by_id:
                children[c.parent_id].append(c)
        candidates = [c for c in columns if c is not root]
        matches = match_catalog(dept.catalog.items, candidates, by_id, threshold) if dept.catalog else {}
        views.append(DepartmentView(dept, columns, root, matches, _first_pages(columns), dict(children)))
    return views


# --- the checks ---------------------------------------------------------------------------------

@register
class MissingColumnCheck(Check):
    """目录事项缺少对应栏目"""

    id = "coverage.missing_column"
    severity = Severity.MEDIUM
    rule = ("政务公开标准目录中的每个主动公开事项都应有相应栏目进行公开（国办发〔2019〕54号；凯里 方案，seed 004）；"
            "专栏设置政府信息公开指南、制度、法定主动公开内容、年报（国办公开办函〔2019〕61号）")
    defaults = {"fuzzy_threshold": FUZZY_THRESHOLD}

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        views = department_views(ctx, float(self.settings["fuzzy_threshold"]))
        if not any(v.dept.catalog for v in views):
            raise SkipCheck("本次抓取的单位均未配置目录或未抓取到栏目")
        for view in views:
            if view.dept.catalog is None:
                continue
            candidates = [c for c in view.columns if c is not view.root]
            tree = incomplete_trees(ctx).get(view.dept.id)
            for item in view.dept.catalog.items:
                if not item.required or item.id in view.matches:
                    continue
                if tree is not None:  # the column may be among those the crawl could not read
                    yield Unjudged(check=self.id, department=view.dept.id, column=None, reason="tree",
                                   column_name=None, url=view.page(view.root), item=item.id, evidence={
                                       "item": item.id, "item_name": item.name, "tree_reason": tree,
                                       "columns_searched": len(candidates)})
                    continue
                yield finding(check=self.id, department=view.dept.id, url=view.page(view.root), kind="missing",
                              item=item.id, evidence={
                                  "item": item.id, "item_name": item.name, "aliases": list(item.aliases),
                                  "catalog": view.dept.catalog.id, "columns_searched": len(candidates),
                                  "nearest": _nearest(item, candidates), "matched": view.match_table()})


def _nearest(item: CatalogItem, columns: list[m.Column]) -> dict[str, Any] | None:
    """The most similar column name, to show why it did not count."""
    scored = [(max(fuzz.ratio(normalise(c.name), normalise(t)) for t in (item.name, *item.aliases)), c)
              for c in columns if normalise(c.name)]
    if not scored:
        return None
    score, column = max(scored, key=lambda s: (s[0], -s[1].id))
    return {"column": column.name, "column_url": column.url, "score": round(score, 1)}


# A note excuses an empty column only when it says why (本单位无此类信息, 不涉及…); a bare placeholder
# such as 暂无信息 is what a CMS prints for any empty list and excuses nothing.
EXCUSES = ("无此类", "不涉及", "未产生", "未发生", "无需公开", "不属于", "未开展", "未设立", "不存在此类",
           "职责", "职能", "特此说明")
_PLACEHOLDER = re.compile(r"^(暂无|暂时没有|目前没有|没有|无)(相关|此类)?(信息|内容|数据|记录|文章|文件)?[。.!！]?$")


def excuse_of(note: str | None, excuses: Iterable[str] = EXCUSES) -> str | None:
    """The phrase of `note` that explains an empty column, or None."""
    text = re.sub(r"\s+", "", note or "")
    if not text or _PLACEHOLDER.match(text):
        return None
    return next((e for e in excuses if e in text), None)


@register
class EmptyColumnCheck(Check):
    """空白栏目"""

    id = "coverage.empty_column"
    severity = Severity.MEDIUM
    rule = ("栏目不得空白：确无信息的栏目须在页面作出说明（政府信息公开目录空白栏目规则，2015）；"
            "空白栏目 5 个及以上单项否决（国办秘函〔2019〕19号）")
    defaults = {"excuses": list(EXCUSES)}

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        views = department_views(ctx)
        if not views:
            raise SkipCheck("本次抓取没有栏目数据")
        for view in views:
            for column in view.columns:
                if column is view.root or view.children.get(column.id) or column.item_count > 0:
                    continue
                if excuse_of(column.note, self.settings["excuses"]):
                    continue
                item = view.item_of(column)
                if column.complete is False:  # its list says it has entries, or could not be read
                    yield view.unjudged(self.id, column, item)
                    continue
                parent = next((c for c in view.columns if c.id == column.parent_id), None)
                yield finding(check=self.id, department=view.dept.id, url=view.page(column),
                              kind="placeholder" if column.note else "blank", item=item, evidence={
                                  "column": column.name, "column_url": column.url, "page": view.page(column),
                                  "parent": parent.name if parent is not None and parent is not view.root else None,
                                  "note": column.note, "item": item,
                                  "match": view.matches[item].evidence() if item else None})
