"""CMS styles of the sample city, keyed by the `style` a department names in data.py."""

from __future__ import annotations

from ._base import Item, Planted, Style, TreeNode
from .fjtrs import FjtrsStyle
from .generic import GenericStyle
from .gbk import GbkStyle
from .gkmlpt import GkmlptStyle
from .query import QueryStyle
from .shtml import ShtmlStyle
from .trs import TrsStyle

STYLES: dict[str, type[Style]] = {
    cls.key: cls for cls in (GenericStyle, TrsStyle, QueryStyle, GbkStyle, GkmlptStyle, ShtmlStyle, FjtrsStyle)
}

__all__ = ["STYLES", "Item", "Planted", "Style", "TreeNode"]
