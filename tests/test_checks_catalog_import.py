"""`zwgk catalog import`: the Excel 标准目录 as offices keep it (two-row header, merged 一级事项, ✓ marks)
turned into a catalog YAML whose 公开时限 became rules."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checks.catalog_import import item_id, deadline_rules, import_catalog
from store.registry import ConfigError, load_catalog, load_registry

HEADER = ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", None,
          "公开方式", None, "公开层级", None]
SUB = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请", "县级", "乡级"]
ROWS = [  # 序号, 一级, 二级, 内容, 依据, 时限, 主体, 渠道, 全社会, 特定群体, 主动, 依申请, 县级, 乡级
    ["1", "最低生活保障", "政策法规", "法规文件", "《社会救助暂行办法》", "信息形成或者变更之日起20个工作日内", "县民政局",
     "政府网站", "√", None, "√", None, "√", "√"],
    ["2", None, "办理流程", "申请条件、流程", "同上", "自信息形成之日起十个工作日内", "县民政局", "政府网站", "√", None, "√",
     None, "√", "√"],
    ["3", None, "低保对象名单", "姓名、保障人数", "同上", "每季度更新", "乡镇人民政府", "公示栏", None, "√", "√", None, None, "√"],
    ["4", "特困人员救助供养", "政策法规", "法规文件", "同上", "5日内", "县民政局", "政府网站", "√", None, "√", None, "√", None],
    ["5", None, "申请材料", "材料清单", "同上", "及时公开", "县民政局", "窗口", None, "√", None, "√", "√", None],
    ["6", "临时救助", "办理结果", "救助对象、金额", "同上", "24小时内", "县民政局", "政府网站", None, "√", "√", None, "√", "√"],
    ["7", None, "工作动态", "动态信息", "同上", "常态化公开", "县民政局", "政府网站", "√", None, "√", None, "√", None],
]


def write_catalog_book(path: Path, *, header: bool = True, before: list | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "社会救助"
    sheet.append(["示例县社会救助领域基层政务公开标准目录"])
    sheet.merge_cells("A1:N1")
    if header:
        sheet.append(HEADER)
        sheet.append(SUB)
        for merged in ("B2:C2", "I2:J2", "K2:L2", "M2:N2", "A2:A3", "D2:D3", "E2:E3", "F2:F3", "G2:G3", "H2:H3"):
            sheet.merge_cells(merged)
    if before is not None:  # a new version of the catalog with an item inserted above the others
        sheet.append(before)
    for row in ROWS:
        sheet.append(row)
    first = (4 if header else 2) + (before is not None)
    for top, bottom in ((0, 2), (3, 4), (5, 6)):  # 一级事项 cells span their rows, as offices merge them
        sheet.merge_cells(f"B{first + top}:B{first + bottom}")
    book.save(path)
    return path


@pytest.mark.parametrize("text,rules", [
    ("信息形成或者变更之日起20个工作日内", {"publish_within_workdays": 20}),
    ("自信息形成之日起十个工作日内", {"publish_within_workdays": 10}),
    ("二十个 工作日内公开", {"publish_within_workdays": 20}),
    ("批准后20日内", {"publish_within_workdays": 20}),  # calendar days: never stricter than the text
    ("5天以内", {"publish_within_workdays": 5}),
    ("24小时内", {"publish_within_workdays": 1}),
    ("每季度更新", {"stale_after_days": 92}),
    ("每年3月31日前公开上一年度情况", {"stale_after_days": 365}),
    ("每月10日前，信息形成之日起7个工作日内", {"publish_within_workdays": 7, "stale_after_days": 31}),
    ("常态化公开", {}), ("", {}), (None, {}),
])
def test_deadline_text_to_rules(text, rules):
    got, how = deadline_rules(text)
    assert got == rules and bool(how) is bool(rules)


def test_import_reads_merged_cells_and_two_row_headers(tmp_path):
    result = import_catalog(write_catalog_book(tmp_path / "目录.xlsx"), catalog_id="shjz", name="社会救助目录")
    items = {i["name"]: i for i in result.data["items"]}
    assert list(items) == ["最低生活保障·政策法规", "办理流程", "低保对象名单", "特困人员救助供养·政策法规", "办理结果", "工作动态"]
    assert items["最低生活保障·政策法规"]["publish_within_workdays"] == 20
    assert items["办理流程"]["publish_within_workdays"] == 10
    assert items["低保对象名单"] == {"id": item_id("最低生活保障", "低保对象名单"), "name": "低保对象名单",
                                     "aliases": [], "required": True, "stale_after_days": 92}
    # ids come from the name path, not the row: a new version with a row inserted before them keeps them
    assert len({i["id"] for i in result.data["items"]}) == len(items)
    inserted = [ROWS[0][0], "临时救助", "新增事项", *ROWS[0][3:]]
    again = import_catalog(write_catalog_book(tmp_path / "目录2.xlsx", before=inserted), catalog_id="shjz")
    ids = {i["name"]: i["id"] for i in again.data["items"]}
    assert "新增事项" in ids and all(ids[name] == item["id"] for name, item in items.items())
    assert items["特困人员救助供养·政策法规"]["publish_within_workdays"] == 5
    assert items["办理结果"]["publish_within_workdays"] == 1
    assert [s.split("：")[1] for s in result.skipped] == ["仅依申请公开，不需设栏目"]
    assert len(result.unread) == 1 and "常态化公开" in result.unread[0]
    assert "# 公开时限：每季度更新" in result.text and "# 一级事项：最低生活保障" in result.text


def test_import_by_level(tmp_path):
    result = import_catalog(write_catalog_book(tmp_path / "目录.xlsx"), level="乡级")
    assert [i["name"] for i in result.data["items"]] == ["政策法规", "办理流程", "低保对象名单", "办理结果"]
    assert any("公开层级不含乡级" in s for s in result.skipped)


def test_zwgk_catalog_import_writes_a_catalog_sites_can_use(tmp_path, zwgk):
    book = write_catalog_book(tmp_path / "标准目录.xlsx")
    out = tmp_path / "catalog.yaml"
    done = zwgk("catalog", "import", str(book), "-o", str(out), "--id", "shjz", "--name", "社会救助领域标准目录")
    assert done.code == 0, done.stderr
    assert "6 个主动公开事项" in done.stdout and "公开时限未能转换为规则" in done.stdout and "仅依申请公开" in done.stdout
    catalog = load_catalog(out)
    assert catalog.id == "shjz" and len(catalog.items) == 6 and catalog.items[0].publish_within_workdays == 20
    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump({"region": "示例县", "catalogs": ["catalog.yaml"], "departments": [
        {"id": "mzj", "name": "示例县民政局", "kind": "department", "catalog": "shjz", "url": "http://x/mzj/"}]},
        allow_unicode=True), "utf-8")
    assert load_registry(sites).catalogs["shjz"].name == "社会救助领域标准目录"
    again = zwgk("catalog", "import", str(book), "-o", str(out))
    assert again.code == 2 and "--force" in again.stderr


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b"not a workbook"), "无法读取 Excel 文件"),
    (lambda p: write_catalog_book(p, header=False), "未找到标准目录表头"),
    (lambda p: None, "文件不存在"),
])
def test_bad_workbooks_are_one_line_errors(tmp_path, make, message):
    path = tmp_path / "目录.xlsx"
    make(path)
    with pytest.raises(ConfigError, match=message) as exc:
        import_catalog(path)
    assert str(exc.value).startswith(str(path)) and "\n" not in str(exc.value)


def test_zwgk_catalog_import_refuses_a_bad_workbook(tmp_path, zwgk):
    path = tmp_path / "目录.xlsx"
    path.write_bytes(b"not a workbook")
    failed = zwgk("catalog", "import", str(path), "-o", str(tmp_path / "c.yaml"))
    assert failed.code == 2 and "无法读取 Excel 文件" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
