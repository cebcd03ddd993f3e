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

        (output / "incomplete.json").write_text(jobs.unjudged_json(db_url, check_run_id=summary.check_run_id) + "\n",
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
        for c in data.incomplete:
            console.print(f"未能完整抓取：{c.department_name}“{c.name}”栏目，页面声明 "
                          f"{c.declared_total if c.declared_total is not None else '—'} 条，实际读取 {c.crawled} 条"
                          f"（{c.reason_label}）；相关检查不作结论，不计入问题", highlight=False, soft_wrap=True)
        console.print(f"报告：{report.resolve()}")
        console.print(f"问题清单（JSON）：{(output / 'findings.json').resolve()}")
        console.print(f"抓取日志：{(output / 'crawl.log').resolve()}")
        # the 三随机 spot check runs while the city is still being served: its round crawls it again
        bulletin = _spotcheck(output, sites, db_url, console)
    return {"crawl_run_id": crawl.run_id, "check_run_id": summary.check_run_id, "report": report,
            "bulletin": bulletin}


def _spotcheck(output: Path, sites: Path, db_url: str, console: Console):
    """Draw half the sample city at random, run the round at once, write its 通报 in every format."""
    from scheduler import jobs_spotcheck as spot

    def announce(commitment: str) -> None:
        console.print(f"“三随机”抽查：抽取范围校验值（抽取随机种子之前计算）{commitment}", highlight=False, soft_wrap=True)

    drawn = spot.draw_job(db_url, sites, share=0.5, on_commitment=announce)
    console.print(f"抽取记录 #{drawn.id}：抽中 {'、'.join(drawn.departments)}，抽查内容第 "
                  f"{'、'.join(map(str, drawn.items))} 项；演示中立即执行（随机确定的执行时间为 {drawn.scheduled_at}）",
                  highlight=False, soft_wrap=True)
    done = spot.run_round_job(db_url, drawn.id, fast=True)
    console.print(f"{done.year}年第{done.period}期抽查完成：发现问题 {done.findings} 个"
                  + (f"；{done.screenshots}" if done.screenshots else ""), highlight=False, soft_wrap=True)
    files = spot.bulletin_job(db_url, done.round_id, output)
    for path in files.paths():
        console.print(f"通报：{path.resolve()}", highlight=False)
    if files.pdf_error:
        console.print(f"[yellow]PDF 未生成：{files.pdf_error}[/yellow]")
    return files
