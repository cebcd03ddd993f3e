"""Soft 404s: pages served with 200 that say the page or document does not exist (any more).

Conservative on purpose: a normal article that merely mentions "已删除" is not one. Only the title or a
short page body counts.
"""

from __future__ import annotations

import re

from ._html import collapse

__all__ = ["is_soft_404"]

# Sentences error pages print; unlikely in the first lines of a real short page.
_NOUN = r"(?:页面|网页|信息|文章|内容|栏目|稿件|文档|资源|链接|新闻|文件)"
_GONE = (r"(?:不存在|未找到|找不到|已被?删除|已被?撤销|已被?撤下|已失效|已过期|已下线|已被?移除|暂时无法访问|"
         r"无法找到|无法访问)")
_STRONG = re.compile(
    rf"(?:访问|浏览|查看|请求|查找|打开)的?{_NOUN}{_GONE}"
    rf"|(?:^|(?<=[\s，。！!,.:：;；、（(【\[]|该|此|本|原)){_NOUN}{_GONE}"
    r"|(?:找不到|无法找到|未找到)(?:您要访问的|您访问的|您所访问的|所请求的|请求的|该|此)?(?:页面|网页)"
    r"|链接已失效|错误代码\s*[:：]?\s*404|^404(?:错误|页面)",
    re.I,
)
_ENGLISH = re.compile(r"404\s*not\s*found|page\s+not\s+found|http\s*(?:error\s*)?404|\b404\s+error\b", re.I)
_SENTENCES = re.compile(r"[。！!？?；;\s]+")
_NOTICE = re.compile(r"关于|通知|公告|决定|办法|规定|意见|说明|通报|公示")
# Words that only count when they are nearly all the page says.
_WEAK = re.compile(r"已被?删除|已失效|已下线|无法访问|出错了|出错啦|访问出错")
_TITLE_404 = re.compile(r"^\s*(?:404|错误\s*404|404\s*[-_|：:]?.{0,20}|error\s*404)\s*$|404\s*not\s*found", re.I)
_SHORT_BODY = 3000
_SHORT_SENTENCE = 40
_LEAD_IN = 12  # "抱歉，您访问的页面不存在": the message opens its sentence
_TINY_BODY = 150
_SHORT_TITLE = 16


def is_soft_404(text: str, title: str | None = None) -> bool:
    """True if the page announces that what was asked for does not exist."""
    title = collapse(title)
    body = collapse(text)
    if title and not _looks_like_notice(title):
        if _TITLE_404.match(title) or _STRONG.search(title):
            return True
        if len(title) <= _SHORT_TITLE and _WEAK.search(title):
            return True
    if len(body) <= _SHORT_BODY:
        if _ENGLISH.search(body):
            return True
        # The message must be a sentence of its own ("抱歉，您访问的页面不存在！"), not a phrase quoted
        # inside a long sentence of an article about broken links.
        if _opens_a_sentence(body, _STRONG, _SHORT_SENTENCE):
            return True
    if len(body) <= _TINY_BODY and not _looks_like_notice(body):
        return _opens_a_sentence(body, _WEAK, _SHORT_SENTENCE // 2)
    return False


def _opens_a_sentence(body: str, pattern: re.Pattern[str], longest: int) -> bool:
    for chunk in _SENTENCES.split(body):
        m = pattern.search(chunk) if len(chunk) <= longest else None
        if m is not None and m.start() <= _LEAD_IN:
            return True
    return False


def _looks_like_notice(text: str) -> bool:
    """Notices about deleting things ("关于已删除信息的说明") are content, not errors."""
    return bool(_NOTICE.search(text[:40]))
