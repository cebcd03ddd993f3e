"""`zwgk serve` (the web console) and `zwgk users …` (console accounts, for the first administrator)."""
from __future__ import annotations

import sys
from typing import Optional

import typer

from scheduler.cli import UserError, app, out, state

users_app = typer.Typer(help="网页控制台的用户：添加、改密码、停用、列出。", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command("serve")
def serve(host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机）"),
          port: int = typer.Option(8000, "--port", help="端口"),
          uploads: Optional[str] = typer.Option(None, "--uploads", help="佐证材料保存目录（默认在数据库文件旁）")):
    """启动网页控制台（开发和演示用；生产环境请用 gunicorn，见 docs/console.md）。"""
    if not 0 < port < 65536:
        raise UserError(f"--port: 应为 1–65535 的端口号（实际为 {port}）")
    from werkzeug.serving import run_simple

    from web import create_app

    console = create_app(state.db, upload_dir=uploads, secure_cookies=False)
    out.print(f"网页控制台：http://{host}:{port}/（按 Ctrl-C 停止）", highlight=False, soft_wrap=True)
    try:
        run_simple(host, port, console, use_reloader=False, threaded=True)
    except OSError as exc:
        raise UserError(f"--port: 无法在 {host}:{port} 监听（{exc.strerror or exc}）") from None


def _password(stdin: bool) -> str:
    if stdin:
        line = sys.stdin.readline()
        if not line:
            raise UserError("--password-stdin: 标准输入中没有密码")
        return line.rstrip("\r\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def _session():
    from scheduler.jobs import open_session

    return open_session(state.db)


def _cli_actor():
    import getpass

    from web.accounts import Actor

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(None, f"cli:{who}", None)


@users_app.command("add")
def users_add(username: str = typer.Argument(..., help="用户名"),
              role: str = typer.Option(..., "--role", help="admin（办公室管理员）| evaluator（评估人员）| department（单位用户）"),
              department: Optional[str] = typer.Option(None, "--department", "-d", help="单位用户的所属单位编号"),
              name: Optional[str] = typer.Option(None, "--name", help="姓名（显示用）"),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码")):
    """添加用户。"""
    from web.accounts import AccountError, add_user

    with _session() as session:
        try:
            add_user(session, _cli_actor(), username=username, password=_password(password_stdin), role=role,
                     department=department, display_name=name)
        except AccountError as exc:
            raise UserError(str(exc)) from None
        session.commit()
    out.print(f"已添加用户 {username}（{role}）", highlight=False)


@users_app.command("passwd")
def users_passwd(username: str = typer.Argument(..., help="用户名"),
                 password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码")):
    """设置用户的新密码（该用户已登录的会话随即失效）。"""
    from web.accounts import AccountError, find_user, set_password

    with _session() as session:
        try:
            set_password(session, _cli_actor(), find_user(session, username), _password(password_stdin))
        except AccountError as exc:
            raise UserError(str(exc)) from None
        session.commit()
    out.print(f"已设置 {username} 的新密码", highlight=False)


@users_app.command("disable")
def users_disable(username: str = typer.Argument(..., help="用户名")):
    """停用用户（其会话随即失效）。"""
    _toggle(username, False)


@users_app.command("enable")
def users_enable(username: str = typer.Argument(..., help="用户名")):
    """重新启用用户。"""
    _toggle(username, True)


def _toggle(username: str, active: bool) -> None:
    from web.accounts import AccountError, find_user, set_active

    with _session() as session:
        try:
            set_active(session, _cli_actor(), find_user(session, username), active)
        except AccountError as exc:
            raise UserError(str(exc)) from None
        session.commit()
    out.print(f"已{'启用' if active else '停用'}用户 {username}", highlight=False)


@users_app.command("list")
def users_list():
    """列出用户。"""
    from rich.markup import escape
    from rich.table import Table
    from sqlalchemy import select

    from store.models_console import ConsoleUser
    from web.accounts import ROLE_NAMES

    table = Table("用户名", "姓名", "角色", "所属单位", "状态", "最近登录")
    with _session() as session:
        for u in session.scalars(select(ConsoleUser).order_by(ConsoleUser.username)):
            table.add_row(escape(u.username), escape(u.display_name), ROLE_NAMES.get(u.role, u.role),
                          escape(u.department_id or ""), "启用" if u.active else "停用",
                          f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "")
    out.print(table)
