"""Text that came from the web, made safe to store, print and write: personal numbers masked, control
characters gone.

Every page title, anchor, file name, header, URL and message is hostile input. Two things are done to it:

- masking: ID numbers and personal mobile numbers become 4501**********123X / 138****1234. Stored text is
  masked when it is written (`mask_row`); URLs kept raw because they must be fetched again are masked when
  shown (`shown`). Plain text masks every ID-like or mobile-like run, valid or not; a URL masks only valid
  ID numbers and mobile numbers, so a long article number in a CMS address stays usable.
- cleaning: C0 controls (except tab and newline), DEL, C1 controls, ESC sequences (CSI, OSC 8 links,
  OSC 52 clipboard writes, screen clears), bidi overrides, lone surrogates and the XML-illegal
  U+FFFE/U+FFFF are removed; a terminal, python-docx, openpyxl and LibreOffice all get plain text.

Pure functions and standard library only: the store writes through them, the crawler detects leaks with
the same patterns, and every renderer shows through `shown` (reports) or `for_terminal` (Rich).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

__all__ = ["clean", "for_terminal", "is_valid_id_number", "mask_row", "mask_text", "mask_url", "shown"]

# --- personal numbers -------------------------------------------------------------------------------

# GB/T 2260 province-level codes (first two digits of an ID number)
PROVINCES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MAX_AGE = 130

# 18-digit IDs (last may be X) and the other long digit runs a page may carry (old 15-digit IDs,
# bank cards): masked in text whatever they are; only the first kind can be a leak.
ID_CANDIDATE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])")
LONG_RUN = re.compile(r"(?<![0-9])\d{15,19}[Xx]?(?![0-9])")
# 11-digit mobile numbers 1[3-9]x, also written 138-1234-5678 or 138 1234 5678, optionally +86
MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)([ -]?)(\d{4})\2(\d{4})(?![0-9])")
# hashes, tokens and seeds (MD5, SHA-1, SHA-256 in hex: 32 or more hex characters, in which about one in
# three is a letter) are opaque: their digit runs are not numbers, and masking one would break a checksum a
# person copies. A number with a letter or two around it ("a110105…b") is not a hash.
OPAQUE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,}(?![0-9A-Za-z])")
_OPAQUE_LETTERS = 1 / 8  # at least this share of letters (a random hex string has 6/16)


def opaque_spans(text: str) -> list[tuple[int, int]]:
    """Where the hex tokens of `text` are (start, end): no personal number is looked for inside them."""
    if len(text) < 32:
        return []
    return [m.span() for m in OPAQUE.finditer(text)
            if sum(not c.isdigit() for c in m.group(0)) >= len(m.group(0)) * _OPAQUE_LETTERS]


def _outside_opaque(text: str, fn) -> str:
    spans = opaque_spans(text)
    if not spans:
        return fn(text)
    out, last = [], 0
    for start, end in spans:
        out += [fn(text[last:start]), text[start:end]]
        last = end
    out.append(fn(text[last:]))
    return "".join(out)


def _check_digit(body: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


def is_valid_id_number(value: str, today: date | None = None) -> bool:
    """18 characters, a real province code, a birth date that exists and is not in the future, and
    the GB 11643 check digit."""
    value = value.upper()
    if not re.fullmatch(r"\d{17}[0-9X]", value) or int(value[:2]) not in PROVINCES:
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
    positions found in the original text point at the same characters. Hex tokens (hashes) are kept."""
    return _outside_opaque(text, _mask_all)


def _mask_all(text: str) -> str:
    text = LONG_RUN.sub(lambda m: _mask_run(m.group(0)), text)
    return MOBILE.sub(_mask_mobile_match, text)


def mask_url(url: str) -> str:
    """A URL with its valid ID numbers and mobile numbers masked; other digit runs (article numbers)
    are kept so that the address stays recognisable."""
    return _outside_opaque(url, _mask_personal)


def _mask_personal(text: str) -> str:
    text = ID_CANDIDATE.sub(lambda m: _mask_run(m.group(0)) if is_valid_id_number(m.group(0)) else m.group(0), text)
    return MOBILE.sub(_mask_mobile_match, text)


# --- control characters -----------------------------------------------------------------------------

_CONTROL = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"        # OSC … BEL/ST: hyperlinks (8), clipboard (52), titles
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"             # DCS, SOS, PM, APC strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"                  # CSI: colours, cursor moves, screen clears
    r"|\x1b[ -/]*[0-~]?"                          # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]?"                    # 8-bit CSI
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"             # C0 (but tab and newline), DEL, C1
    r"|[\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides and isolates
    r"|[\ud800-\udfff\ufffe\uffff]"               # lone surrogates, non-characters (illegal in XML)
)


def clean(text: str) -> str:
    """`text` without control characters, escape sequences and bidi overrides."""
    return _CONTROL.sub("", text)


# --- what is shown and stored -----------------------------------------------------------------------

def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "/")) and not any(c.isspace() for c in text.strip())


def shown(value: Any) -> Any:
    """What any report, export, log line or terminal shows of `value`: strings masked (URLs with
    `mask_url`, other text with `mask_text`) and cleaned, dicts, lists and tuples walked, anything else
    as is. Dict keys are cleaned too."""
    if isinstance(value, str):
        return clean(mask_url(value) if _looks_like_url(value) else mask_text(value))
    if isinstance(value, dict):
        return {shown(k) if isinstance(k, str) else k: shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(shown(v) for v in value)
    return value


def for_terminal(value: Any) -> str:
    """`shown(value)` as a string that Rich prints literally: page text never becomes console markup."""
    from rich.markup import escape

    return escape(str(shown("" if value is None else value)))


# columns written by the crawl that are kept raw: the addresses fetched again (and joined on), the body
# (masked byte for byte by the crawler), and the validators a conditional request sends back
_RAW_COLUMNS = frozenset({"url", "body", "etag", "last_modified"})


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_masked(v) for v in value)
    return value


def mask_row(values: dict[str, Any]) -> dict[str, Any]:
    """A crawl row as it may be stored: every text, list and mapping masked (titles, anchors, alt text,
    file names, headers, redirect chains, messages) except the address columns (url, *_url), the body and
    the HTTP validators."""
    return {k: v if k in _RAW_COLUMNS or k.endswith("_url") or v is None or isinstance(v, (int, float, bytes))
            else _masked(v) for k, v in values.items()}
