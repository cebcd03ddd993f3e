"""Read-only pages: overview, findings, a finding with its evidence, runs, spot checks, schedule, audit log."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, render_template, request, send_file
from flask_login import login_required
from sqlalchemy import func, select

from reports.evidence_text import evidence_text
from store import clock
from store import models as m
from store.evidence import load_snapshot
from store.models_console import AuditEntry, ConsoleUser, Rectification
from store.models_evidence import Screenshot
from store.models_schedule import JobRun
from store.models_spotcheck import (FindingStatusChange, SpotcheckAnnouncement, SpotcheckDraw, SpotcheckRound)
from web.auth import own_department, roles
from web.queries import (PAGE_SIZE, SEVERITY_NAMES, SORTS, STATUS_NAMES, Filters, check_titles, deadline,
                         department_names, findings_page, overview as overview_rows)

bp = Blueprint("views", __name__)
SNAPSHOT_SANDBOX = "sandbox; default-src 'none'"  # a stored page is shown as text, in a sandbox, never run


def register_filters(app) -> None:
    app.jinja_env.filters["status_name"] = lambda s: STATUS_NAMES.get(s, s)
    app.jinja_env.filters["severity_name"] = lambda s: SEVERITY_NAMES.get(s, s)
    app.jinja_env.filters["check_title"] = lambda c: check_titles().get(c, c)
    app.jinja_env.filters["evidence_text"] = evidence_text
    app.jinja_env.filters["http_only"] = lambda u: u if isinstance(u, str) and urlsplit(u).scheme in ("http", "https") else None
    app.jinja_env.filters["when"] = lambda t: "" if t is None else f"{t:%Y-%m-%d %H:%M}"
    app.context_processor(lambda: {"today": clock.today()})


def _finding_or_404(finding_id: int) -> m.Finding:
    """A finding the current user may see: department users only their own (another's id answers 404)."""
    finding = g.db.get(m.Finding, finding_id)
    scope = own_department()
    if finding is None or (scope is not None and finding.department_id != scope):
        abort(404)
    return finding


@bp.route("/")
@login_required
def overview():
    return render_template("overview.html.j2", rows=overview_rows(g.db, own_department()))


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


@bp.route("/findings")
@login_required
def findings():
    scope = own_department()
    sort = request.args.get("sort", "id")
    filters = Filters(department=request.args.get("department") or None, check=request.args.get("check") or None,
                      severity=request.args.get("severity") or None, status=request.args.get("status") or None,
                      run=_int("run"), overdue=request.args.get("overdue") == "1",
                      sort=sort if sort in SORTS else "id", descending=request.args.get("desc") == "1",
                      page=_int("page") or 1)
    page = findings_page(g.db, filters, scope=scope)
    if page.run is not None and scope is not None:
        crawl = g.db.get(m.CrawlRun, page.run.crawl_run_id)
        if scope not in (crawl.departments or []):
            abort(404)
    runs = g.db.scalars(select(m.CheckRun).order_by(m.CheckRun.id.desc()).limit(50)).all()
    return render_template("findings.html.j2", page=page, filters=filters, names=department_names(g.db),
                           titles=check_titles(), runs=runs, page_size=PAGE_SIZE, statuses=STATUS_NAMES,
                           severities=SEVERITY_NAMES)


@bp.route("/findings/<int:finding_id>")
@login_required
def finding(finding_id: int):
    f = _finding_or_404(finding_id)
    run = g.db.get(m.CheckRun, f.check_run_id)
    shots = [s for s in g.db.scalars(select(Screenshot).where(Screenshot.check_run_id == f.check_run_id))
             if f.id in (s.finding_ids or []) and s.path]
    history = g.db.scalars(select(FindingStatusChange).where(FindingStatusChange.finding_id == f.id)
                           .order_by(FindingStatusChange.at)).all()
    answers = g.db.scalars(select(Rectification).where(Rectification.finding_id == f.id)
                           .order_by(Rectification.id)).all()
    evidence = f.evidence or {}
    snapshot_url = evidence.get("source_url") or evidence.get("page") or f.url
    from web.rectify import DecisionForm, RectifyForm

    people = dict(g.db.execute(select(ConsoleUser.id, ConsoleUser.display_name)).all())
    return render_template("finding.html.j2", f=f, run=run, shots=shots, history=history, answers=answers,
                           people=people,
                           deadline=deadline(f.detected_at.date()), names=department_names(g.db),
                           chain=evidence.get("redirect_chain") or [], linking=evidence.get("source_url"),
                           has_snapshot=bool(snapshot_url and load_snapshot(g.db, run.crawl_run_id, snapshot_url)),
                           rectify_form=RectifyForm(), decision_form=DecisionForm())


@bp.route("/findings/<int:finding_id>/snapshot")
@login_required
def snapshot(finding_id: int):
    """The stored page behind a finding, as escaped source text: crawled HTML never runs in our origin."""
    f = _finding_or_404(finding_id)
    run = g.db.get(m.CheckRun, f.check_run_id)
    evidence = f.evidence or {}
    url = evidence.get("source_url") or evidence.get("page") or f.url
    stored = load_snapshot(g.db, run.crawl_run_id, url) if url else None
    if stored is None:
        abort(404)
    text = stored.body.decode("utf-8", errors="replace")
    response = render_template("snapshot.html.j2", f=f, stored=stored, text=text)
    return response, 200, {"Content-Security-Policy": SNAPSHOT_SANDBOX}


@bp.route("/screenshots/<int:shot_id>")
@login_required
def screenshot(shot_id: int):
    shot = g.db.get(Screenshot, shot_id)
    if shot is None or not shot.path:
        abort(404)
    allowed = [fid for fid in (shot.finding_ids or [])]
    scope = own_department()
    if scope is not None:
        mine = g.db.scalar(select(func.count()).where(m.Finding.id.in_(allowed), m.Finding.department_id == scope))
        if not mine:
            abort(404)
    path = Path(shot.path)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/png", max_age=0)


@bp.route("/departments")
@login_required
def departments():
    scope = own_department()
    stmt = select(m.Department).order_by(m.Department.id)
    if scope is not None:
        stmt = stmt.where(m.Department.id == scope)
    return render_template("departments.html.j2", departments=g.db.scalars(stmt).all())


@bp.route("/runs")
@roles("admin", "evaluator")
def runs():
    crawls = g.db.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc()).limit(100)).all()
    checks = g.db.scalars(select(m.CheckRun).order_by(m.CheckRun.id.desc()).limit(100)).all()
    return render_template("runs.html.j2", crawls=crawls, checks=checks)


@bp.route("/spotcheck")
@roles("admin", "evaluator")
def spotcheck():
    from checks import sampling

    announcements = g.db.scalars(select(SpotcheckAnnouncement).order_by(SpotcheckAnnouncement.id.desc())).all()
    draws = g.db.scalars(select(SpotcheckDraw).order_by(SpotcheckDraw.id.desc())).all()
    verified = {d.id: sampling.verify(d.frame, d.commitment, d.seed, d.result).ok for d in draws}
    rounds = g.db.scalars(select(SpotcheckRound).order_by(SpotcheckRound.id.desc())).all()
    return render_template("spotcheck.html.j2", announcements=announcements, draws=draws, verified=verified,
                           rounds=rounds)


@bp.route("/schedule")
@roles("admin", "evaluator")
def schedule():
    rows = g.db.scalars(select(JobRun).order_by(JobRun.scheduled_at.desc()).limit(200)).all()
    return render_template("schedule.html.j2", rows=rows)


@bp.route("/audit")
@roles("admin", "evaluator")
def audit_log():
    page = _int("page") or 1
    total = g.db.scalar(select(func.count(AuditEntry.id))) or 0
    rows = g.db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(100).offset((page - 1) * 100)).all()
    return render_template("audit.html.j2", rows=rows, page=page, pages=max(1, -(-total // 100)))


@bp.app_errorhandler(403)
def _forbidden(_e):
    return render_template("error.html.j2", code=403, message="没有权限访问此页面"), 403


@bp.app_errorhandler(404)
def _missing(_e):
    return render_template("error.html.j2", code=404, message="页面不存在"), 404


@bp.app_errorhandler(413)
def _too_large(_e):
    return render_template("error.html.j2", code=413, message="上传的文件过大（不超过 10 MB）"), 413


@bp.app_errorhandler(429)
def _throttled(e):
    return render_template("error.html.j2", code=429, message=str(e.description or "请求过于频繁，请稍后再试")), 429


