"""The web console (`zwgk serve`): the office, evaluators and departments browse findings, answer them and
follow rectification, over the same database as the CLI. A thin front end: it queries the store and calls
the same functions as the CLI; it never crawls in its own process.

create_app(db_url) builds the Flask application; gunicorn serves `web.wsgi:app` in production.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, g
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from store.db import database_url, make_engine, session_factory
from store.migrate import upgrade

SESSION_HOURS = 8  # an office working day; then log in again
UPLOAD_LIMIT = 10 * 1024 * 1024  # proof files (images, PDF)

# No script runs in the console at all; styles and images come from the console itself.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(db_url: str | None = None, *, upload_dir: str | Path | None = None, testing: bool = False,
               secure_cookies: bool | None = None) -> Flask:
    from web import auth, rectify, users, views
    from web.limits import limiter

    app = Flask(__name__, static_folder="static", template_folder="templates")
    # Flask escapes only templates named .html/.xml; ours end in .j2: everything is escaped, always
    app.jinja_env.autoescape = True
    url = database_url(db_url)
    engine = make_engine(url)
    upgrade(engine)
    make_session = session_factory(engine)
    with make_session() as session:
        key = _signing_key(session)
    app.config.update(
        SECRET_KEY=key, TESTING=testing, MAX_CONTENT_LENGTH=UPLOAD_LIMIT + 64 * 1024,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(secure_cookies), REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600, ZWGK_DB=url,
        ZWGK_UPLOADS=str(Path(upload_dir) if upload_dir else _default_uploads(url)),
        RATELIMIT_STORAGE_URI="memory://", RATELIMIT_HEADERS_ENABLED=False,
    )
    app.extensions["zwgk_sessions"] = make_session

    @app.before_request
    def _open_session() -> None:
        g.db = make_session()

    @app.teardown_request
    def _close_session(_exc) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = response.headers.get("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = "strong"
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(rectify.bp)
    app.register_blueprint(users.bp)
    views.register_filters(app)
    return app


def _signing_key(session) -> str:
    """One key per database, made on first start and shared by every worker (sessions survive restarts)."""
    from store.models_console import ConsoleSecret

    row = session.get(ConsoleSecret, "session")
    if row is None:
        row = ConsoleSecret(name="session", value=secrets.token_hex(32))
        session.add(row)
        session.commit()
    return row.value


def _default_uploads(url: str) -> Path:
    """Beside a SQLite file; else in the working directory."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).resolve().parent / "zwgk-uploads"
    return Path("zwgk-uploads").resolve()
