"""Pure parsing functions: saved HTML or bytes in, frozen dataclasses out; no network, no I/O."""

from __future__ import annotations

from .dates import parse_date, parse_datetime
from .docpage import (
    ATTACHMENT_EXTENSIONS,
    DocumentPage,
    PageLink,
    extract_links,
    looks_like_attachment,
    parse_document_page,
)
from .encoding import decode_body
from .filekind import FileKind, classify_file
from .listpage import ListItem, ListPage, NavLink, parse_list_page
from .soft404 import is_soft_404

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "DocumentPage",
    "FileKind",
    "ListItem",
    "ListPage",
    "NavLink",
    "PageLink",
    "classify_file",
    "decode_body",
    "extract_links",
    "is_soft_404",
    "looks_like_attachment",
    "parse_date",
    "parse_datetime",
    "parse_document_page",
    "parse_list_page",
]
