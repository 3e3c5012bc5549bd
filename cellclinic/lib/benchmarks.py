"""The last line every benchmark under bench/ prints (interfaces.md, "Benchmarks")."""

from __future__ import annotations


def result_line(name: str, size: int, figure: float, baseline: float, unit: str) -> dict:
    """The interface's last line; the ratio is computed from the printed figures."""
    figure, baseline = float(f"{figure:.4g}"), float(f"{baseline:.4g}")
    return {
        "bench": name,
        "size": size,
        "figure": figure,
        "unit": unit,
        "baseline": baseline,
        "ratio": round(figure / baseline, 3),
    }
