"""crawler: Scrapy spider, parsing and politeness for disclosure columns."""
import os

# Scrapy's cookie handling asks tldextract for the Public Suffix List, which by default it downloads from
# the internet; the audit uses the snapshot bundled with tldextract instead (offline machines, no leaks).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
