"""The rectification loop: a department answers a finding (已整改 with a note and optional proof, or 异议
with a reason); the office accepts or rejects; every step is kept in the finding's history and the audit log."""
from __future__ import annotations

import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, redirect, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from store import clock
from store import models as m
from store.models_console import Rectification
from store.models_spotcheck import FindingStatusChange, StatusChangeError, change_status
from web.auth import actor, roles
from web.accounts import audit
from web.views import _finding_or_404

bp = Blueprint("rectify", __name__)
PROOF_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
               (b"%PDF-", "application/pdf", "pdf"))
PROOF_LIMIT = 10 * 1024 * 1024


class RectifyForm(FlaskForm):
    kind = RadioField("答复", choices=[("rectified", "已整改"), ("disputed", "有异议")],
                      validators=[DataRequired(message="请选择已整改或有异议")])
    note = TextAreaField("说明", validators=[DataRequired(message="请填写整改情况或异议理由"), Length(max=2000)])
    proof = FileField("佐证材料（图片或 PDF，不超过 10 MB）")


class DecisionForm(FlaskForm):
    decision = RadioField("审核", choices=[("accepted", "通过"), ("rejected", "退回")],
                          validators=[DataRequired(message="请选择通过或退回")])
    note = TextAreaField("审核意见", validators=[DataRequired(message="请填写审核意见"), Length(max=2000)])


def sniff(head: bytes) -> tuple[str, str] | None:
    """The file's real type from its first bytes, whatever its name or the browser said."""
    for magic, mime, ext in PROOF_TYPES:
        if head.startswith(magic):
            return mime, ext
    return None


@bp.route("/findings/<int:finding_id>/answer", methods=["POST"])
@roles("department")
def answer(finding_id: int):
    f = _finding_or_404(finding_id)
    form = RectifyForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(url_for("views.finding", finding_id=f.id))
    if f.status not in ("open",):
        flash("该问题已答复，正在审核或已办结", "error")
        return redirect(url_for("views.finding", finding_id=f.id))
    if g.db.query(Rectification).filter_by(finding_id=f.id, decision="pending").first() is not None:
        flash("该问题已有待审核的答复", "error")
        return redirect(url_for("views.finding", finding_id=f.id))
    stored = _store_proof(form.proof.data)
    if stored is False:
        return redirect(url_for("views.finding", finding_id=f.id))
    row = Rectification(finding_id=f.id, kind=form.kind.data, note=form.note.data.strip(),
                        submitted_by=current_user.user_id, submitted_at=clock.now(), decision="pending",
                        **(stored or {}))
    g.db.add(row)
    if row.kind == "disputed":
        change_status(g.db, f, "disputed", row.note, current_user.display_name)
    g.db.flush()
    audit(g.db, actor(), f"finding.{row.kind}", f"finding:{f.id}",
          {"rectification": row.id, "proof": row.proof_type})
    g.db.commit()
    flash("已提交，等待办公室审核", "ok")
    return redirect(url_for("views.finding", finding_id=f.id))


def _store_proof(upload) -> dict | None | bool:
    """Saves an uploaded proof under a name the console chooses; False (with a message) when refused."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    data = upload.stream.read(PROOF_LIMIT + 1)
    if len(data) > PROOF_LIMIT:
        flash("佐证材料不能超过 10 MB", "error")
        return False
    kind = sniff(data[:16])
    if kind is None:
        flash("佐证材料只接受 PNG、JPEG 图片或 PDF 文件", "error")
        return False
    mime, ext = kind
    folder = Path(current_app.config["ZWGK_UPLOADS"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{ext}"
    (folder / name).write_bytes(data)
    shown = "".join(ch for ch in Path(upload.filename).name if ch.isprintable())[:200] or name
    return {"proof_path": name, "proof_type": mime, "proof_name": shown, "proof_size": len(data)}


@bp.route("/rectifications/<int:rid>/decide", methods=["POST"])
@roles("admin")
def decide(rid: int):
    row = g.db.get(Rectification, rid)
    if row is None:
        abort(404)
    f = g.db.get(m.Finding, row.finding_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(url_for("views.finding", finding_id=f.id))
    if row.decision != "pending":
        flash("该答复已审核", "error")
        return redirect(url_for("views.finding", finding_id=f.id))
    note = form.note.data.strip()
    try:
        if form.decision.data == "accepted":
            change_status(g.db, f, "rectified" if row.kind == "rectified" else "accepted", note,
                          current_user.display_name)
        elif row.kind == "disputed":  # a rejected objection: the finding is open again
            g.db.add(FindingStatusChange(finding_id=f.id, old_status=f.status, new_status="open", reason=note,
                                         by=current_user.display_name, at=clock.now()))
            f.status = "open"
    except StatusChangeError as exc:
        flash(str(exc), "error")
        return redirect(url_for("views.finding", finding_id=f.id))
    row.decision, row.decided_by, row.decided_at, row.decision_note = (form.decision.data, current_user.user_id,
                                                                       clock.now(), note)
    audit(g.db, actor(), f"rectification.{form.decision.data}", f"finding:{f.id}", {"rectification": row.id})
    g.db.commit()
    flash("已审核", "ok")
    return redirect(url_for("views.finding", finding_id=f.id))


@bp.route("/rectifications/<int:rid>/proof")
@login_required
def proof(rid: int):
    """An uploaded proof, always as a download with its sniffed type: never rendered in the console."""
    row = g.db.get(Rectification, rid)
    if row is None or not row.proof_path:
        abort(404)
    _finding_or_404(row.finding_id)  # department users: their own department's only
    path = Path(current_app.config["ZWGK_UPLOADS"]) / Path(row.proof_path).name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=row.proof_type, as_attachment=True,
                         download_name=f"佐证材料_{row.id}{path.suffix}", max_age=0)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


