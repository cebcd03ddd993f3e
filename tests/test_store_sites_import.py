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
    bad_url = _xlsx(tmp_path / "b.xlsx", [ROWS[0], ["某局", "mj", "部门", "www.x.gov.cn/zwgk/", ""]])
    result = zwgk("sites", "import", str(bad_url), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "公开专栏地址" in result.stderr and "http://" in result.stderr
    no_header = _xlsx(tmp_path / "c.xlsx", [["名称", "网址"], ["某局", "http://x.gov.cn/"]])
    result = zwgk("sites", "import", str(no_header), "-o", str(tmp_path / "o.yaml"))
    assert result.code == 2 and "表头" in result.stderr
    assert not (tmp_path / "o.yaml").exists()
    assert "Traceback" not in result.stderr
