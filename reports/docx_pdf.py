"""DOCX → PDF with LibreOffice (`soffice --headless --convert-to pdf`), so the PDF is the issued document.

The 公文 fonts named in the DOCX (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) are rarely installed on
servers; a private fontconfig file lets installed fonts stand in for them (Noto Serif/Sans CJK SC),
while a machine that has the real fonts still uses them. Each conversion gets its own LibreOffice
profile directory, so conversions may run side by side.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile
# standard 公文 font → installed stand-ins, best first
FALLBACKS = {
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Source Han Serif SC"),
    "仿宋_GB2312": ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC"),
    "楷体_GB2312": ("楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"),
    "宋体": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC"),
}


class PdfConversionError(RuntimeError):
    """LibreOffice is missing or failed; str() is one Chinese line."""


def soffice_path() -> str | None:
    return os.environ.get("ZWGK_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def _fontconfig(directory: Path) -> Path:
    aliases = "".join(
        f"<alias binding=\"same\"><family>{name}</family><accept>"
        + "".join(f"<family>{f}</family>" for f in stand_ins) + "</accept></alias>\n"
        for name, stand_ins in FALLBACKS.items())
    path = directory / "fonts.conf"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
                    f"{aliases}</fontconfig>\n", encoding="utf-8")
    return path


def docx_to_pdf(docx: str | Path, out_dir: str | Path | None = None) -> Path:
    """Convert and return the PDF path (same stem as the DOCX)."""
    docx = Path(docx).resolve()
    out_dir = Path(out_dir or docx.parent).resolve()
    soffice = soffice_path()
    if soffice is None:
        raise PdfConversionError("未找到 LibreOffice（soffice），无法生成 PDF；可安装 libreoffice-writer 后重试")
    with tempfile.TemporaryDirectory(prefix="zwgk-soffice-") as tmp:
        tmp_path = Path(tmp)
        env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(tmp_path)), "HOME": str(tmp_path)}
        cmd = [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(tmp_path / "out"), str(docx)]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise PdfConversionError(f"LibreOffice 转换 {docx.name} 超时（{SOFFICE_TIMEOUT} 秒）") from None
        produced = tmp_path / "out" / (docx.stem + ".pdf")
        if proc.returncode != 0 or not produced.is_file():
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise PdfConversionError(f"LibreOffice 未能把 {docx.name} 转换为 PDF：{detail[-1] if detail else proc.returncode}")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / produced.name
        shutil.move(str(produced), target)
        return target
