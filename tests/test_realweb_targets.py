"""The parsers' targets on the corpus of saved real government pages (tests/realweb), per issue 12.

Run with -s to see the per-family table. Each target is its own test; a target whose kind of page the
corpus does not hold yet (no real list page, say) is skipped with that reason, never passed silently.
Pages are those committed beside their truth files, plus those under ZWGK_REALWEB_PAGES when it is set
(see tests/realweb/README.md).
"""

from __future__ import annotations

import pytest

from tests.realweb import harness

# metric -> (target, what the harness counts: part, whole)
TARGETS: dict[str, tuple[float, str, str]] = {
    "list-item recall": (0.98, "matched_items", "truth_items"),
    "list-item precision": (0.99, "matched_items", "found_items"),
    "item dates correct": (0.99, "dates_right", "dates_checked"),
    "column names right": (0.95, "columns_right", "columns_checked"),
    "detail fields right": (0.98, "fields_right", "fields_checked"),
    "tree sub-columns among nav links": (0.95, "tree_columns_found", "tree_columns"),
}


@pytest.fixture(scope="module")
def results() -> dict[str, harness.Tally]:
    cases = [c for c in harness.load_cases() if c.page_path is not None and c.page_path.is_file()]
    if not cases:
        pytest.skip(f"no page bytes: none committed and {harness.PAGES_ENV} not set (see tests/realweb/README.md)")
    measured = harness.measure(cases)
    print()
    print(harness.format_table(measured))
    print("targets: " + ", ".join(f"{name} >= {target}" for name, (target, _, _) in TARGETS.items())
          + ", no item on a tree page")
    misses = measured["ALL"].misses
    if misses:
        print("misses:\n  " + "\n  ".join(misses))
    return measured


@pytest.mark.parametrize("metric", list(TARGETS))
def test_target(results: dict[str, harness.Tally], metric: str) -> None:
    target, part_name, whole_name = TARGETS[metric]
    total = results["ALL"]
    part, whole = getattr(total, part_name), getattr(total, whole_name)
    if whole == 0:
        pytest.skip(f"{metric}: the corpus has no page to measure it on yet")
    by_family = {
        family: f"{getattr(t, part_name)}/{getattr(t, whole_name)}"
        for family, t in results.items() if family != "ALL" and getattr(t, whole_name)
    }
    assert part / whole >= target, f"{metric}: {part}/{whole} = {part / whole:.3f} < {target} ({by_family})"


def test_tree_pages_give_no_items(results: dict[str, harness.Tally]) -> None:
    total = results["ALL"]
    if total.trees == 0:
        pytest.skip("the corpus has no column-tree page yet")
    assert total.tree_false_items == 0, [m for m in total.misses if "tree page gave item" in m]


def test_tree_pages_are_told_from_list_pages() -> None:
    from crawler.parsing import decode_body, parse_list_page

    cases = [c for c in harness.load_cases() if c.kind in ("list", "tree")
             and c.page_path is not None and c.page_path.is_file()]
    if not cases:
        pytest.skip("the corpus has no list or tree page yet")
    wrong = []
    for case in cases:
        html, _ = decode_body(case.page_bytes(), case.truth.get("content_type"))
        page = parse_list_page(html, case.truth["url"], today=case.truth.get("today"))
        if page.is_tree != (case.kind == "tree"):
            wrong.append(f"{case.name}: is_tree {page.is_tree}, kind {case.kind}")
    assert not wrong, wrong
