"""`zwgk sites import`: the office's Excel/CSV department list becomes a valid sites.yaml."""
from __future__ import annotations

import yaml
from openpyxl import Workbook

from store.registry import load_registry

ROWS = [
    ["单位名称", "简称", "类型", "公开专栏地址", "首页地址"],
    ["示例市发展和改革委员会", "fgw", "部门", "http://www.example.gov.cn/fgw/zwgk/", "http://www.example.gov.cn/fgw/"],
    ["示例县人民政府", "", "县区", "http://sx.example.gov.cn/xxgk/", None],
    ["城东街道办事处", "cd", "乡镇街道", "http://www.example.gov.cn/cdjd/zwgk/", ""],
]


def _xlsx(path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_import_xlsx_writes_valid_sites(tmp_path, zwgk):
    src = _xlsx(tmp_path / "名录.xlsx", ROWS)
    out = tmp_path / "sites.yaml"
    result = zwgk("sites", "import", str(src), "-o", str(out), "--region", "示例市")
    assert result.code == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["region"] == "示例市"
    assert [(d["id"], d["kind"], d["catalog"]) for d in data["departments"]] == [
        ("fgw", "department", "municipal-department"),
        ("sx", "county", "county-government"),  # no 简称: derived from the host
        ("cd", "township", "township"),
    ]
    assert data["departments"][0]["home"] == "http://www.example.gov.cn/fgw/"
    assert "home" not in data["departments"][1]
    assert len(load_registry(out).departments) == 3
    again = zwgk("sites", "import", str(src), "-o", str(out))
    assert again.code == 2 and "--force" in again.stderr


def test_import_csv_in_gbk_with_english_headers(tmp_path, zwgk):
    src = tmp_path / "depts.csv"
    src.write_bytes("name,id,kind,url\n示例市教育局,jyj,department,http://e.example.gov.cn/jyj/zwgk/\n".encode("gb18030"))
    out = tmp_path / "sites.yaml"
    assert zwgk("sites", "import", str(src), "-o", str(out)).code == 0
    assert load_registry(out).department("jyj").name == "示例市教育局"


def test_import_errors_name_row_and_column(tmp_path, zwgk):
    bad_kind = _xlsx(tmp_path / "a.xlsx", [ROWS[0], ["某局", "mj", "公司", "http://x.gov.cn/zwgk/", ""]])
    result = zwgk("sites", "import", str(bad_kind), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "第 2 行" in result.stderr and "类型" in result.stderr and "公司" in result.stderr
    bad_url = _xlsx(tmp_path / "b.xlsx", [ROWS[0], ["某局", "mj", "部门", "ftp://x.gov.cn/zwgk/", ""]])
    result = zwgk("sites", "import", str(bad_url), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "公开专栏地址" in result.stderr and "http://" in result.stderr  # only http(s)
    no_header = _xlsx(tmp_path / "c.xlsx", [["名称", "网址"], ["某局", "http://x.gov.cn/"]])
    result = zwgk("sites", "import", str(no_header), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "表头" in result.stderr
    assert not (tmp_path / "o.yaml").exists()
    assert "Traceback" not in result.stderr


MESSY = [
    ["示例市政府网站和政务公开专栏名录", None, None, None, None, None],
    ["填报日期：2026年11月30日", None, None, None, None, None],
    [None, None, None, None, None, None],
    ["序号", "部门名称", "简称", "单位类别", "政务公开专栏地址", "门户网站首页"],
    [1, "示例市公安局", "ｇａｊ", "市直部门", "ｈｔｔｐ：／／www.example.gov.cn/gaj/zwgk/", "www.example.gov.cn/gaj/"],
    [None, None, None, None, None, None],
    [2, " 示例县人民政府 ", "sx", "区县", "sx.example.gov.cn/xxgk/", None],
    [3, "城北镇人民政府", "cbz", "镇", "http://www.example.gov.cn/cbz/zwgk/", None],
    [None, None, None, None, None, None],
    [4, "示例市城关街道办事处", "cg", "县（市、区）", "http://www.example.gov.cn/cgjd/zwgk/ ", None],
]


def test_a_real_office_sheet_imports_with_its_own_row_numbers(tmp_path, zwgk):
    src = _xlsx(tmp_path / "名录.xlsx", MESSY)
    out = tmp_path / "sites.yaml"
    result = zwgk("sites", "import", str(src), "-o", str(out), "--region", "示例市")
    assert result.code == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    depts = {d["id"]: d for d in data["departments"]}
    assert list(depts) == ["gaj", "sx", "cbz", "cg"]  # 序号 ignored; full-width ｇａｊ normalised
    assert depts["gaj"]["url"] == "http://www.example.gov.cn/gaj/zwgk/"  # ｈｔｔｐ：／／ normalised
    assert depts["gaj"]["home"] == "http://www.example.gov.cn/gaj/"  # 门户网站首页 kept, http:// added
    assert depts["sx"]["name"] == "示例县人民政府" and depts["sx"]["kind"] == "county"
    assert depts["cbz"]["kind"] == "township" and depts["cg"]["kind"] == "county"
    # what was added is said, with the sheet's own row numbers (blank lines counted)
    assert "第 5 行“门户网站首页”" in result.stdout and "第 7 行“政务公开专栏地址”" in result.stdout


def test_duplicates_and_bad_cells_name_the_sheets_real_row(tmp_path, zwgk):
    twice = MESSY[:8] + [[5, "示例市公安局交警支队", "jj", "部门", "http://www.example.gov.cn/gaj/zwgk", None]]
    result = zwgk("sites", "import", str(_xlsx(tmp_path / "a.xlsx", twice)), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "第 9 行" in result.stderr and "与第 5 行的专栏地址相同" in result.stderr
    same_name = MESSY[:8] + [[5, "示例市公安局", "gaj2", "部门", "http://other.example.gov.cn/zwgk/", None]]
    result = zwgk("sites", "import", str(_xlsx(tmp_path / "b.xlsx", same_name)), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "第 9 行" in result.stderr and "与第 5 行重复" in result.stderr
    bad_kind = MESSY[:6] + [[2, "某公司", "gs", "公司", "http://x.example.gov.cn/", None]]
    result = zwgk("sites", "import", str(_xlsx(tmp_path / "c.xlsx", bad_kind)), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "第 7 行" in result.stderr and "'公司'" in result.stderr
    no_url = [MESSY[0], ["序号", "单位名称", "类型"], [1, "某局", "部门"]]
    result = zwgk("sites", "import", str(_xlsx(tmp_path / "d.xlsx", no_url)), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "第 2 行（表头）" in result.stderr and "政务公开专栏地址" in result.stderr
    assert not (tmp_path / "o.yaml").exists() and "Traceback" not in result.stderr


def test_an_xls_sheet_and_a_csv_with_blank_lines(tmp_path, zwgk):
    import xlwt  # noqa: F401 - only to write the test's .xls

    book = xlwt.Workbook()
    sheet = book.add_sheet("名录")
    for r, row in enumerate(MESSY):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(tmp_path / "名录.xls"))
    out = tmp_path / "sites.yaml"
    result = zwgk("sites", "import", str(tmp_path / "名录.xls"), "-o", str(out))
    assert result.code == 0, result.stderr
    assert [d["id"] for d in yaml.safe_load(out.read_text(encoding="utf-8"))["departments"]] == ["gaj", "sx", "cbz", "cg"]
    csv_path = tmp_path / "名录.csv"
    csv_path.write_text("单位名称,简称,类型,公开专栏网址\n\n示例市教育局,jyj,部门,http://e.example.gov.cn/jyj/\n"
                        "示例市教育局,jyj2,部门,http://f.example.gov.cn/\n", encoding="utf-8")
    result = zwgk("sites", "import", str(csv_path), "-o", str(tmp_path / "c.yaml"))
    assert result.code == 2 and "第 4 行" in result.stderr and "与第 3 行重复" in result.stderr
