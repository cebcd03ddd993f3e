"""Measure the project's pure parsers against saved pages of real government websites.

Each case is a truth file ``tests/realweb/<family>/<site>-<n>.truth.yaml`` written by hand from
the page's HTML, and the page itself: committed beside the truth as ``<site>-<n>.html`` (pages read
as text through the search index, see README.md), or else the original bytes
``<pages>/<family>/<site>-<n>.html`` kept outside the repository, where ``<pages>`` is the directory
named by ``ZWGK_REALWEB_PAGES``, else ``tests/realweb/pages`` when it exists.

``python -m tests.realweb.harness`` prints the metrics table; ``-v`` also lists every miss.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from crawler.parsing import (
    decode_body,
    looks_like_attachment,
    parse_document_page,
    parse_list_page,
)

ROOT = Path(__file__).resolve().parent
PAGES_ENV = "ZWGK_REALWEB_PAGES"
KINDS = ("list", "detail", "tree")
DETAIL_FIELDS = (
    "title", "publish_date", "publish_time", "written_date", "doc_number", "index_number", "publisher", "topic",
    "column_name",
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SPACES = re.compile(r"[\s\u3000\xa0]+")


def pages_dir() -> Path | None:
    """Where the page bytes are: $ZWGK_REALWEB_PAGES, else tests/realweb/pages; None when absent."""
    named = os.environ.get(PAGES_ENV)
    candidate = Path(named) if named else ROOT / "pages"
    return candidate if candidate.is_dir() else None


@dataclass(frozen=True)
class Case:
    """One saved page and its hand-checked truth."""

    name: str  # "<family>/<site>-<n>"
    truth_path: Path
    truth: dict
    page_path: Path | None

    @property
    def committed(self) -> bool:
        """The page is in the repository beside its truth file (not in the external pages directory)."""
        return self.page_path is not None and self.page_path.parent == self.truth_path.parent

    @property
    def kind(self) -> str:
        return self.truth["kind"]

    @property
    def family(self) -> str:
        return self.truth["family"]

    def page_bytes(self) -> bytes:
        if self.page_path is None:
            raise FileNotFoundError(f"no pages directory for {self.name}")
        return self.page_path.read_bytes()


def truth_files() -> list[Path]:
    return sorted(ROOT.glob("*/*.truth.yaml"))


def committed_pages() -> list[Path]:
    return sorted(ROOT.glob("*/*.html"))


def load_cases(pages: Path | None = None) -> list[Case]:
    """Every truth file with its page path: the committed page beside the truth file when there is one,
    else the page in the external pages directory (None when that directory is absent)."""
    pages = pages if pages is not None else pages_dir()
    cases = []
    for path in truth_files():
        name = f"{path.parent.name}/{path.name.removesuffix('.truth.yaml')}"
        with path.open(encoding="utf-8") as handle:
            truth = yaml.safe_load(handle)
        beside = path.with_name(path.name.removesuffix(".truth.yaml") + ".html")
        if beside.is_file():
            page = beside
        else:
            page = pages / f"{name}.html" if pages is not None else None
        cases.append(Case(name=name, truth_path=path, truth=truth, page_path=page))
    return cases


def norm_url(url: str | None) -> str:
    """Compare URLs without their scheme (http and https are the same document), fragment or default port."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port is not None and str(parts.port) != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    return urlunsplit(("", host, path, parts.query, ""))


def norm_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, time)):
        return value.isoformat()[:5] if isinstance(value, time) else value.isoformat()
    text = _SPACES.sub("", str(value))
    return text or None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Tally:
    """Counts for one family (or all pages); ratios are computed at print time."""

    pages: int = 0
    lists: int = 0
    details: int = 0
    trees: int = 0
    truth_items: int = 0
    found_items: int = 0
    matched_items: int = 0
    dates_checked: int = 0
    dates_right: int = 0
    columns_checked: int = 0
    columns_right: int = 0
    pager_truth: int = 0
    pager_found: int = 0
    fields_checked: int = 0
    fields_right: int = 0
    attach_truth: int = 0
    attach_found: int = 0
    tree_found_items: int = 0
    tree_false_items: int = 0
    tree_columns: int = 0
    tree_columns_found: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if name == "misses":
                self.misses.extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def _measure_list(case: Case, html: str, tally: Tally) -> None:
    truth = case.truth
    page = parse_list_page(html, truth["url"], today=truth.get("today"))
    wanted = {norm_url(item["url"]): item for item in truth.get("items") or []}
    found = {norm_url(item.url): item for item in page.items}
    tally.lists += 1
    tally.truth_items += len(wanted)
    tally.found_items += len(found)
    for key, item in wanted.items():
        got = found.get(key)
        if got is None:
            tally.misses.append(f"{case.name}: missed item {item['title']} <{item['url']}>")
            continue
        tally.matched_items += 1
        tally.dates_checked += 1
        expected = norm_text(item.get("date"))
        if norm_text(got.date) == expected:
            tally.dates_right += 1
        else:
            tally.misses.append(f"{case.name}: date of {item['url']}: got {got.date}, want {expected}")
    for key, got in found.items():
        if key not in wanted:
            tally.misses.append(f"{case.name}: extra item {got.title} <{got.url}>")
    tally.columns_checked += 1
    if norm_text(page.title) == norm_text(truth.get("column_name")):
        tally.columns_right += 1
    else:
        tally.misses.append(f"{case.name}: column name: got {page.title!r}, want {truth.get('column_name')!r}")
    pager = {norm_url(u) for u in truth.get("page_urls") or []}
    tally.pager_truth += len(pager)
    tally.pager_found += len(pager & {norm_url(u) for u in page.page_urls})


def _measure_detail(case: Case, html: str, tally: Tally) -> None:
    truth = case.truth
    page = parse_document_page(html, truth["url"])
    tally.details += 1
    for name in DETAIL_FIELDS:
        if name not in truth:
            continue
        tally.fields_checked += 1
        got, want = norm_text(getattr(page, name)), norm_text(truth[name])
        if got == want:
            tally.fields_right += 1
        else:
            tally.misses.append(f"{case.name}: {name}: got {getattr(page, name)!r}, want {truth[name]!r}")
    wanted = {norm_url(a["url"]) for a in truth.get("attachments") or []}
    found = {norm_url(link.url) for link in page.links if looks_like_attachment(link.url, link.text)}
    tally.attach_truth += len(wanted)
    tally.attach_found += len(wanted & found)
    for key in sorted(wanted - found):
        tally.misses.append(f"{case.name}: missed attachment {key}")


def _measure_tree(case: Case, html: str, tally: Tally) -> None:
    truth = case.truth
    page = parse_list_page(html, truth["url"], today=truth.get("today"))
    allowed = {norm_url(item["url"]) for item in truth.get("items") or []}
    tally.trees += 1
    tally.tree_found_items += len(page.items)
    for item in page.items:
        if norm_url(item.url) not in allowed:
            tally.tree_false_items += 1
            tally.misses.append(f"{case.name}: tree page gave item {item.title} <{item.url}>")
    links = {norm_url(link.url) for link in page.nav_links}
    for column in truth.get("columns") or []:
        tally.tree_columns += 1
        if norm_url(column["url"]) in links:
            tally.tree_columns_found += 1
        else:
            tally.misses.append(f"{case.name}: sub-column not among nav links: {column['name']} <{column['url']}>")


_MEASURE = {"list": _measure_list, "detail": _measure_detail, "tree": _measure_tree}


def measure(cases: Iterable[Case]) -> dict[str, Tally]:
    """Per-family tallies plus "ALL"; cases without page bytes are skipped."""
    results: dict[str, Tally] = {}
    for case in cases:
        if case.page_path is None or not case.page_path.is_file():
            continue
        html, _ = decode_body(case.page_bytes(), case.truth.get("content_type"))
        tally = Tally(pages=1)
        _MEASURE[case.kind](case, html, tally)
        results.setdefault(case.family, Tally()).add(tally)
    total = Tally()
    for tally in results.values():
        total.add(tally)
    results["ALL"] = total
    return results


COLUMNS = (
    ("family", 8), ("pages", 5), ("L/D/T", 8), ("recall", 6), ("precis", 6), ("dates", 6), ("colname", 7),
    ("pager", 6), ("fields", 6), ("attach", 6), ("treeFP", 6), ("treeCol", 7),
)


def format_table(results: dict[str, Tally]) -> str:
    """One row a family: list recall/precision by normalised URL, date accuracy of matched items,
    column-name accuracy, pager-URL recall, detail-field accuracy, attachment recall, items wrongly
    found on tree pages (count) and tree sub-columns found among navigation links."""
    lines = ["  ".join(name.ljust(width) for name, width in COLUMNS)]
    for family in sorted(k for k in results if k != "ALL") + ["ALL"]:
        t = results.get(family)
        if t is None:
            continue
        row = (
            family, str(t.pages), f"{t.lists}/{t.details}/{t.trees}",
            _ratio(t.matched_items, t.truth_items), _ratio(t.matched_items, t.found_items),
            _ratio(t.dates_right, t.dates_checked), _ratio(t.columns_right, t.columns_checked),
            _ratio(t.pager_found, t.pager_truth), _ratio(t.fields_right, t.fields_checked),
            _ratio(t.attach_found, t.attach_truth), str(t.tree_false_items) if t.trees else "-",
            _ratio(t.tree_columns_found, t.tree_columns),
        )
        lines.append("  ".join(value.ljust(width) for value, (_, width) in zip(row, COLUMNS)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.realweb.harness", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every missed or wrong value")
    parser.add_argument("--pages", type=Path, help=f"pages directory (default ${PAGES_ENV} or tests/realweb/pages)")
    args = parser.parse_args(argv)
    pages = args.pages or pages_dir()
    if args.pages is not None and not args.pages.is_dir():
        print(f"no pages directory {args.pages}", file=sys.stderr)
        return 2
    cases = load_cases(pages)
    missing = [c.name for c in cases if c.page_path is None or not c.page_path.is_file()]
    results = measure(cases)
    print(format_table(results))
    if missing:
        print(f"\n{len(missing)} truth file(s) without page bytes (set ${PAGES_ENV}): {', '.join(missing)}")
    if args.verbose:
        print()
        print("\n".join(results["ALL"].misses) or "no misses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
