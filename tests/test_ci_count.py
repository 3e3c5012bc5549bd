"""CI's closing line counts what ran from the runs' own reports (.ci/count.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

COUNT = Path(__file__).resolve().parent.parent / ".ci" / "count.py"


def run_count(results: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(COUNT), str(results)], capture_output=True, text=True, check=False
    )


def test_it_counts_test_cases_and_steps_and_ends_with_the_plain_line(tmp_path: Path) -> None:
    (tmp_path / "pytest.xml").write_text(
        '<?xml version="1.0"?><testsuites><testsuite tests="4">'
        '<testcase name="a"/><testcase name="b"><failure message="x"/></testcase>'
        '<testcase name="c"><skipped/></testcase><testcase name="d"><error/></testcase>'
        "</testsuite></testsuites>"
    )
    (tmp_path / "schemathesis.xml").write_text(
        '<testsuites><testsuite><testcase name="GET /x"/></testsuite></testsuites>'
    )
    (tmp_path / "steps.txt").write_text("pass ruff\nfail mypy\npass bench:queue\n")
    result = run_count(tmp_path)
    assert result.stdout.splitlines()[-1] == "ci: 4 passed, 3 failed"
    assert result.returncode == 1


def test_it_passes_when_nothing_failed(tmp_path: Path) -> None:
    (tmp_path / "pytest.xml").write_text('<testsuite><testcase name="a"/></testsuite>')
    result = run_count(tmp_path)
    assert result.stdout.splitlines()[-1] == "ci: 1 passed, 0 failed"
    assert result.returncode == 0


def test_it_never_reports_an_empty_run_as_a_pass(tmp_path: Path) -> None:
    result = run_count(tmp_path)
    assert result.stdout.splitlines()[-1] == "ci: 0 passed, 1 failed"
    assert result.returncode == 1


def test_it_counts_an_unreadable_report_as_a_failure(tmp_path: Path) -> None:
    (tmp_path / "pytest.xml").write_text("<testsuite><testcase")
    (tmp_path / "steps.txt").write_text("pass ruff\n")
    result = run_count(tmp_path)
    assert result.stdout.splitlines()[-1] == "ci: 1 passed, 1 failed"
