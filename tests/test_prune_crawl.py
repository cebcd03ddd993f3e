"""Prune on a real crawl history of the sample city: the next incremental crawl and check work from what
is left and find the same problems."""
from __future__ import annotations



def _keys(findings) -> set[tuple]:
    return {(f["check"], f["department"], f["url"]) for f in findings}


def test_crawl_check_prune_crawl_again(sample_city, db_url, tmp_path, zwgk):
    sites = sample_city.write_sites(tmp_path / "sites.yaml")
    for _ in range(2):
        assert zwgk("--db", db_url, "crawl", str(sites), "--fast").code == 0
        assert zwgk("--db", db_url, "check", str(sites)).code == 0
    before = zwgk("--db", db_url, "findings", "--format", "json").json()
    assert before

    res = zwgk("--db", db_url, "prune", "--keep-runs", "1")
    assert res.code == 0, res.stderr
    assert "已删除抓取批次 1 个：#1" in res.stdout

    crawl = zwgk("--db", db_url, "crawl", str(sites), "--fast")
    assert crawl.code == 0, crawl.stderr
    assert zwgk("--db", db_url, "check", str(sites)).code == 0
    after = zwgk("--db", db_url, "findings", "--format", "json").json()
    assert _keys(after) == _keys(before)
