"""The link checkers' own fixture cases (linkinator, lychee, broken-link-checker; tests/peers/), crawled as
departments through the real CLI: zwgk must report what their tests expect broken, and nothing else.

Two crawls in all (fragment checking off, then on), each over every case of that kind, as departments of one
sites.yaml. Expectations and their sources: tests/peers/expectations.yaml and tests/peers/SOURCES.md.
"""
from __future__ import annotations

import pytest

from tests.peer_harness import case_id, load_cases, per_peer, run_all

CASES = load_cases()


@pytest.fixture(scope="module")
def peer_results(tmp_path_factory):
    return run_all(tmp_path_factory.mktemp("peers"))


@pytest.mark.parametrize("cid", [case_id(c) for c in CASES])
def test_case_reports_what_the_peer_expects(peer_results, cid):
    case, score = peer_results[cid]
    assert score.expected - score.reported == set(), f"{case.test}: not reported"
    assert score.reported - score.expected == set(), f"{case.test}: reported, not expected"


def test_recall_and_precision_per_peer(peer_results):
    for peer, (expected, hits, reported) in per_peer(peer_results).items():
        assert expected == 0 or hits / expected >= 0.95, (peer, expected, hits)
        assert reported == 0 or hits / reported >= 0.98, (peer, reported, hits)


def test_every_peer_has_cases_with_broken_links():
    table = {}
    for case in CASES:
        table[case.peer] = table.get(case.peer, 0) + len(case.broken)
    assert set(table) == {"linkinator", "lychee", "broken-link-checker"}
    assert all(count > 0 for count in table.values()), table
