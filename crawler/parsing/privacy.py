"""Personal data in published text: 18-digit ID numbers and personal mobile numbers (去标识化 audits).

Pure functions. The raw number never leaves this module: a Leak carries the number masked the way
the accepted practice writes it (4501**********123X, 138****1234) and an excerpt in which every
ID-like or mobile-like number is masked. An ID number is a leak only when its GB 11643 check digit
is valid and its birth date is plausible; values already masked (35*************123, 138****1234)
never match, because the digits are not all there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Leak", "find_leaks", "is_valid_id_number", "mask_bytes", "mask_text"]

EXCERPT_CHARS = 60

# 国家标准 GB/T 2260 province-level codes (first two digits of an ID number)
_PROVINCES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MAX_AGE = 130

# 18-digit IDs (last may be X) and the other long digit runs a page may carry (old 15-digit IDs,
# bank cards): masked in excerpts whatever they are; only the first kind can be a leak.
_ID_CANDIDATE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])")
_LONG_RUN = re.compile(r"(?<![0-9])\d{15,19}[Xx]?(?![0-9])")
# 11-digit mobile numbers 1[3-9]x, also written 138-1234-5678 or 138 1234 5678, optionally +86
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)([ -]?)(\d{4})\2(\d{4})(?![0-9])")


@dataclass(frozen=True)
class Leak:
    kind: str  # "id_number" | "mobile_number"
    masked: str  # e.g. "4501**********123X", "138****1234"
    excerpt: str  # <= ~60 characters of surrounding text, every number in it masked


def _check_digit(body: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


def is_valid_id_number(value: str, today: date | None = None) -> bool:
    """18 characters, a real province code, a birth date that exists and is not in the future, and
    the GB 11643 check digit."""
    value = value.upper()
    if not re.fullmatch(r"\d{17}[0-9X]", value) or int(value[:2]) not in _PROVINCES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    today = today or date.today()
    if born > today or today.year - born.year > _MAX_AGE:
        return False
    return _check_digit(value[:17]) == value[17]


def _mask_run(run: str) -> str:
    keep = 4 if len(run) >= 12 else 2
    return run[:keep] + "*" * (len(run) - 2 * keep) + run[-keep:]


def _mask_mobile_match(match: re.Match[str]) -> str:
    text = match.group(0)
    start = match.start(3) - match.start(0)
    return text[:start] + "****" + text[start + 4:]


def mask_text(text: str) -> str:
    """Every ID-like and mobile-like number masked, valid or not; the length of the text is kept, so
    positions found in the original text point at the same characters."""
    text = _LONG_RUN.sub(lambda m: _mask_run(m.group(0)), text)
    return _MOBILE.sub(_mask_mobile_match, text)


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
    found: dict[tuple[str, str], Leak] = {}
    for match in _ID_CANDIDATE.finditer(text):
        value = match.group(0).upper()
        if is_valid_id_number(value, today):
            key = ("id_number", value[:4] + "*" * 10 + value[-4:])
            found.setdefault(key, Leak(key[0], key[1], _excerpt(masked_text, match.start(), match.end())))
    for match in _MOBILE.finditer(text):
        key = ("mobile_number", f"{match.group(1)}****{match.group(4)}")
        found.setdefault(key, Leak(key[0], key[1], _excerpt(masked_text, match.start(), match.end())))
    return list(found.values())
