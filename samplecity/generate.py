"""Turns data.py into dated documents relative to an anchor day, deterministically.

A department's documents are its columns' generated documents (with data.PLANTS applied), one 解读
per policy document of a column another column `explains`, and its reposts of the upstream feeds'
recent documents (data.REPOSTS overriding the default of a repost a few hours later). Working-day
offsets use checks.calendar, so planted boundaries (exactly 20 working days …) hold for any anchor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from . import texts
from .model import Column, Department, DocPlant, Repost, Upstream


@dataclass
class Doc:
    dept_id: str
    column: Column
    path: str  # column path, e.g. "czyjs/bmys"
    index: int  # 0 = the newest document of its column
    title: str
    published: datetime
    written: date  # 成文日期
    number: str  # 文号, "" when the document has none
    index_no: str  # 索引号
    topic_class: str  # 主题分类
    paragraphs: tuple[str, ...]
    topic: str
    id: int = 0
    url: str = ""  # unencoded path, set by the site from the style
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (text, unencoded url)
    images: list[tuple[str, str]] = field(default_factory=list)  # (alt, unencoded url)
    key: str = ""  # stable name for the ground truth: "<path>/<n>", "<path>/jd:<key>", "<path>/zz:<feed>/<n>"
    repost: bool = False  # a repost of an upstream document (keeps the upstream's 文号)


@lru_cache(maxsize=1)
def calendar():
    from checks.calendar import WorkCalendar

    return WorkCalendar()


def walk(columns: tuple[Column, ...], parent: str = "") -> list[tuple[str, Column]]:
    """Every column with its path, parents before their children."""
    out: list[tuple[str, Column]] = []
    for column in columns:
        path = f"{parent}/{column.code}" if parent else column.code
        out.append((path, column))
        out.extend(walk(column.children, path))
    return out


def _dates(column: Column, anchor: date) -> list[date]:
    if column.yearly:
        month, day = column.yearly
        year = anchor.year if date(anchor.year, month, day) <= anchor else anchor.year - 1
        return [date(year - i, month, day) for i in range(column.docs)]
    if column.docs == 1:
        return [anchor - timedelta(days=column.newest)]
    span = column.oldest - column.newest
    return [
        anchor - timedelta(days=column.newest + round(i * span / (column.docs - 1))) for i in range(column.docs)
    ]


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _fill(template: str, dept: Department, topic: str, day: date) -> str:
    return template.format(
        name=dept.name, short=dept.short, topic=topic, y=day.year, py=day.year - 1, y2=day.year + 2,
        m=day.month, date_cn=_cn(day),
    )


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 10, 15, 30, 40, 45))))


def _column_docs(dept: Department, path: str, column: Column, anchor: date, titles: set[str]) -> list[Doc]:
    rng = random.Random(f"{dept.id}/{path}")
    family = column.family
    templates = texts.TITLES.get(family, texts.TITLES["gzdt"])
    shift = rng.randrange(len(dept.topics))
    docs = []
    for index, day in enumerate(_dates(column, anchor)):
        for attempt in range(len(dept.topics) * len(templates)):
            topic = dept.topics[(index + shift + attempt) % len(dept.topics)]
            title = _fill(templates[(index + attempt // len(dept.topics)) % len(templates)], dept, topic, day)
            if title not in titles:
                break
        titles.add(title)
        published = _moment(rng, day)
        lag = rng.randint(2, 9) if column.numbered else (3 if column.yearly else 0)
        body = texts.BODIES.get(family, texts.BODIES["gzdt"])
        docs.append(Doc(
            dept_id=dept.id, column=column, path=path, index=index, title=title, published=published,
            written=day - timedelta(days=lag), number="", index_no="",
            topic_class=texts.TOPIC_CLASS.get(family, texts.DEFAULT_TOPIC_CLASS),
            paragraphs=tuple(_fill(p, dept, topic, day) for p in body), topic=topic, key=f"{path}/{index}",
        ))
    return docs


def _plant(doc: Doc, plant: DocPlant) -> None:
    if plant.written_workdays is not None:
        doc.written = calendar().add_workdays(doc.published.date(), -plant.written_workdays)
    doc.paragraphs += plant.extra


def _explained(dept: Department, path: str, column: Column, policies: list[Doc], plants: dict[str, DocPlant],
               anchor: date) -> list[Doc]:
    """One 解读 per policy document, published the planted number of working days after it."""
    rng = random.Random(f"{dept.id}/{path}/jd")
    out = []
    for policy in policies:
        plant = plants.get(policy.key)
        after = plant.explained_after if plant and plant.explained_after is not None else rng.choice((0, 1, 2))
        if after < 0:
            continue
        day = calendar().add_workdays(policy.published.date(), after)
        if day > anchor:
            continue
        title = texts.interpretation_title(policy.title, rng)
        out.append(Doc(
            dept_id=dept.id, column=column, path=path, index=0, title=title, published=_moment(rng, day),
            written=day, number="", index_no="", topic_class=texts.TOPIC_CLASS["zcjd"],
            paragraphs=tuple(_fill(p, dept, policy.topic, day) for p in texts.BODIES["zcjd"]), topic=policy.topic,
            key=f"{path}/jd:{policy.key}",
        ))
    return out


def _reposts(dept: Department, columns: dict[str, Column], anchor: date) -> list[Doc]:
    from . import data

    planted = {(r.feed, r.n): r for r in data.REPOSTS if r.dept == dept.id}
    out = []
    for feed in data.UPSTREAM:
        recent = upstream_documents(feed, anchor)[: len(feed.recent)]
        for n, up in enumerate(recent):
            rng = random.Random(f"{dept.id}/{feed.id}/{n}")
            plan = planted.get((feed.id, n)) or Repost(dept.id, feed.id, n, rng.randint(120, 480) / 60)
            path = plan.column or dept.repost_column
            if plan.lag_hours is None or not path:
                continue
            published = up.published + timedelta(minutes=round(plan.lag_hours * 60))
            title, number = texts.repost_title(plan.title, up.title, up.number, dept.short)
            out.append(Doc(
                dept_id=dept.id, column=columns[path], path=path, index=0, title=title, published=published,
                written=up.published.date(), number=number, index_no="", topic_class=texts.DEFAULT_TOPIC_CLASS,
                paragraphs=(f"来源：{feed.issuer}", *up.paragraphs), topic="", key=f"{path}/zz:{feed.id}/{n}",
                repost=True,
            ))
    return out


def documents(dept: Department, anchor: date) -> list[Doc]:
    """All documents of a department, each column's newest first; ids and numbers in publication order."""
    from . import data

    plants = {p.key: p for p in data.PLANTS if p.dept == dept.id}
    columns = dict(walk(dept.columns))
    titles: set[str] = set()
    by_path: dict[str, list[Doc]] = {}
    for path, column in columns.items():
        if not column.explains:
            by_path[path] = _column_docs(dept, path, column, anchor, titles)
            for doc in by_path[path]:
                if doc.key in plants:
                    _plant(doc, plants[doc.key])
    for path, column in columns.items():
        if column.explains:
            by_path[path] = _explained(dept, path, column, by_path[column.explains], plants, anchor)
    for doc in _reposts(dept, columns, anchor):
        by_path[doc.path].append(doc)
    docs: list[Doc] = []
    for path in columns:
        ordered = sorted(by_path[path], key=lambda d: d.published, reverse=True)
        for index, doc in enumerate(ordered):
            doc.index = index
        docs.extend(ordered)
    _number(dept, docs)
    return docs


def _number(dept: Department, docs: list[Doc]) -> None:
    rng = random.Random(f"{dept.id}/ids")
    next_id = dept.first_id
    per_year: dict[int, int] = {}
    numbers: dict[tuple[str, int], int] = {}
    for doc in sorted(docs, key=lambda d: (d.published, d.path, d.key)):
        doc.id = next_id
        next_id += rng.randint(1, 4)
        year = doc.published.year
        per_year[year] = per_year.get(year, 0) + 1
        doc.index_no = f"{dept.credit_code}/{year}-{per_year[year]:05d}"
        own = doc.number == texts.OWN_NUMBER
        if (doc.column.numbered and not doc.repost) or own:
            prefix = dept.doc_prefix + ("规" if doc.column.family == "zcwj" and not own else "")
            numbers[prefix, doc.written.year] = numbers.get((prefix, doc.written.year), 0) + 1
            doc.number = f"{prefix}〔{doc.written.year}〕{numbers[prefix, doc.written.year]}号"
            doc.paragraphs += (dept.name, _cn(doc.written))
            if doc.column.family == "zcwj" and not own:
                doc.paragraphs += ("（此件公开发布）",)


@dataclass
class UpstreamDoc:
    id: int
    title: str
    number: str
    published: datetime
    paragraphs: tuple[str, ...]
    url: str = ""


def upstream_documents(feed: Upstream, anchor: date) -> list[UpstreamDoc]:
    """Newest first: the `recent` documents at their planted times, then one every `older_every` days."""
    rng = random.Random(f"upstream/{feed.id}")
    out = []
    for i in range(feed.docs):
        if i < len(feed.recent):
            days, hour, minute = feed.recent[i]
            published = datetime.combine(anchor - timedelta(days=days), time(hour, minute))
        else:
            back = feed.older_from + (i - len(feed.recent)) * feed.older_every + rng.randint(0, 2)
            published = datetime.combine(anchor - timedelta(days=back),
                                         time(rng.randint(9, 19), rng.choice((5, 20, 30, 45, 50))))
        topic = feed.topics[i % len(feed.topics)]
        title = texts.UPSTREAM_TITLES[i % len(texts.UPSTREAM_TITLES)].format(topic=topic)
        out.append(UpstreamDoc(
            id=6021 - i * 7, title=title, number=f"{feed.doc_prefix}〔{published.year}〕{40 - i}号",
            published=published, paragraphs=tuple(p.format(topic=topic) for p in texts.UPSTREAM_BODY),
        ))
    return out
