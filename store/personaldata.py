"""Personal data in published text: 18-digit ID numbers and personal mobile numbers (去标识化 audits).

Pure functions. The raw number never leaves this module: a Leak carries the number masked the way
the accepted practice writes it (4501**********123X, 138****1234) and an excerpt in which every
ID-like or mobile-like number is masked. An ID number is a leak only when its GB 11643 check digit
is valid and its birth date is plausible; values already masked (35*************123, 138****1234)
never match, because the digits are not all there. The patterns and the masking itself live in
store.safetext, which every writer and renderer uses too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from store.safetext import ID_CANDIDATE as _ID_CANDIDATE
from store.safetext import MOBILE as _MOBILE
from store.safetext import is_valid_id_number, mask_text, opaque_spans

__all__ = ["Leak", "find_leaks", "is_valid_id_number", "mask_bytes", "mask_text", "url_leaks"]

EXCERPT_CHARS = 60


@dataclass(frozen=True)
class Leak:
    kind: str  # "id_number" | "mobile_number"
    masked: str  # e.g. "4501**********123X", "138****1234"
    excerpt: str  # <= ~60 characters of surrounding text, every number in it masked


def mask_bytes(body: bytes) -> bytes:
    """The body with every ID-like or mobile-like number masked, byte for byte elsewhere.

    Evidence must never hold a raw personal number. Digits are single ASCII bytes in UTF-8, GBK and
    GB18030 alike (never a run of them inside a multi-byte character), so masking the Latin-1 view of the
    bytes changes only those digits.
    """
    return mask_text(body.decode("latin-1")).encode("latin-1")


def _excerpt(masked: str, start: int, end: int) -> str:
    room = max(0, EXCERPT_CHARS - (end - start)) // 2
    piece = masked[max(0, start - room): end + room]
    return re.sub(r"\s+", " ", piece).strip()


def find_leaks(text: str, *, today: date | None = None) -> list[Leak]:
    """Unmasked ID numbers and personal mobile numbers in `text`, one Leak per distinct masked value."""
    if not text:
        return []
    masked_text = mask_text(text)
    spans = opaque_spans(text)  # digits inside a hash are not a number: mask_text keeps them too

    def in_token(match: re.Match[str]) -> bool:
        return any(start <= match.start() < end for start, end in spans)

    found: dict[tuple[str, str], Leak] = {}
    for match in _ID_CANDIDATE.finditer(text):
        value = match.group(0).upper()
        if not in_token(match) and is_valid_id_number(value, today):
            key = ("id_number", value[:4] + "*" * 10 + value[-4:])
            found.setdefault(key, Leak(key[0], key[1], _excerpt(masked_text, match.start(), match.end())))
    for match in _MOBILE.finditer(text):
        if in_token(match):
            continue
        key = ("mobile_number", f"{match.group(1)}****{match.group(4)}")
        found.setdefault(key, Leak(key[0], key[1], _excerpt(masked_text, match.start(), match.end())))
    return list(found.values())


def url_leaks(url: str, *, today: date | None = None) -> list[Leak]:
    """Personal numbers in an address (path, query, file name): a leak as much as one in the page. The
    excerpt is the address itself, masked (percent-escapes decoded first, so that %31%33%38… is seen)."""
    from urllib.parse import unquote

    from store.safetext import mask_url

    text = unquote(url)
    shown_url = mask_url(text)
    return [Leak(leak.kind, leak.masked, shown_url[:200]) for leak in find_leaks(text, today=today)]
