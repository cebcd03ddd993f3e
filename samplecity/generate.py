"""Turns data.py into dated documents relative to an anchor day, deterministically."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from . import texts
from .model import Column, Department, Upstream


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


def documents(dept: Department, anchor: date) -> list[Doc]:
    """All documents of a department, ids and numbers assigned in publication order."""
    docs: list[Doc] = []
    titles: set[str] = set()
    for path, column in walk(dept.columns):
        rng = random.Random(f"{dept.id}/{path}")
        family = column.family
        templates = texts.TITLES.get(family, texts.TITLES["gzdt"])
        shift = rng.randrange(len(dept.topics))
        for index, day in enumerate(_dates(column, anchor)):
            for attempt in range(len(dept.topics) * len(templates)):
                topic = dept.topics[(index + shift + attempt) % len(dept.topics)]
                title = _fill(templates[(index + attempt // len(dept.topics)) % len(templates)], dept, topic, day)
                if title not in titles:
                    break
            titles.add(title)
            published = datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 10, 15, 30, 40, 45))))
            lag = rng.randint(2, 9) if column.numbered else (3 if column.yearly else 0)
            body = texts.BODIES.get(family, texts.BODIES["gzdt"])
            paragraphs = tuple(_fill(p, dept, topic, day) for p in body)
            docs.append(Doc(
                dept_id=dept.id, column=column, path=path, index=index, title=title, published=published,
                written=day - timedelta(days=lag), number="", index_no="",
                topic_class=texts.TOPIC_CLASS.get(family, texts.DEFAULT_TOPIC_CLASS),
                paragraphs=paragraphs, topic=topic,
            ))
    _number(dept, docs)
    return docs


def _number(dept: Department, docs: list[Doc]) -> None:
    rng = random.Random(f"{dept.id}/ids")
    next_id = dept.first_id
    per_year: dict[int, int] = {}
    numbers: dict[tuple[str, int], int] = {}
    for doc in sorted(docs, key=lambda d: (d.published, d.path, d.index)):
        doc.id = next_id
        next_id += rng.randint(1, 4)
        year = doc.published.year
        per_year[year] = per_year.get(year, 0) + 1
        doc.index_no = f"{dept.credit_code}/{year}-{per_year[year]:05d}"
        if doc.column.numbered:
            prefix = dept.doc_prefix + ("规" if doc.column.family == "zcwj" else "")
            numbers[prefix, doc.written.year] = numbers.get((prefix, doc.written.year), 0) + 1
            doc.number = f"{prefix}〔{doc.written.year}〕{numbers[prefix, doc.written.year]}号"
            doc.paragraphs += (dept.name, _cn(doc.written))
            if doc.column.family == "zcwj":
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
    """Newest first; roughly one provincial document every five days."""
    rng = random.Random(f"upstream/{feed.id}")
    out = []
    for i in range(feed.docs):
        day = anchor - timedelta(days=1 + i * 5 + rng.randint(0, 2))
        topic = feed.topics[i % len(feed.topics)]
        title = texts.UPSTREAM_TITLES[i % len(texts.UPSTREAM_TITLES)].format(topic=topic)
        published = datetime.combine(day, time(rng.randint(9, 19), rng.choice((5, 20, 30, 45, 50))))
        out.append(UpstreamDoc(
            id=6021 - i * 7, title=title, number=f"{feed.doc_prefix}〔{day.year}〕{40 - i}号",
            published=published, paragraphs=tuple(p.format(topic=topic) for p in texts.UPSTREAM_BODY),
        ))
    return out
