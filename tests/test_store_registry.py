"""sites.yaml and catalog validation: every mistake is one Chinese line naming file, field and expectation."""
from __future__ import annotations

import textwrap

import pytest

from store.registry import ConfigError, load_registry

GOOD = textwrap.dedent("""\
    region: 示例市
    catalogs: [municipal-department]
    upstream:
      - {id: province, name: 省人民政府文件, url: "http://127.0.0.1:9/upstream/", repost_within_hours: 8}
    departments:
      - id: fgw
        name: 示例市发展和改革委员会
        kind: department
        catalog: municipal-department
        url: http://127.0.0.1:9/fgw/zwgk/
        home: http://127.0.0.1:9/fgw/
      - {id: jyj, name: 示例市教育局, kind: department, catalog: municipal-department, url: "http://127.0.0.1:9/jyj/zwgk/"}
    """)


def write(tmp_path, text, name="sites.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_registry_loads_with_builtin_catalog(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    assert [d.id for d in reg.departments] == ["fgw", "jyj"]
    assert reg.sites.upstream[0].repost_within_hours == 8
    assert "municipal-department" in reg.catalogs
    assert {i.id for i in reg.catalogs["municipal-department"].items} >= {"gzdt", "tzgg", "zcwj", "gknb"}


BAD = [
    # (edit of GOOD, expected fragments of the single error line)
    (lambda s: s.replace("    kind: department\n", "    kind: department\n    colour: red\n", 1),
     ["departments[0].colour", "不认识的字段"]),
    (lambda s: s.replace("    name: 示例市发展和改革委员会\n", "", 1), ["departments[0].name", "缺少必填项"]),
    (lambda s: s.replace("id: jyj", "id: fgw"), ["departments[1].id", "重复", "fgw"]),
    (lambda s: s.replace("url: http://127.0.0.1:9/fgw/zwgk/", "url: ftp://example/fgw/"),
     ["departments[0].url", "http://", "ftp://example/fgw/"]),
    (lambda s: s.replace("kind: department\n", "kind: bureau\n", 1), ["departments[0].kind", "department", "bureau"]),
    (lambda s: s.replace("catalog: municipal-department\n", "catalog: nosuch\n", 1),
     ["departments[0].catalog", "nosuch"]),
    (lambda s: s.replace("catalogs: [municipal-department]", "catalogs: [missing.yaml]"), ["catalogs[0]", "missing.yaml"]),
    (lambda s: s.replace("repost_within_hours: 8", "repost_within_hours: -1"), ["upstream[0].repost_within_hours"]),
    (lambda s: s.replace("departments:\n", "departments: [\n", 1), ["YAML 格式错误", "行"]),
    (lambda s: "- just\n- a list\n", ["文件顶层"]),
]


@pytest.mark.parametrize("edit,fragments", BAD)
def test_bad_registry_is_one_clear_line(tmp_path, edit, fragments):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(ConfigError) as exc:
        load_registry(path)
    text = str(exc.value)
    assert "\n" not in text
    assert str(path) in text
    for fragment in fragments:
        assert fragment in text, text


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="文件不存在"):
        load_registry(tmp_path / "nope.yaml")


def test_bad_catalog_file_names_catalog_field(tmp_path):
    write(tmp_path, "id: own\nname: 自定义目录\nitems:\n  - {id: a, name: 工作动态, stale_after_days: zero}\n", "own.yaml")
    path = write(tmp_path, GOOD.replace("catalogs: [municipal-department]", "catalogs: [own.yaml]"))
    with pytest.raises(ConfigError) as exc:
        load_registry(path)
    assert "own.yaml: items[0].stale_after_days: 应为整数" in str(exc.value)


def test_cli_validate_exit_codes(tmp_path, zwgk):
    good = zwgk("sites", "validate", str(write(tmp_path, GOOD)))
    assert good.code == 0 and "校验通过" in good.stdout and "2 个单位" in good.stdout
    bad = zwgk("sites", "validate", str(write(tmp_path, GOOD.replace("id: jyj", "id: fgw"), "bad.yaml")))
    assert bad.code == 2
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "departments[1].id" in lines[0]
    assert "Traceback" not in bad.stderr + bad.stdout
