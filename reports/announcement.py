"""The 三随机 抽查公告: what a round will be drawn from, published before the draw so that the office can be
held to it (DOCX and HTML), and the frame itself as JSON for anyone to recompute the draw."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reports.bulletin import write_document
from reports.bulletin_blocks import Annex, Document, Para, Table, cn_date

KIND_NAMES = {"department": "市直部门", "county": "县（市、区）", "township": "乡镇（街道）"}
SCRIPT = "checks/drawcore.py"  # the stand-alone recomputation, standard library only


@dataclass(frozen=True)
class AnnouncementFiles:
    docx: Path
    html: Path
    frame: Path


def _day(text: str) -> str:
    return cn_date(date.fromisoformat(text))


def announcement_document(number: int, frame: dict[str, Any], commitment: str, issued_on: date,
                          issuer: str | None = None) -> Document:
    region = frame["region"]
    issuer = issuer or f"{region}一服务两公开领导小组办公室"
    kinds = Counter(d["kind"] for d in frame["departments"])
    strata = "、".join(f"{KIND_NAMES.get(k, k)}{n}个" for k, n in sorted(kinds.items(), key=lambda kv: kv[0]))
    sample = frame["sample"]
    if sample["count"] is not None:
        size = f"抽取{sample['count']}个单位，按单位类型分层"
    else:
        size = (f"按{sample['share'] * 100:g}%的比例抽取，按单位类型分层；每一类有单位的，至少抽取1个")
    excluded = frame["exclude"]["departments"]
    exclusion = (f"最近{frame['exclude']['last_rounds']}期已被抽查的{len(excluded)}个单位本期不再抽取。"
                 if excluded else "")
    checklist = frame["checklist"]
    days = frame["window"]["workdays"]
    window = f"{_day(days[0])}至{_day(days[-1])}的工作日工作时间内" if days else "另行确定的时间内"
    source = frame["randomness"]["public_source"]
    body = (
        Para(f"根据{checklist.get('source') or '有关规定'}，本办公室将开展政务公开工作“三随机”抽查。为保证抽查对象、"
             "抽查内容和抽查时间随机产生、任何一方都不能事先确定，现将本期抽取事项公告如下。"),
        Para(f"{region}名录中的{len(frame['departments'])}个单位（{strata}），名录截至{_day(frame['as_of'])}。"
             f"{size}。{exclusion}", lead="一、抽查对象范围。"),
        Para(f"从《{checklist['name']}》的{len(checklist['items'])}项内容中随机抽取{sample['items']}项；每个被抽中单位另随机"
             f"抽取{sample['documents']}条信息和{sample['columns']}个栏目供人工核查。", lead="二、抽查内容范围。"),
        Para(f"在{window}随机确定，具体时间不向被抽查单位公开。", lead="三、抽查时间范围。"),
        Para(f"抽取以{source}为公开随机数，结合本办公室在公告前封存的密钥（其校验值见附件）计算随机种子，"
             "按公布的算法确定抽查对象、内容和时间。抽取结果和密钥在抽取后随抽查通报一并公布，任何人均可按附件所列方法复算。",
             lead="四、抽取方法。"),
    )
    annex = Annex("附件", "抽取范围校验信息", (
        Para("本公告的抽取范围（单位名录、抽查清单、参数、候选日期、算法及版本、公开随机数来源和密钥校验值）以 JSON "
             "格式另行公布，其 SHA-256 校验值如下："),
        Table(("项目", "内容"), (
            ("抽取范围校验值（SHA-256）", commitment),
            ("密钥校验值（SHA-256）", frame["randomness"]["secret_sha256"]),
            ("公开随机数来源", source),
            ("算法", f"{frame['algorithm']['name']} 第{frame['algorithm']['version']}版"),
        ), widths=(1, 3)),
        Para(f"复算方法：取得抽取范围文件、开奖后的公开随机数和抽取时公布的密钥后，运行 python3 {SCRIPT} "
             "抽取范围文件 --public-value 公开随机数 --secret 密钥，即可得到抽取结果，与通报所载结果核对。"),
    ))
    return Document(title=f"关于{region}政务公开工作“三随机”抽查抽取事项的公告（第{number}号）", body=body,
                    signature=issuer, signed_on=issued_on, note="（此件公开发布）", annexes=(annex,))


def write_announcement(number: int, frame: dict[str, Any], commitment: str, issued_on: date, out_dir: str | Path,
                       issuer: str | None = None) -> AnnouncementFiles:
    out = Path(out_dir)
    stem = f"抽查公告_{number}"
    written = write_document(announcement_document(number, frame, commitment, issued_on, issuer), out, stem)
    frame_path = out / f"{stem}_抽取范围.json"
    frame_path.write_text(json.dumps({"commitment": commitment, "frame": frame}, ensure_ascii=False, indent=1,
                                     sort_keys=True), encoding="utf-8")
    return AnnouncementFiles(written.docx, written.html, frame_path)
