"""A document as plain blocks (headings, paragraphs, tables, figures), rendered alike to DOCX and HTML.

The wording of a bulletin or report is composed once into these blocks; reports/docx_gongwen.py and the
bulletin_base.html.j2 template only lay them out, so the DOCX, HTML and PDF always say the same thing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Union
from urllib.parse import unquote

URL_RE = re.compile(r"https?://[^\s，。；、“”（）《》]+")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、(黑体)  2: （一）(楷体)


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # a run-in heading such as "（一）抽查对象。" set in 楷体
    align: str = "justify"  # justify | center | right | left (left: no first-line indent)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative widths; DOCX scales them to the text area
    url_columns: tuple[int, ...] = ()  # columns holding page addresses (links in HTML, small type in DOCX)
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    width_cm: float = 15.0


Block = Union[Heading, Para, Table, Figure]


@dataclass(frozen=True)
class Annex:
    label: str  # 附件1
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str
    body: tuple[Block, ...]
    issuer_mark: str = ""  # 发文机关标志 (red, above the title); empty: none
    subtitle: str = ""  # a line under the title (e.g. 基准日), centred, 楷体
    addressees: str = ""  # 主送机关
    signature: str = ""  # 发文机关署名
    signed_on: date | None = None  # 成文日期
    note: str = ""  # 附注, e.g. （此件公开发布）
    annexes: tuple[Annex, ...] = field(default_factory=tuple)
    doc_number: str = ""  # 发文字号, e.g. 柳公开办〔2026〕3号, under the 发文机关标志
    sealed: bool = True  # 落款 with a seal: 成文日期 右空四字, 署名 centred over it; without: 署名 右空二字
    copy_to: tuple[str, ...] = ()  # 版记: 抄送机关
    printer: str = ""  # 版记: 印发机关
    printed_on: date | None = None  # 版记: 印发日期

    @property
    def annex_list(self) -> tuple[str, ...]:
        """The 附件说明 lines under the body: "1. 标题" when several, the bare title when one."""
        if len(self.annexes) == 1:
            return (self.annexes[0].title,)
        return tuple(f"{i}. {a.title}" for i, a in enumerate(self.annexes, start=1))


def cn_date(value: date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros."""
    return f"{value.year}年{value.month}月{value.day}日"


def percent(numerator: int, denominator: int) -> str:
    if not denominator:
        return "—"
    value = 100 * numerator / denominator
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def readable_url(url: str) -> str:
    """A percent-encoded address as people read it (…/2023年招生计划.pdf). Only escapes of non-ASCII text
    are decoded, so %2F, %20, %3F keep their meaning and the address still works when clicked."""
    def decode(match: re.Match) -> str:
        try:
            text = unquote(match.group(0), errors="strict")
        except UnicodeDecodeError:
            return match.group(0)
        return text if all(ord(ch) > 127 for ch in text) else match.group(0)

    return _ESCAPES.sub(decode, url)


def readable_urls(text: str) -> str:
    return URL_RE.sub(lambda match: readable_url(match.group(0)), text)


def without_category(message: str, title: str) -> str:
    """Finding messages start with their category ("链接不可用：…"); inside that category it is redundant."""
    head, sep, rest = message.partition("：")
    if sep and (head == title or (len(head) <= 12 and not any(ch in head for ch in "《“/:0123456789"))):
        return rest
    return message
