"""Write a round's 通报 in every format: DOCX (公文), HTML, PDF (the DOCX through LibreOffice), XLSX 问题清单."""
from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from reports import charts
from reports.bulletin_blocks import Document, Figure, cn_date
from reports.bulletin_context import BulletinContext, BulletinSettings, bulletin_context
from reports.bulletin_text import compose
from reports.docx_gongwen import write_docx
from reports.docx_pdf import PdfConversionError, docx_to_pdf
from reports.html import environment
from reports.evidence_text import evidence_text
from reports.xlsx import write_tracking_table
from store.models_spotcheck import SpotcheckRound
from store.safetext import shown

XLSX_HEADER = ("问题编号", "单位", "问题类型", "页面地址", "问题描述", "整改建议", "检测时间", "证据", "截图", "整改期限",
               "整改状态", "复查结果")
STATUS_WORDS = {"open": "未整改", "rectified": "已整改", "disputed": "有异议（核实中）", "accepted": "情况说明已采纳"}


@dataclass(frozen=True)
class WrittenFiles:
    docx: Path
    html: Path
    xlsx: Path | None
    pdf: Path | None
    pdf_error: str | None = None

    def paths(self) -> list[Path]:
        return [p for p in (self.docx, self.pdf, self.html, self.xlsx) if p is not None]


def render_html(doc: Document) -> str:
    env = environment()
    env.filters["block_kind"] = lambda block: type(block).__name__
    env.filters["png_data_uri"] = lambda png: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    env.filters["cn_date"] = cn_date
    return env.get_template("bulletin_base.html.j2").render(doc=doc)


def shown_blocks(value):
    """The document with every text in it shown through store.safetext (numbers masked, control characters
    removed): titles, addresses and messages came from the web, and python-docx refuses XML-illegal ones."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: shown_blocks(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, (str, dict)):
        return shown(value)
    if isinstance(value, (list, tuple)):
        return type(value)(shown_blocks(v) for v in value)
    return value


def write_document(doc: Document, out_dir: Path, stem: str, *, pdf: bool = False) -> WrittenFiles:
    """DOCX and HTML of one document (and its PDF when asked); a failed PDF is reported, not raised."""
    doc = shown_blocks(doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    docx = write_docx(doc, out_dir / f"{stem}.docx")
    html = out_dir / f"{stem}.html"
    html.write_text(render_html(doc), encoding="utf-8")
    pdf_path, pdf_error = None, None
    if pdf:
        try:
            pdf_path = docx_to_pdf(docx, out_dir)
        except PdfConversionError as exc:
            pdf_error = str(exc)
    return WrittenFiles(docx, html, None, pdf_path, pdf_error)


def bulletin_figures(ctx: BulletinContext) -> tuple[Figure, ...]:
    if not ctx.findings:
        return ()
    per_dept = sorted(((d.name, d.findings) for d in ctx.departments), key=lambda r: -r[1])
    by_kind = [(c.title, c.count) for c in ctx.categories]
    return (Figure(charts.horizontal_bars(per_dept, title="各单位问题数"), "图1  各被抽查单位问题数"),
            Figure(charts.share_pie(by_kind, title="问题类型分布"), "图2  问题类型分布", 12.0))


def bulletin_stem(ctx: BulletinContext) -> str:
    return f"bulletin_{ctx.year}_{ctx.period:02d}"


def write_problem_list(ctx: BulletinContext, path: Path) -> Path:
    """问题清单 for tracking 整改: one row per problem the bulletin lists (system findings and manual ones),
    numbered as in 附件2, with the deadline, status and re-check result; never empty when the bulletin
    lists problems."""
    deadline = cn_date(ctx.deadline)
    rows: list[tuple] = []
    for i, f in enumerate(ctx.findings, start=1):
        shot = ""
        if f.id in ctx.screenshots:
            shot_path = Path(ctx.screenshots[f.id][0])
            try:
                shot = str(shot_path.resolve().relative_to(path.parent.resolve()))
            except ValueError:
                shot = shot_path.name if shot_path.parent == path.parent else str(shot_path)
        rows.append((f"{ctx.year}-{ctx.period:02d}-{i:03d}", f.department_name, f.check_title, f.url or "",
                     f.message, f.fix, cn_datetime(f.detected_at), evidence_text(f.evidence), shot, deadline,
                     STATUS_WORDS.get(f.status, f.status), ctx.rechecks.get(f.id, "")))
    for j, m in enumerate(ctx.manual_problems, start=len(rows) + 1):
        rows.append((f"{ctx.year}-{ctx.period:02d}-{j:03d}", m.department, f"人工核查：第{m.item}项{m.item_name}", "",
                     f"{m.field}：{m.value}", "按核查意见整改", "", f"检查人员：{m.by}", "", deadline, "未整改", ""))
    return write_tracking_table(path, "问题清单", XLSX_HEADER, rows,
                                widths=[14, 22, 18, 42, 50, 40, 18, 40, 22, 16, 12, 24],
                                links={3: "url", 8: "file"}, title=f"{ctx.title}问题清单")


def cn_datetime(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日{value.hour}时{value.minute:02d}分"


def write_bulletin(session: Session, spot: SpotcheckRound, out_dir: str | Path,
                   settings: BulletinSettings | None = None, *, pdf: bool = True) -> WrittenFiles:
    ctx = bulletin_context(session, spot, settings)
    stem = bulletin_stem(ctx)
    out_dir = Path(out_dir)
    files = write_document(compose(ctx, bulletin_figures(ctx)), out_dir, stem, pdf=pdf)
    xlsx = write_problem_list(ctx, out_dir / f"{stem}_问题清单.xlsx")
    return WrittenFiles(files.docx, files.html, xlsx, files.pdf, files.pdf_error)
