"""What the command line prints and logs, made safe: nothing a web page wrote reaches the terminal as a
control sequence, and no personal number is printed or logged raw.

- SafeConsole: a Rich console whose printed strings and table cells pass through store.safetext.shown
  (numbers masked; ESC sequences such as OSC 8 links, OSC 52 clipboard writes and screen clears removed,
  with every other control character and bidi override). Text from pages that is put into a line or a
  cell goes through `term()` first, so that it cannot become Rich markup either.
- install_log_masking(): every log record (Scrapy's crawl log included) formats its message, traceback
  and stack through the same function, whatever handler writes it.
"""
from __future__ import annotations

import logging
from typing import Any

from rich.console import Console
from rich.table import Table

from store.safetext import for_terminal, shown

__all__ = ["SafeConsole", "install_log_masking", "term"]

term = for_terminal


class SafeConsole(Console):
    def print(self, *objects: Any, **kwargs: Any) -> None:  # noqa: A003 - Rich's name
        super().print(*(_safe(o) for o in objects), **kwargs)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, Table):
        if isinstance(value.title, str):
            value.title = shown(value.title)
        for column in value.columns:
            column._cells[:] = [shown(c) if isinstance(c, str) else c for c in column._cells]
    return value


class _SafeRecord(logging.LogRecord):
    """A log record whose message, traceback and stack text are shown through store.safetext."""

    def getMessage(self) -> str:  # noqa: N802 - logging's name
        return shown(super().getMessage())

    @property
    def exc_text(self) -> str | None:
        return self.__dict__.get("_exc_text")

    @exc_text.setter
    def exc_text(self, value: str | None) -> None:
        self.__dict__["_exc_text"] = shown(value) if isinstance(value, str) else value

    @property
    def stack_info(self) -> str | None:
        return self.__dict__.get("_stack_info")

    @stack_info.setter
    def stack_info(self, value: str | None) -> None:
        self.__dict__["_stack_info"] = shown(value) if isinstance(value, str) else value


def install_log_masking() -> None:
    """Every record created from now on, in this process and in processes forked from it, is a _SafeRecord."""
    if logging.getLogRecordFactory() is not _SafeRecord:
        logging.setLogRecordFactory(_SafeRecord)
