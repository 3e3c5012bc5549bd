#!/usr/bin/env python3
"""Set up `.venv` and run cellclinic or its tests: the two commands of the README.

    python3 dev.py demo    install, migrate, load the demo data, serve at http://127.0.0.1:8000
                           (dev.py demo --port 8080: another port)
    python3 dev.py test    install with test tools, run every test (extra arguments go to pytest)

Only Python 3.11 is needed. Installs are pinned by constraints.txt and skipped when
nothing they depend on changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def install(extra: str) -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"cellclinic needs Python 3.11; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print("creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    inputs = [
        (ROOT / "pyproject.toml").read_bytes(),
        (ROOT / "constraints.txt").read_bytes(),
        extra.encode(),
    ]
    stamp = VENV / f".installed-{extra or 'app'}"
    digest = hashlib.sha256(b"\0".join(inputs)).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extra}]" if extra else "."
    print(f"installing cellclinic{f' with {extra} tools' if extra else ''} into .venv", flush=True)
    code = run(
        PYTHON,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        "constraints.txt",
        "-e",
        target,
    )
    if code != 0:
        sys.exit(code)
    stamp.write_text(digest)


def _served_at(args: list[str]) -> str:
    """The address `serve` will answer at with these arguments (--host H --port N)."""
    found = {"--host": "127.0.0.1", "--port": "8000"}
    for index, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if name in found:
            found[name] = value or (args[index + 1] if index + 1 < len(args) else found[name])
    host = "127.0.0.1" if found["--host"] in ("0.0.0.0", "::") else found["--host"]  # noqa: S104  # nosec B104 (a URL, no bind)
    return f"http://{host}:{found['--port']}"


def demo(args: list[str]) -> int:
    install("")
    cellclinic = BIN / "cellclinic"
    # The sign-in address printed and the family's links in e-mails name the port served.
    env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL") or _served_at(args)}
    for step in (["migrate", "--verbosity", "0"], ["demo"]):
        code = run(cellclinic, *step, env=env)
        if code != 0:
            return code
    return run(cellclinic, "serve", *args, env=env)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"


def axe_install() -> None:
    """axe-core from npm for the browser tests' accessibility checks, where npm is at hand."""
    if AXE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        print("NOTE: accessibility checks SKIPPED: npm not found to install axe-core", flush=True)
        return
    print(f"installing axe-core {AXE_VERSION} from npm for the browser tests", flush=True)
    quiet = ["--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--silent"]
    if run(npm, "install", *quiet, f"axe-core@{AXE_VERSION}") != 0 or not AXE.exists():
        print("NOTE: accessibility checks SKIPPED: npm could not install axe-core", flush=True)


def test(args: list[str]) -> int:
    install("test")
    pytest_args = ["-p", "no:cacheprovider", *args]
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        print(
            f"NOTE: browser tests SKIPPED: Chromium not found at {CHROMIUM} "
            "(install it with: apt-get install -y chromium)",
            flush=True,
        )
        pytest_args = ["-m", "not browser", *pytest_args]
    else:
        axe_install()
    code = run(PYTHON, "-m", "pytest", *pytest_args)
    if code == 5:
        print("pytest collected no tests: that is a failure", file=sys.stderr)
    return code


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
