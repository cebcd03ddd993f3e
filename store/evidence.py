"""Evidence as fetched: deduplicated, compressed page snapshots, and their export as a WARC 1.1 file.

A finding's evidence refers to a snapshot by {"url", "sha256", "fetched_at"}; evaluators who must prove
what a page showed get the snapshots (and screenshots) of a run as standard WARC records.
"""
from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store import clock
from store import models as m
from store.models_evidence import Screenshot, Snapshot, SnapshotBody
from store.safetext import mask_url

# headers describing the transfer, not the stored body (bodies are kept decoded and de-chunked)
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class StoredSnapshot:
    url: str
    final_url: str | None
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    sha256: str
    content_type: str | None
    truncated: bool

    def reference(self) -> dict[str, str]:
        """How a finding's evidence points to this snapshot."""
        return {"url": self.url, "sha256": self.sha256, "fetched_at": self.fetched_at.isoformat(sep=" ")}


def _insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _plain_headers(headers: dict[str, Any]) -> dict[str, str]:
    # a repeated header arrives as a list from some callers; one line per name keeps the JSON flat
    return {str(k): ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v) for k, v in headers.items()}


def snapshot_values(run_id: int, *, url: str, final_url: str | None, status: int, headers: dict[str, Any],
                    body: bytes, fetched_at: datetime, truncated: bool = False) -> dict[str, Any]:
    """The snapshots row of one fetched page; its body is stored apart under row["sha256"] (body_values)."""
    return dict(run_id=run_id, url=url, final_url=final_url, status=status, headers=_plain_headers(headers),
                fetched_at=fetched_at, sha256=hashlib.sha256(body).hexdigest(), truncated=truncated)


def body_values(digest: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """The snapshot_bodies row of a body (compressed), shared by every snapshot with that sha256."""
    return dict(sha256=digest, compression="zlib", data=zlib.compress(body, 6), size=len(body),
                content_type=_header(headers, "content-type"))


def save_snapshot(session: Session, run_id: int, *, url: str, final_url: str | None, status: int,
                  headers: dict[str, str], body: bytes, fetched_at: datetime, truncated: bool = False) -> str:
    """Store one fetched page in a run and return its body's sha256.

    Idempotent: the same body is stored once across pages and runs, and a second call for the same
    (run, url) replaces the first (the latest fetch in a resumed run wins). The caller commits.
    A crawl writes its snapshots in batches through store.writer.RunWriter.snapshot instead.
    """
    values = snapshot_values(run_id, url=url, final_url=final_url, status=status, headers=headers, body=body,
                             fetched_at=fetched_at, truncated=truncated)
    digest = values["sha256"]
    if session.get(SnapshotBody, digest) is None:
        session.execute(_insert(session)(SnapshotBody).values(**body_values(digest, body, values["headers"]))
                        .on_conflict_do_nothing(index_elements=["sha256"]))
    stmt = _insert(session)(Snapshot).values(**values)
    session.execute(stmt.on_conflict_do_update(
        index_elements=m.url_conflict(Snapshot.__table__, ("run_id", "url"), session.get_bind().dialect.name),
        set_={k: stmt.excluded[k] for k in values if k not in ("run_id", "url")}))
    return digest


def _body(row: SnapshotBody) -> bytes:
    if row.compression == "zlib":
        return zlib.decompress(row.data)
    raise ValueError(f"unknown snapshot compression {row.compression!r}")


def _stored(snap: Snapshot, body: SnapshotBody) -> StoredSnapshot:
    return StoredSnapshot(url=snap.url, final_url=snap.final_url, status=snap.status, headers=dict(snap.headers or {}),
                          body=_body(body), fetched_at=snap.fetched_at, sha256=snap.sha256,
                          content_type=body.content_type, truncated=snap.truncated)


def load_snapshot(session: Session, run_id: int, url: str) -> StoredSnapshot | None:
    row = session.execute(select(Snapshot, SnapshotBody).join(SnapshotBody, SnapshotBody.sha256 == Snapshot.sha256)
                          .where(Snapshot.run_id == run_id, Snapshot.url == url)).first()
    return _stored(*row) if row else None


def snapshot_reference(session: Session, run_id: int, url: str) -> dict[str, str] | None:
    """{"url", "sha256", "fetched_at"} of a run's snapshot of url, for a finding's evidence (no body read)."""
    return snapshot_references(session, run_id, [url]).get(url)


def snapshot_references(session: Session, run_id: int, urls: Iterable[str], chunk: int = 500
                        ) -> dict[str, dict[str, str]]:
    """snapshot_reference() for many URLs in a few queries: url → reference, for the URLs the run stored."""
    wanted, out = sorted(set(urls)), {}
    for i in range(0, len(wanted), chunk):
        for url, digest, fetched_at in session.execute(select(Snapshot.url, Snapshot.sha256, Snapshot.fetched_at).where(
                Snapshot.run_id == run_id, Snapshot.url.in_(wanted[i:i + chunk]))):
            out[url] = {"url": url, "sha256": digest, "fetched_at": fetched_at.isoformat(sep=" ")}
    return out


def run_snapshots(session: Session, run_id: int):
    """Every snapshot of a run, oldest first, bodies decompressed one at a time."""
    stmt = (select(Snapshot, SnapshotBody).join(SnapshotBody, SnapshotBody.sha256 == Snapshot.sha256)
            .where(Snapshot.run_id == run_id).order_by(Snapshot.fetched_at, Snapshot.id))
    for snap, body in session.execute(stmt):
        yield _stored(snap, body)


# --- WARC export ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WarcSummary:
    responses: int
    screenshots: int
    missing_files: int


def warc_date(moment: datetime) -> str:
    """A stored (Beijing, naive) time as a WARC-Date: UTC, ISO 8601 with Z."""
    utc = moment.replace(tzinfo=clock.zone()).astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond:06d}" if utc.microsecond else "") + "Z"


def sha256_digest(data: bytes) -> str:
    """A WARC labelled digest: the sha256 the store keys bodies by, base32 as WARC tools expect."""
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zwgk-audit")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "dev"


def export_warc(session: Session, run: m.CrawlRun, out: BinaryIO, *, filename: str = "") -> WarcSummary:
    """Write the run's snapshots (response records) and screenshots (resource + metadata records)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": f"zwgk-audit {_version()} (warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"政务公开专栏检查证据：抓取批次 #{run.id}",
        "zwgk-run": run.id,
        "zwgk-sites-file": run.sites_file,
        "zwgk-run-started": run.started_at.isoformat(sep=" "),
        "zwgk-run-finished": run.finished_at.isoformat(sep=" ") if run.finished_at else "",
        "zwgk-departments": ", ".join(run.departments or []),
        "zwgk-timezone": str(clock.zone()),
    }))
    response_ids: dict[str, str] = {}
    responses = 0
    for snap in run_snapshots(session, run.id):
        reason = HTTPStatus(snap.status).phrase if snap.status in HTTPStatus._value2member_map_ else "Unknown"
        http_headers = [(k, v) for k, v in snap.headers.items() if k.lower() not in _TRANSFER_HEADERS]
        http_headers.append(("Content-Length", str(len(snap.body))))
        warc_headers = {"WARC-Date": warc_date(snap.fetched_at), "WARC-Payload-Digest": sha256_digest(snap.body)}
        if snap.truncated:
            warc_headers["WARC-Truncated"] = "length"
        record = writer.create_warc_record(  # the address as every output shows it: personal numbers masked
            mask_url(snap.url), "response", payload=BytesIO(snap.body), length=len(snap.body), warc_headers_dict=warc_headers,
            http_headers=StatusAndHeaders(f"{snap.status} {reason}", http_headers, protocol="HTTP/1.1"))
        writer.write_record(record)
        response_ids[snap.url] = record.rec_headers.get_header("WARC-Record-ID")
        responses += 1
    shots, missing = _write_screenshots(session, writer, run.id, response_ids)
    return WarcSummary(responses, shots, missing)


def _write_screenshots(session: Session, writer, run_id: int, response_ids: dict[str, str]) -> tuple[int, int]:
    written = missing = 0
    rows = session.scalars(select(Screenshot).where(Screenshot.run_id == run_id, Screenshot.sha256.is_not(None))
                           .order_by(Screenshot.taken_at, Screenshot.id))
    for shot in rows:
        path = Path(shot.path or "")
        if not path.is_file():
            missing += 1
            continue
        png = path.read_bytes()
        date = warc_date(shot.taken_at)
        resource = writer.create_warc_record(
            f"screenshot:{mask_url(shot.url)}", "resource", payload=BytesIO(png), length=len(png), warc_content_type="image/png",
            warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": sha256_digest(png)})
        page_record = response_ids.get(shot.url)
        if page_record:
            resource.rec_headers.add_header("WARC-Concurrent-To", page_record)
        writer.write_record(resource)
        fields = {"page-url": mask_url(shot.url), "final-url": mask_url(shot.final_url or ""), "taken-at": f"{shot.taken_at.isoformat(sep=' ')} ({clock.zone()})",
                  "width": shot.width, "height": shot.height, "sha256": shot.sha256,
                  "check-run": shot.check_run_id or "", "finding-ids": ", ".join(map(str, shot.finding_ids or [])),
                  "page-response-record": page_record or ""}
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v not in ("", None)).encode("utf-8")
        meta_headers = {"WARC-Date": date, "WARC-Refers-To": resource.rec_headers.get_header("WARC-Record-ID"),
                        "WARC-Concurrent-To": resource.rec_headers.get_header("WARC-Record-ID")}
        writer.write_record(writer.create_warc_record(
            f"screenshot:{mask_url(shot.url)}", "metadata", payload=BytesIO(body), length=len(body),
            warc_content_type="application/warc-fields", warc_headers_dict=meta_headers))
        written += 1
    return written, missing
