"""Each benchmark runs and ends with its JSON line (figures are not judged here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = sorted((Path(__file__).resolve().parents[1] / "bench").glob("*.py"))


@pytest.mark.parametrize("script", BENCH, ids=lambda p: p.name)
def test_the_benchmark_prints_its_figure_and_ratio(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CELLCLINIC_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(script), "--size", "300", "--repeat", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(last) == {"bench", "size", "figure", "unit", "baseline", "ratio"}
    assert last["bench"] == script.stem and last["size"] == 300
    assert last["figure"] > 0 and last["baseline"] > 0
    assert last["ratio"] == pytest.approx(last["figure"] / last["baseline"], abs=0.001)
