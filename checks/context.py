"""What a check sees: one crawl run, read-only, as of an audit date."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

from sqlalchemy.orm import Session

from store import models as m
from store.registry import Registry

T = TypeVar("T")
IN_CHUNK = 500  # values per SQL IN (...): well below SQLite's bound-parameter limit, one index seek each


def in_chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """The distinct values, sorted, in lists of at most IN_CHUNK for `column.in_(chunk)` queries."""
    ordered = sorted(set(values))
    for i in range(0, len(ordered), IN_CHUNK):
        yield ordered[i:i + IN_CHUNK]


@dataclass(frozen=True)
class AuditContext:
    session: Session
    run: m.CrawlRun
    as_of: date
    registry: Registry | None = None
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    # derived views several checks share (the department column trees, the repost index…), built once per run
    _memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def run_id(self) -> int:
        return self.run.id

    @property
    def department_ids(self) -> list[str]:
        return list(self.run.departments or [])

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """build() once per context and key; the run is read-only, so the result stays true for every check."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def forget(self) -> None:
        """Drop what memo() built: after a rollback its ORM rows are expired and would reload one by one."""
        self._memo.clear()


def incomplete_trees(ctx: AuditContext) -> dict[str, str]:
    """department id → why its column tree may lack columns (store.completeness); absent when read whole."""
    from store.completeness import incomplete_trees as trees

    return ctx.memo("incomplete_trees", lambda: trees(ctx.session, ctx.run_id))
