"""Account management in the console (office administrators only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from store.models_console import ConsoleUser
from web.accounts import ROLE_NAMES, AccountError, add_user, set_active, set_password
from web.auth import actor, roles
from web.queries import department_names

bp = Blueprint("users", __name__)


class NewUserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请填写用户名"), Length(max=64)])
    display_name = StringField("姓名", validators=[Length(max=100)])
    role = SelectField("角色", choices=[(k, v) for k, v in ROLE_NAMES.items()])
    department = SelectField("所属单位（单位用户）", choices=[])
    password = PasswordField("初始密码", validators=[DataRequired(message="请填写初始密码"), Length(max=256)])


class PasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired(message="请填写新密码"), Length(max=256)])


class ToggleForm(FlaskForm):
    pass


def _form() -> NewUserForm:
    form = NewUserForm()
    form.department.choices = [("", "（无）")] + list(department_names(g.db).items())
    return form


@bp.route("/users", methods=["GET", "POST"])
@roles("admin")
def users():
    form = _form()
    if form.validate_on_submit():
        try:
            add_user(g.db, actor(), username=form.username.data, password=form.password.data, role=form.role.data,
                     department=form.department.data or None, display_name=form.display_name.data or None)
        except AccountError as exc:
            g.db.rollback()
            flash(str(exc), "error")
        else:
            g.db.commit()
            flash(f"已添加用户 {form.username.data}", "ok")
            return redirect(url_for("users.users"))
    rows = g.db.scalars(select(ConsoleUser).order_by(ConsoleUser.username)).all()
    return render_template("users.html.j2", form=form, rows=rows, names=department_names(g.db),
                           roles=ROLE_NAMES, password_form=PasswordForm(), toggle_form=ToggleForm())


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@roles("admin")
def password(user_id: int):
    user = g.db.get(ConsoleUser, user_id) or abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            set_password(g.db, actor(), user, form.password.data)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            g.db.commit()
            flash(f"已重设 {user.username} 的密码", "ok")
    return redirect(url_for("users.users"))


@bp.route("/users/<int:user_id>/toggle", methods=["POST"])
@roles("admin")
def toggle(user_id: int):
    user = g.db.get(ConsoleUser, user_id) or abort(404)
    if ToggleForm().validate_on_submit():
        set_active(g.db, actor(), user, not user.active)
        g.db.commit()
        flash(f"已{'启用' if user.active else '停用'}用户 {user.username}", "ok")
    return redirect(url_for("users.users"))
