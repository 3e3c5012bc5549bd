"""Server-side SVG charts: each rate as a dot with its 95% interval as a line (a forest
plot), on a 0-100% axis. The same numbers are always in a table beside the chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

LABEL_WIDTH = 170
PLOT_WIDTH = 400
ROW_HEIGHT = 22
TOP = 24


def _n(value: float) -> str:
    """A coordinate as SVG wants it, whatever the page's language (never "12,5")."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: str
    label_y: str
    cap_top: str
    cap_bottom: str
    x: str | None
    low: str | None
    high: str | None
    text: str
    text_x: str


def forest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Coordinates for `outcomes/forest.svg`: one row per (label, rate, ci95, n)."""
    out = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT // 2
        rate, ci = row["rate"], row["ci95"]
        scale = PLOT_WIDTH / 1.0
        out.append(
            ChartRow(
                label=row["label"],
                y=_n(y),
                label_y=_n(y + 4),
                cap_top=_n(y - 5),
                cap_bottom=_n(y + 5),
                x=_n(LABEL_WIDTH + rate * scale) if rate is not None else None,
                low=_n(LABEL_WIDTH + ci[0] * scale) if ci else None,
                high=_n(LABEL_WIDTH + ci[1] * scale) if ci else None,
                # Beside the interval its counts; with no rate, in the empty plot, the
                # reason there is none (the right margin is too narrow for a sentence).
                text=(
                    f"{row['improved']}/{row['assessed']}"
                    if rate is not None
                    else row.get("empty")
                    or _("none assessed of %(treated)s treated") % {"treated": row["treated"]}
                ),
                text_x=_n(LABEL_WIDTH + PLOT_WIDTH + 8 if rate is not None else LABEL_WIDTH + 8),
            )
        )
    height = TOP + len(rows) * ROW_HEIGHT + 20
    ticks = [
        {"x": _n(LABEL_WIDTH + PLOT_WIDTH * t / 100), "label": f"{t}%"}
        for t in (0, 25, 50, 75, 100)
    ]
    return {
        "rows": out,
        "width": str(LABEL_WIDTH + PLOT_WIDTH + 90),
        "height": str(height),
        "ticks": ticks,
        "axis_y": str(height - 18),
        "tick_label_y": str(height - 4),
        "label_x": str(LABEL_WIDTH - 8),
    }
