"""Charts for bulletins and reports: matplotlib (Agg) with a CJK font, returned as PNG bytes."""
from __future__ import annotations

from io import BytesIO
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

# first installed wins; Noto CJK is what the Debian images carry
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC")
COLORS = ("#c0392b", "#e67e22", "#2e86c1", "#16a085", "#8e44ad", "#7f8c8d", "#d4ac0d", "#34495e")


class ChartFontError(RuntimeError):
    """No CJK font is installed: the chart labels would come out as empty boxes."""


def cjk_font() -> str:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    raise ChartFontError("未找到中文字体（如 Noto Sans CJK SC），无法生成图表；请安装 fonts-noto-cjk")


def _png(fig) -> bytes:
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _style() -> dict:
    return {"font.family": "sans-serif", "font.sans-serif": [cjk_font(), "DejaVu Sans"],
            "axes.unicode_minus": False, "font.size": 10}


def horizontal_bars(rows: Sequence[tuple[str, float]], *, title: str, unit: str = "个",
                    limit: float | None = None) -> bytes:
    """One bar per label (largest on top), its value written at the end of the bar."""
    with plt.rc_context(_style()):
        labels = [r[0] for r in rows][::-1]
        values = [r[1] for r in rows][::-1]
        fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.2))
        bars = ax.barh(labels, values, color=COLORS[0], height=0.6)
        top = limit if limit is not None else max(values + [1]) * 1.15
        ax.set_xlim(0, top)
        for bar, value in zip(bars, values):
            shown = f"{value:g}{unit}"
            ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, shown, va="center")
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.get_major_locator().set_params(integer=True)
        return _png(fig)


def share_pie(rows: Sequence[tuple[str, int]], *, title: str) -> bytes:
    """Shares by category: a ring with counts and percentages in the legend."""
    with plt.rc_context(_style()):
        total = sum(n for _, n in rows) or 1
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        wedges, _ = ax.pie([n for _, n in rows], colors=COLORS[:len(rows)] * (len(rows) // len(COLORS) + 1),
                           startangle=90, counterclock=False, wedgeprops={"width": 0.42, "edgecolor": "white"})
        ax.legend(wedges, [f"{label}  {n}个（{100 * n / total:.0f}%）" for label, n in rows], loc="center left",
                  bbox_to_anchor=(1.0, 0.5), frameon=False)
        ax.set_title(title)
        ax.set_aspect("equal")
        return _png(fig)
