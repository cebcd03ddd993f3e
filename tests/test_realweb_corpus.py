"""The corpus of saved real government pages (tests/realweb): truth files are complete and real,
the page bytes match them, and the parsers' metrics are printed (run with -s to see the table).

Recall/precision targets are not asserted here: the parser work owns them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.realweb import harness

CASES = harness.load_cases()
MINIMUMS = {"list": 25, "detail": 20, "tree": 5}
MIN_LIST_SITES = 10
_PLACEHOLDER_HOST = re.compile(
    r"(^|\.)(example\.(com|org|net|cn)|example|localhost|test|invalid|local)$|^127\.|^0\.0\.0\.0$|^\[?::1\]?$|"
    r"(^|\.)(demo|sample|foo|bar)\.gov\.cn$|^www\.example\.gov\.cn$")
_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _absolute(url: object) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _all_urls(truth: dict) -> list[str]:
    urls = [truth["url"]]
    for key in ("items", "attachments", "columns"):
        urls += [entry["url"] for entry in truth.get(key) or []]
    urls += list(truth.get("page_urls") or [])
    return urls


def test_the_corpus_has_truth_files() -> None:
    assert CASES, "tests/realweb has no *.truth.yaml"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_truth_file_is_complete(case: harness.Case) -> None:
    truth = case.truth
    assert truth["kind"] in harness.KINDS
    assert truth["family"] == case.truth_path.parent.name, "a truth file lives in its family's folder"
    assert re.fullmatch(r"[a-z0-9.-]+-\d+", case.truth_path.name.removesuffix(".truth.yaml"))
    assert _absolute(truth["url"]) and isinstance(truth.get("url_guessed"), bool)
    assert truth.get("site") == urlsplit(truth["url"]).hostname
    source = truth["source"]
    if source.get("repo") is None:
        # Text found by a string search: the index names no repository for it, so the read_file id and the
        # search that found it are the source (README.md, "Where the pages come from").
        assert case.committed and source.get("read_file_id") and source.get("found_by"), source
    else:
        assert source["repo"].count("/") == 1 and source["path"] and _HEX40.match(source["commit"])
    assert _HEX64.match(source["sha256"])
    if case.kind == "list":
        assert truth.get("column_name")
        assert "declared_total" in truth and (truth["declared_total"] is None or truth["declared_total"] >= 0)
        assert isinstance(truth.get("items"), list) and isinstance(truth.get("page_urls"), list)
        for item in truth["items"]:
            assert item["title"] and _absolute(item["url"]), item
            assert item.get("date") is None or isinstance(item["date"], date), item
        assert len({harness.norm_url(i["url"]) for i in truth["items"]}) == len(truth["items"]), "duplicate item"
    elif case.kind == "detail":
        assert truth.get("title")
        for name in harness.DETAIL_FIELDS:
            assert name in truth, f"detail truth lacks {name} (write null when the page does not show it)"
        for attachment in truth.get("attachments") or []:
            assert attachment["name"] and _absolute(attachment["url"]), attachment
    else:
        assert truth.get("columns"), "a column-tree page lists its sub-columns"
        for column in truth["columns"]:
            assert column["name"] and _absolute(column["url"]), column
    for url in _all_urls(truth):
        assert _absolute(url), url


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_truth_is_about_a_real_government_page(case: harness.Case) -> None:
    """No placeholder hosts, a government host for the page itself, no dates after the day it was judged."""
    truth = case.truth
    host = urlsplit(truth["url"]).hostname or ""
    assert host.endswith(".gov.cn"), f"{host} is not a government host"
    for url in _all_urls(truth):
        assert not _PLACEHOLDER_HOST.search(urlsplit(url).hostname or ""), url
    dates = [item["date"] for item in truth.get("items") or [] if item.get("date")]
    dates += [truth[name] for name in ("publish_date", "written_date") if isinstance(truth.get(name), date)]
    assert all(d <= date(2026, 12, 4) for d in dates), "a date after the corpus was checked"


_PAGES = harness.pages_dir()


def _page_or_skip(case: harness.Case) -> Path:
    """The page of a case: committed pages are always here; external bytes only with $ZWGK_REALWEB_PAGES."""
    if case.committed:
        return case.page_path
    if case.page_path is None or _PAGES is None:
        pytest.skip(f"page bytes not here (set ${harness.PAGES_ENV})")
    assert case.page_path.is_file(), f"missing {case.page_path}"
    return case.page_path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_page_bytes_are_the_ones_the_truth_was_written_for(case: harness.Case) -> None:
    page = _page_or_skip(case)
    assert harness.sha256(page.read_bytes()) == case.truth["source"]["sha256"]


@pytest.mark.parametrize("case", [c for c in CASES if c.committed], ids=[c.name for c in CASES if c.committed])
def test_committed_page_says_where_its_text_comes_from(case: harness.Case) -> None:
    """A committed page is the search index's stored text of a public file, UTF-8, and says so."""
    source = case.truth["source"]
    assert source.get("read_file_id") and "search index" in source.get("bytes", ""), source
    text = case.page_path.read_bytes().decode("utf-8")  # committed pages are UTF-8 text
    assert source.get("committed_chars", len(text)) == len(text)
    assert "<html" in text.lower()[:2000]


def test_every_saved_page_has_a_truth_file() -> None:
    known = {c.page_path for c in CASES}
    names = {c.name for c in CASES}
    stray = [p for p in harness.committed_pages() if p not in known]
    if _PAGES is not None:  # the external copy of a page that is now committed still has its truth file
        stray += [p for p in _PAGES.glob("*/*.html") if f"{p.parent.name}/{p.stem}" not in names]
    assert not stray, f"pages without truth: {sorted(map(str, stray))}"


def test_corpus_size_against_the_minimums() -> None:
    kinds = Counter(c.kind for c in CASES)
    list_sites = {c.truth["site"] for c in CASES if c.kind == "list"}
    short = [f"{kind}: {kinds[kind]}/{need}" for kind, need in MINIMUMS.items() if kinds[kind] < need]
    if len(list_sites) < MIN_LIST_SITES:
        short.append(f"list sites: {len(list_sites)}/{MIN_LIST_SITES}")
    committed = Counter(c.kind for c in CASES if c.committed)
    print(f"\nrealweb corpus: {dict(kinds)} ({dict(committed)} committed); list sites {len(list_sites)}; "
          f"families {sorted({c.family for c in CASES})}")
    if short:
        pytest.xfail("corpus below its minimums (see tests/realweb/README.md): " + "; ".join(short))


def test_metrics_table() -> None:
    present = [c for c in CASES if c.page_path is not None and c.page_path.is_file()]
    assert any(c.committed for c in present), "the committed pages are always measured"
    results = harness.measure(CASES)
    print("\n" + harness.format_table(results))
    assert results["ALL"].pages == len(present), "every page that is here was measured"


def test_harness_arithmetic_on_a_page_of_our_own() -> None:
    """The metrics themselves, on a page written for the parser tests (not part of the corpus)."""
    page = Path(__file__).parent / "pages" / "trs" / "list_createpagehtml.html"
    column = "http://www.example.gov.cn/fgw/zwgk/tzgg/"
    truth = {
        "url": column + "index.html", "kind": "list", "family": "self", "column_name": "通知公告",
        "items": [
            {"title": "a", "url": column + "202611/t20261115_4012345.html", "date": date(2026, 11, 15)},
            {"title": "b", "url": column.replace("http:", "https:") + "202611/t20261112_4012290.html#x",
             "date": date(2026, 11, 13)},  # scheme and fragment do not matter; the date is wrong on purpose
            {"title": "c", "url": column + "missing.html", "date": None},
        ],
        "page_urls": [column + "index_1.html", column + "index_9.html"],
    }
    tally = harness.measure([harness.Case("self/list-1", page, truth, page)])["ALL"]
    assert (tally.truth_items, tally.found_items, tally.matched_items) == (3, 10, 2)
    assert (tally.dates_checked, tally.dates_right) == (2, 1)
    assert (tally.columns_checked, tally.columns_right) == (1, 1)
    assert (tally.pager_truth, tally.pager_found) == (2, 1)

    tree = dict(truth, kind="tree", items=[truth["items"][0]], columns=[
        {"name": "政策文件", "url": "http://www.example.gov.cn/fgw/zwgk/zcwj/"},
        {"name": "不存在", "url": "http://www.example.gov.cn/none/"},
    ])
    tally = harness.measure([harness.Case("self/tree-1", page, tree, page)])["ALL"]
    assert (tally.tree_found_items, tally.tree_false_items) == (10, 9), "an item the truth allows is not false"
    assert (tally.tree_columns, tally.tree_columns_found) == (2, 1)
