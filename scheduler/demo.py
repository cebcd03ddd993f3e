"""`zwgk demo`: the whole audit on the bundled sample city, in one command."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from scheduler import jobs
from store.registry import load_registry


def run_demo(output: Path, *, port: int = 0, db: str | None = None, console: Console | None = None) -> dict:
    from samplecity.server import start

    console = console or Console()
    output.mkdir(parents=True, exist_ok=True)
    db_url = db or f"sqlite:///{(output / 'zwgk.db').resolve()}"
    with start(port=port) as city:
        console.print(f"示例城市站点已启动：{city.base_url}/")
        sites = city.write_sites(output / "sites.yaml")
        registry = load_registry(sites)
        console.print(f"开始抓取 {len(registry.departments)} 个单位的政务公开专栏…")
        log_file = output / "crawl.log"
        crawl = jobs.crawl_job(registry, db_url, fast=True, overrides={"LOG_LEVEL": "INFO", "LOG_FILE": str(log_file),
                                                                       "LOG_FILE_APPEND": False})
        console.print(f"抓取完成（批次 #{crawl.run_id}）：请求 {crawl.stats.get('downloader/request_count', 0)} 次，"
                      f"检查链接 {crawl.stats.get('zwgk/links/checked', 0)} 个")
        summary = jobs.check_job(registry, db_url, crawl_run_id=crawl.run_id)
        report = jobs.report_job(db_url, output / "report.html", check_run_id=summary.check_run_id)
        (output / "findings.json").write_text(jobs.findings_json(db_url, check_run_id=summary.check_run_id) + "\n",
                                              encoding="utf-8")

        from reports.context import run_report

        with jobs.open_session(db_url) as session:
            data = run_report(session, jobs.find_check_run(session, summary.check_run_id))
        table = Table(title=f"{data.region}政务公开专栏检查结果（基准日 {data.as_of}）")
        for col, justify in (("单位", "left"), ("栏目", "right"), ("信息", "right"), ("问题", "right"), ("问题分类", "left")):
            table.add_column(col, justify=justify)
        for d in data.departments:
            kinds = "，".join(f"{data.check_titles.get(c, c)} {n}" for c, n in d.by_check.items()) or "—"
            table.add_row(d.name, str(d.columns), str(d.documents), str(d.findings), kinds)
        console.print(table)
        console.print(f"报告：{report.resolve()}")
        console.print(f"问题清单（JSON）：{(output / 'findings.json').resolve()}")
        console.print(f"抓取日志：{(output / 'crawl.log').resolve()}")
        # the 三随机 spot check runs while the city is still being served: its round crawls it again
        bulletin = _spotcheck(output, sites, db_url, console)
    _console_accounts(db_url, output, console)
    return {"crawl_run_id": crawl.run_id, "check_run_id": summary.check_run_id, "report": report,
            "bulletin": bulletin}


DEMO_ACCOUNTS = (("office", "admin", None, "Office-demo-2026", "办公室管理员"),
                 ("evaluator", "evaluator", None, "Evaluator-demo-2026", "评估人员"),
                 ("jyj", "department", "jyj", "Jyj-demo-2026", "示例市教育局"))


def _console_accounts(db_url: str, output: Path, console: Console) -> None:
    """Demo accounts for the web console, and how to open it on the demo's data."""
    from store.models_console import ConsoleUser
    from web.accounts import Actor, add_user

    with jobs.open_session(db_url) as session:
        for username, role, dept, password, label in DEMO_ACCOUNTS:
            if session.query(ConsoleUser).filter_by(username=username).first() is None:
                add_user(session, Actor(None, "demo", None), username=username, password=password, role=role,
                         department=dept, display_name=label)
        session.commit()
    console.print(f"网页控制台：zwgk serve --db {output / 'zwgk.db'}，然后在浏览器打开 http://127.0.0.1:8000/",
                  highlight=False, soft_wrap=True)
    console.print("演示账号（仅用于演示数据）：" + "；".join(f"{label} {u} / {p}" for u, _, _, p, label in DEMO_ACCOUNTS),
                  highlight=False, soft_wrap=True)


def _spotcheck(output: Path, sites: Path, db_url: str, console: Console):
    """A 三随机 round on half the sample city, as an office runs one: announce the frame, draw it with a public
    value and the sealed secret, run the round (at once, and the bulletin says so), write its 通报."""
    from reports.announcement import write_announcement
    from scheduler import jobs_spotcheck as spot
    from store import clock
    from store.models_spotcheck import SpotcheckAnnouncement

    def say(text: str) -> None:
        console.print(text, highlight=False, soft_wrap=True)

    source = "演示用公开随机数（实际抽查请指定公告之后开奖的彩票号码等公开数值）"
    announced = spot.announce_job(db_url, sites, public_source=source, share=0.5)
    with jobs.open_session(db_url) as session:
        record = session.get(SpotcheckAnnouncement, announced.id)
        notice = write_announcement(announced.id, record.frame, record.commitment, clock.today(), output)
    say(f"“三随机”抽查公告 #{announced.id}：抽取范围校验值 {announced.commitment}；公告 {notice.docx.resolve()}")
    drawn = spot.draw_announced_job(db_url, announced.id, public_value="演示 01 02 03", secret=announced.secret)
    say(f"抽取记录 #{drawn.id}：抽中 {'、'.join(drawn.departments)}，抽查内容第 {'、'.join(map(str, drawn.items))} 项；"
        f"随机确定的执行时间为 {drawn.scheduled_at}，演示中提前执行")
    done = spot.run_round_job(db_url, drawn.id, fast=True, early_reason="本次为演示，抽取后立即实施")
    say(f"{done.year}年第{done.period}期抽查完成：发现问题 {done.findings} 个" + (f"；{done.screenshots}" if done.screenshots else ""))
    # nobody records manual results in a demo: the bulletin names the items still 待核查
    files = spot.bulletin_job(db_url, done.round_id, output, allow_pending=True)
    for path in files.paths():
        console.print(f"通报：{path.resolve()}", highlight=False)
    if files.pdf_error:
        console.print(f"[yellow]PDF 未生成：{files.pdf_error}[/yellow]")
    say(f"复核抽取：python3 checks/drawcore.py {notice.frame.resolve()} --public-value \"演示 01 02 03\" "
        f"--secret {announced.secret}")
    return files
