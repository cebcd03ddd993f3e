from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parsing import is_soft_404, parse_document_page

PAGES = Path(__file__).parent / "pages" / "soft404"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not_exist", True),  # "抱歉，您访问的页面不存在或已被删除！" inside the full site template
        ("deleted", True),  # "该信息已删除或已撤销发布。"
        ("title_404", True),  # <title>404</title>
        ("nginx", True),  # server error page served with 200
        ("column_gone", True),  # "该栏目不存在"
        ("expired", True),  # "您要查看的页面已失效"
        ("article_mentions_delete", False),  # a real notice about deleting outdated information
        ("short_news_deleted_word", False),  # a short real notice titled "关于已删除…的说明"
    ],
)
def test_saved_pages(case: str, expected: bool) -> None:
    html = (PAGES / f"{case}.html").read_text(encoding="utf-8")
    page = parse_document_page(html, f"http://www.example.gov.cn/{case}.html")
    assert is_soft_404(page.text, page.title) is expected


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("", "404", True),
        ("", "404 - 页面未找到", True),
        ("", "页面不存在", True),
        ("", "找不到页面", True),
        ("返回首页", "文章不存在", True),
        ("页面未找到 返回首页", None, True),
        ("对不起，找不到您要访问的页面。", None, True),
        ("提示信息 内容已删除 返回", None, True),
        ("该文章已被删除", None, True),
        ("已被删除", None, True),
        ("404 Not Found", None, True),
        ("HTTP 404 - Page Not Found", None, True),
        ("页面已失效", None, True),
        ("示例市人民政府 首页 政务公开 " + "栏目导航 " * 50 + "您访问的页面不存在！", "示例市人民政府", True),
        # not soft 404s
        ("", None, False),
        ("", "通知公告_示例市人民政府", False),
        ("我市水资源不存在明显短缺问题，全年供水保障有力。", "示例市2026年水资源公报", False),
        ("关于已删除账号的说明：…", "关于已删除账号的说明", False),
        ("各单位对已删除的过期信息应保留目录。" * 30, "关于做好政府网站内容保障工作的通知", False),
        ("本次检查共发现404错误链接12个，均已整改。" + "检查情况通报正文。" * 40, "关于政府网站季度检查情况的通报", False),
        ("对显示“页面不存在”的链接逐一修复，并对已删除信息的引用链接同步移除，确保链接可用。", "工作动态", False),
    ],
)
def test_wordings(text: str, title: str | None, expected: bool) -> None:
    assert is_soft_404(text, title) is expected
