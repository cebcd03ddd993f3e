"""The places a "#fragment" can point to on a page: element ids and <a name> anchors."""
from __future__ import annotations

import html as _html
import re

__all__ = ["page_anchors"]

_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"""
_ID = re.compile(r"<[a-zA-Z][^>]*?\sid" + _VALUE, re.S | re.I)
_NAME = re.compile(r"<a\s[^>]*?\bname" + _VALUE, re.S | re.I)


def page_anchors(page: str) -> frozenset[str]:
    """Every element id and <a name> of the page, as written and with character references undone."""
    found = set()
    for pattern in (_ID, _NAME):
        for match in pattern.finditer(page or ""):
            value = next(g for g in match.groups() if g is not None)
            found.add(value)
            found.add(_html.unescape(value))
    return frozenset(found)
