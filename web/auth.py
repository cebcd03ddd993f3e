"""Log in and out; who the current user is and what a role may see."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from store.models_console import ConsoleUser
from web import login_manager
from web.accounts import ROLE_NAMES, Actor, audit, authenticate, precise_now
from web.limits import LOGIN_LIMIT, limiter

bp = Blueprint("auth", __name__)


class SessionUser(UserMixin):
    def __init__(self, row: ConsoleUser) -> None:
        self.id = str(row.id)
        self.user_id = row.id
        self.username = row.username
        self.display_name = row.display_name
        self.role = row.role
        self.department_id = row.department_id

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


@login_manager.user_loader
def _load(user_id: str):
    try:
        row = g.db.get(ConsoleUser, int(user_id))
    except (TypeError, ValueError):
        return None
    if row is None or not row.active:
        return None
    issued = session.get("issued")
    if issued is None or issued < row.password_changed_at.timestamp():
        return None  # a password change or a disabled account ends older sessions
    return SessionUser(row)


def actor() -> Actor:
    return Actor(current_user.user_id, current_user.username, request.remote_addr)


def roles(*allowed: str):
    """Only these roles; anyone else gets 403 (logged-out users go to the login page)."""
    def wrap(view):
        @wraps(view)
        @login_required
        def inner(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return inner
    return wrap


def own_department() -> str | None:
    """The department a department user is limited to; None for the office and evaluators."""
    return current_user.department_id if current_user.role == "department" else None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or '\\' tricks (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=256)])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], error_message="登录尝试过于频繁，请稍后再试")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        row = authenticate(g.db, form.username.data, form.password.data)
        if row is None:
            audit(g.db, Actor(None, form.username.data[:64], request.remote_addr), "login.failed",
                  f"user:{form.username.data[:64]}", {})
            g.db.commit()
            flash("用户名或密码不正确", "error")
        else:
            session.clear()
            session.permanent = True
            session["issued"] = precise_now().timestamp()
            login_user(SessionUser(row))
            audit(g.db, actor(), "login", f"user:{row.username}", {})
            g.db.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("views.overview"))
    return render_template("login.html.j2", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit(g.db, actor(), "logout", f"user:{current_user.username}", {})
    g.db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
