"""A large synthetic disclosure portal, served on 127.0.0.1, in the sample city's generic style.

    .venv/bin/python bench/synthportal.py [--departments 20 --columns 8 --documents 25] [--out DIR]

Pages are rendered on request from their URL (nothing is held in memory per document), so the full
size the issue names (200 departments x 15 columns x 200 documents = 600,000 documents) costs no more
memory than a small one. Every department has a disclosure root with a column tree, columns of
`--per-page` entries per list page with a 下一页 pager, documents with 发布时间/索引号/发布机构 labels,
one PDF attachment each, related links (to a document of the next column and to a shared 专题 page) and,
per department, planted broken links and one archive attachment (.zip):

* column 0, document 3 links to /dN/old/missing_3.html (404);
* column 1 (or 0), document 5 has the attachment /dN/uploadfiles/missing_5.pdf (404);
* column 0, document 0 has the attachment /dN/uploadfiles/archive_N.zip (200, a real zip).

Run as a script it serves until Ctrl-C and writes sites.yaml and broken.txt into --out.
The server counts requests by method; `/__stats` answers the counts as JSON (not counted itself).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import threading
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

COLUMN_NAMES = ("通知公告", "政策文件", "政策解读", "规划计划", "人事信息", "财政预决算", "统计信息", "行政许可",
                "行政处罚", "工作动态", "建议提案办理", "应急管理", "重点领域信息", "机构职能", "法规文件")
DEPT_NAMES = ("发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
              "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局",
              "文化广电旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局")
TOPICS = 50  # shared 专题 pages every document links to (one distinct target per k % TOPICS)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "synthetic archive")
    return buf.getvalue()


ZIP = _zip_bytes()


@dataclass(frozen=True)
class Portal:
    departments: int = 20
    columns: int = 8
    documents: int = 25  # per column
    per_page: int = 20
    anchor: date = date(2026, 11, 15)

    # --- names and URLs --------------------------------------------------------------------------------
    def dept_name(self, i: int) -> str:
        base = DEPT_NAMES[i % len(DEPT_NAMES)]
        return f"合成市{base}" if i < len(DEPT_NAMES) else f"合成市第{i // len(DEPT_NAMES)}区{base}"

    def column_name(self, j: int) -> str:
        base = COLUMN_NAMES[j % len(COLUMN_NAMES)]
        return base if j < len(COLUMN_NAMES) else f"{base}{j // len(COLUMN_NAMES) + 1}"

    def pages(self) -> int:
        return max(1, -(-self.documents // self.per_page))

    def list_url(self, i: int, j: int, page: int) -> str:
        return f"/d{i}/zwgk/c{j}/" + ("index.html" if page == 1 else f"index_{page}.html")

    def doc_url(self, i: int, j: int, k: int) -> str:
        return f"/d{i}/zwgk/c{j}/content_{k}.html"

    def published(self, i: int, j: int, k: int) -> date:
        return self.anchor - timedelta(days=(k * 3 + j + i) % 700)

    def broken(self, i: int) -> list[str]:
        """The planted broken URLs of department i (paths), when the documents that carry them exist."""
        out = []
        if self.documents > 3:
            out.append(f"/d{i}/old/missing_3.html")
        if self.documents > 5:
            out.append(f"/d{i}/uploadfiles/missing_5.pdf")
        return out

    def all_broken(self) -> list[str]:
        return [u for i in range(self.departments) for u in self.broken(i)]

    def archives(self) -> list[str]:
        return [f"/d{i}/uploadfiles/archive_{i}.zip" for i in range(self.departments)]

    def size(self) -> dict[str, int]:
        docs = self.departments * self.columns * self.documents
        return {"departments": self.departments, "columns": self.departments * self.columns, "documents": docs,
                "list_pages": self.departments * self.columns * self.pages(), "attachments": docs + self.departments}

    # --- pages -----------------------------------------------------------------------------------------
    def shell(self, i: int, title: str, main: str) -> str:
        name = escape(self.dept_name(i))
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}_{name}'
            f'</title>\n<link rel="stylesheet" href="/static/common.css">\n</head>\n<body>\n'
            f'<div class="header"><a href="/d{i}/">{name}</a></div>\n'
            f'<div class="topnav"><a href="/">合成市人民政府</a><a href="/d{i}/">首页</a>'
            f'<a href="/d{i}/zwgk/">政府信息公开</a></div>\n<div class="main">\n{main}\n</div>\n'
            f'<div class="footer"><p>主办单位：{name}</p></div>\n</body>\n</html>\n'
        )

    def tree(self, i: int) -> str:
        rows = "".join(f'<li><a href="{self.list_url(i, j, 1)}">{escape(self.column_name(j))}</a></li>'
                       for j in range(self.columns))
        return f'<div class="xxgk-nav"><h3>政府信息公开目录</h3><ul class="tree">{rows}</ul></div>'

    def render(self, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a path."""
        html = "text/html; charset=utf-8"
        parts = path.strip("/").split("/")
        if path == "/":
            rows = "".join(f'<li><a href="/d{i}/zwgk/">{escape(self.dept_name(i))}</a></li>'
                           for i in range(self.departments))
            return 200, html, f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>合成市</title></head>' \
                              f'<body><ul>{rows}</ul></body></html>'.encode()
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if path == "/static/common.css":
            return 200, "text/css", b"body{font-family:sans-serif}"
        if path.startswith("/portal/zt/") and path.endswith(".html"):
            n = path.rsplit("/", 1)[1][:-5]
            if n.isdigit() and int(n) < TOPICS:
                body = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>专题{n}</title></head>' \
                       f'<body><h1>专题专栏{n}</h1><p>合成市专题专栏内容，欢迎浏览。</p><p><a href="/">返回</a></p></body></html>'
                return 200, html, body.encode()
        dept = _index(parts[0], "d", self.departments) if parts else None
        if dept is None:
            return _not_found()
        i, rest = dept, parts[1:]
        if not rest:
            main = f'<div class="entry"><a href="/d{i}/zwgk/">政府信息公开</a></div>'
            return 200, html, self.shell(i, "首页", main).encode()
        if rest == ["zwgk"]:
            main = (f'<div class="left">{self.tree(i)}</div><div class="right"><h2>政府信息公开</h2>'
                    f"<p>{escape(self.dept_name(i))}依据《中华人民共和国政府信息公开条例》主动公开政府信息。</p></div>")
            return 200, html, self.shell(i, "政府信息公开", main).encode()
        if rest[0] == "uploadfiles" and len(rest) == 2:
            return self._file(i, rest[1])
        if len(rest) == 3 and rest[0] == "zwgk":
            j = _index(rest[1], "c", self.columns)
            if j is not None:
                return self._column_page(i, j, rest[2])
        return _not_found()

    def _file(self, i: int, name: str) -> tuple[int, str, bytes]:
        if name == f"archive_{i}.zip":
            return 200, "application/zip", ZIP
        stem, _, ext = name.partition(".")
        j, _, k = stem.partition("_")
        if ext == "pdf" and j.isdigit() and k.isdigit() and int(j) < self.columns and int(k) < self.documents:
            return 200, "application/pdf", PDF
        return _not_found()

    def _column_page(self, i: int, j: int, name: str) -> tuple[int, str, bytes]:
        html = "text/html; charset=utf-8"
        if name == "index.html" or (name.startswith("index_") and name.endswith(".html")):
            page = 1 if name == "index.html" else _int(name[6:-5])
            if page is None or not 1 <= page <= self.pages() or name == "index_1.html":
                return _not_found()
            return 200, html, self._list(i, j, page).encode()
        if name.startswith("content_") and name.endswith(".html"):
            k = _int(name[8:-5])
            if k is not None and k < self.documents:
                return 200, html, self._doc(i, j, k).encode()
        return _not_found()

    def _list(self, i: int, j: int, page: int) -> str:
        start = (page - 1) * self.per_page
        rows = "".join(
            f'<li><a href="{self.doc_url(i, j, k)}" target="_blank" title="{escape(self.title(i, j, k))}">'
            f"{escape(self.title(i, j, k))}</a><span>{self.published(i, j, k):%Y-%m-%d}</span></li>\n"
            for k in range(start, min(start + self.per_page, self.documents))
        )
        pages = self.pages()
        link = lambda n, text: f'<a href="{self.list_url(i, j, n)}">{text}</a>'  # noqa: E731
        prev = link(page - 1, "上一页") if page > 1 else "<span>上一页</span>"
        nxt = link(page + 1, "下一页") if page < pages else "<span>下一页</span>"
        pager = f'<div class="pager">{link(1, "首页")}{prev}{nxt}{link(pages, "尾页")}<span>第{page}页/共{pages}页</span></div>'
        name = escape(self.column_name(j))
        main = (f'<div class="left">{self.tree(i)}</div><div class="right"><h2 class="column-title">{name}</h2>'
                f'<ul class="list">\n{rows}</ul>{pager}</div>')
        return self.shell(i, self.column_name(j), main)

    def title(self, i: int, j: int, k: int) -> str:
        return f"关于{self.column_name(j)}第{k + 1}号事项的通知"

    def _doc(self, i: int, j: int, k: int) -> str:
        day = self.published(i, j, k)
        files = [(f"附件{k + 1}.pdf", f"/d{i}/uploadfiles/{j}_{k}.pdf")]
        if j == 0 and k == 0:
            files.append(("申报材料汇总.zip", f"/d{i}/uploadfiles/archive_{i}.zip"))
        if j == min(1, self.columns - 1) and k == 5:
            files.append(("附件（旧）.pdf", f"/d{i}/uploadfiles/missing_5.pdf"))
        related = [(self.title(i, (j + 1) % self.columns, k), self.doc_url(i, (j + 1) % self.columns, k)),
                   (f"专题专栏{k % TOPICS}", f"/portal/zt/{k % TOPICS}.html")]
        if j == 0 and k == 3:
            related.append(("往期专题", f"/d{i}/old/missing_3.html"))
        name = escape(self.dept_name(i))
        att = "".join(f'<li><a href="{u}">{escape(t)}</a></li>' for t, u in files)
        rel = "".join(f'<li><a href="{u}">{escape(t)}</a></li>' for t, u in related)
        main = (
            f'<div class="article"><h1>{escape(self.title(i, j, k))}</h1>'
            f'<div class="info"><span>发布时间：{day:%Y-%m-%d} 09:30</span><span>来源：{name}</span></div>'
            f'<ul class="meta"><li><b>索引号：</b>SYN{i:04d}-{j:02d}-{day:%Y}-{k:05d}</li>'
            f'<li><b>发布机构：</b>{name}</li><li><b>发布日期：</b>{day:%Y-%m-%d}</li></ul>'
            f'<div class="content"><p>各有关单位：</p><p>现将{escape(self.column_name(j))}有关事项通知如下，请认真贯彻执行。'
            f'本文为合成门户第{i}个单位第{j}个栏目的第{k}篇文件。</p><p>特此通知。</p></div></div>'
            f'<div class="attachments"><p>附件：</p><ul>{att}</ul></div>'
            f'<div class="related"><h3>相关链接</h3><ul>{rel}</ul></div>'
        )
        return self.shell(i, self.title(i, j, k), main)

    # --- files -----------------------------------------------------------------------------------------
    def sites(self, base: str) -> str:
        lines = ["region: 合成市", "catalogs: [municipal-department]", "departments:"]
        for i in range(self.departments):
            lines += [f"  - id: d{i}", f"    name: {self.dept_name(i)}", "    kind: department", "    catalog: municipal-department",
                      f"    url: {base}/d{i}/zwgk/", f"    home: {base}/d{i}/"]
        return "\n".join(lines) + "\n"

    def write(self, out: Path, base: str) -> tuple[Path, Path]:
        out.mkdir(parents=True, exist_ok=True)
        sites, broken = out / "sites.yaml", out / "broken.txt"
        sites.write_text(self.sites(base), encoding="utf-8")
        broken.write_text("".join(f"{base}{u}\n" for u in self.all_broken()), encoding="utf-8")
        return sites, broken


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _index(segment: str, prefix: str, bound: int) -> int | None:
    if segment.startswith(prefix):
        n = _int(segment[len(prefix):])
        if n is not None and n < bound:
            return n
    return None


def _not_found() -> tuple[int, str, bytes]:
    return 404, "text/html; charset=utf-8", "<html><head><title>404 Not Found</title></head><body>404 页面不存在</body></html>".encode()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, portal: Portal, etag: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.portal = portal
        self.etag = etag  # send ETags and answer If-None-Match with 304, as many CMSs do for static pages
        self.not_modified = 0  # 304 answers (also counted in counts, by method)
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.base = f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up (peers closing keep-alive connections) are not errors here

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    def start(self) -> Server:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as production web servers set it (nginx `tcp_nodelay on`): headers and body go out in
    # two writes, and without it Nagle holds the body until the client's delayed ACK (up to 40 ms) on
    # every kept-alive connection, which penalises exactly the clients that reuse connections
    disable_nagle_algorithm = True
    server: Server

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/__stats":
            with self.server.lock:
                body = json.dumps(self.server.counts).encode()
            status, kind = 200, "application/json"
        else:
            with self.server.lock:
                self.server.counts[self.command] = self.server.counts.get(self.command, 0) + 1
            status, kind, body = self.server.portal.render(path)
        etag = f'"{hashlib.sha1(body).hexdigest()}"' if self.server.etag and status == 200 else None
        if etag and self.headers.get("If-None-Match") == etag:
            with self.server.lock:
                self.server.not_modified += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # linkchecker spaces requests to one host 0.1-0.6 s apart unless the server answers this header
        # (linkcheck/checker/httpurl.py): without it linkchecker cannot run at the concurrency set
        self.send_header("LinkChecker", "unlimited")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--columns", type=int, default=8)
    parser.add_argument("--documents", type=int, default=25, help="documents per column")
    parser.add_argument("--out", type=Path, default=Path("synthportal"))
    args = parser.parse_args()
    portal = Portal(args.departments, args.columns, args.documents)
    server = Server(portal).start()
    sites, broken = portal.write(args.out, server.base)
    print(f"serving {portal.size()} at {server.base}/ ; wrote {sites} and {broken}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
