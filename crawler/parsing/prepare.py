"""Everything the spider computes from one fetched body alone, in one pure call: the page's text, the
link verdict, the masked copy kept as evidence and, for list and document pages, the parse; and the
personal data in an attachment's text.

Pure and picklable both ways, so that it can run in another process (crawler.parsepool) while the crawl
goes on; the spider's callbacks then only turn the result into items and requests.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crawler.linkcheck import Verdict, judge_response

from .docpage import DocumentPage, parse_document_page
from .encoding import decode_body
from .listpage import ListPage, parse_list_page
from .privacy import Leak, find_leaks, mask_bytes
from .textextract import extract_text

__all__ = ["HTML_TYPES", "Prepared", "attachment_leaks", "html_text", "prepare"]

HTML_TYPES = ("text/html", "application/xhtml")
LIST, DOCUMENT, CHECK = "list", "document", "check"


@dataclass(frozen=True)
class Prepared:
    page: str | None                 # the decoded HTML, None when the body is not an HTML page
    verdict: Verdict                 # judge_response(status, content type, body)
    masked: bytes | None             # the body with personal numbers masked, when a snapshot is kept
    listing: ListPage | None = None  # role "list": the parse of an HTML page whose verdict is ok (or soft 404)
    document: DocumentPage | None = None  # role "document": the parse of an HTML page below status 400
    leaks: tuple[Leak, ...] = ()     # personal data in the document's text


def html_text(body: bytes, content_type: str | None) -> str | None:
    """The body as text when it is an HTML page (by its Content-Type, or by its start when it has none)."""
    kind = (content_type or "").lower()
    if kind and not any(t in kind for t in HTML_TYPES):
        return None
    if not kind and not body[:1024].lstrip().lower().startswith((b"<!doctype", b"<html", b"<head", b"<meta")):
        return None
    return decode_body(body, content_type)[0]


def prepare(role: str, url: str, status: int, content_type: str | None, body: bytes, today: date,
            snapshot: bool) -> Prepared:
    """role: LIST (a column or feed list page), DOCUMENT (a document page) or CHECK (a link target)."""
    page = html_text(body, content_type) if role in (LIST, DOCUMENT) else None
    verdict = judge_response(status, content_type, body)
    masked = mask_bytes(body) if snapshot else None
    listing = document = None
    if role == LIST and page is not None and (verdict.verdict == "ok" or verdict.reason == "soft_404"):
        # a soft 404 is parsed too: the spider decides whether a disclosure root that reads like one is one
        listing = parse_list_page(page, url, today=today)
    elif role == DOCUMENT and page is not None and status < 400:
        document = parse_document_page(page, url)
        return Prepared(page, verdict, masked, None, document, tuple(find_leaks(document.text)))
    return Prepared(page, verdict, masked, listing, document)


def attachment_leaks(body: bytes, kind: str) -> list[Leak]:
    """Personal data in a Word/Excel/PDF/text file's text (privacy.* checks)."""
    return find_leaks(extract_text(body, kind) or "")
