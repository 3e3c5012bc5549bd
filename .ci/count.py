"""Print CI's closing line, `ci: N passed, M failed`, from the runs' own results.

Usage: count.py RESULTS_DIR. Every `*.xml` there is a JUnit report (pytest's, schemathesis's):
each test case counts once, as passed, failed (a failure or an error) or skipped (not counted
as either). Every line of `steps.txt` there is `pass NAME` or `fail NAME` for a check that is
not a test runner (lint, types, benchmarks): each counts once. A report that cannot be read,
or a directory with nothing in it, counts as a failure, so this line never claims a run that
did not happen.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # noqa: S405 (our own CI's reports, not outside input)
from pathlib import Path


def count(results: Path) -> tuple[int, int, int]:
    passed = failed = skipped = 0
    for report in sorted(results.glob("*.xml")):
        try:
            root = ET.parse(report).getroot()  # noqa: S314 (our own CI's reports)
        except ET.ParseError:
            print(f"ci: the report {report.name} cannot be read", file=sys.stderr)
            failed += 1
            continue
        for case in root.iter("testcase"):
            tags = {child.tag for child in case}
            if tags & {"failure", "error"}:
                failed += 1
            elif "skipped" in tags:
                skipped += 1
            else:
                passed += 1
    steps = results / "steps.txt"
    if steps.exists():
        for line in steps.read_text().splitlines():
            outcome, _, _name = line.partition(" ")
            if outcome == "pass":
                passed += 1
            elif outcome == "fail":
                failed += 1
    if passed + failed == 0:
        print("ci: no results were recorded", file=sys.stderr)
        failed += 1
    return passed, failed, skipped


def main() -> int:
    passed, failed, skipped = count(Path(sys.argv[1]))
    if skipped:
        print(f"({skipped} skipped, counted as neither)")
    print(f"ci: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
