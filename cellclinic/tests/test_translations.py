"""The committed catalogues are complete and their compiled .mo files match the .po files."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALES = sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"))


def test_there_is_a_catalogue_for_every_language_but_english() -> None:
    names = {path.parts[-3] for path in LOCALES}
    assert names == {"zh_Hans", "ru", "es", "ar"}


@pytest.mark.parametrize("po", LOCALES, ids=lambda p: p.parts[-3])
def test_every_message_is_translated_and_compiled(po: Path, tmp_path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert untranslated.count("msgid ") <= 1, untranslated  # only the header may appear
    with fresh.open("rb") as a, po.with_suffix(".mo").open("rb") as b:
        compiled, committed = gettext.GNUTranslations(a), gettext.GNUTranslations(b)
    assert committed._catalog == compiled._catalog, "run: cellclinic compilemessages"  # type: ignore[attr-defined]


def test_every_message_of_the_source_is_in_every_catalogue(tmp_path: Path) -> None:
    """makemessages, run on a copy of the code, adds nothing untranslated: no string of a
    page, form or e-mail was left out of a catalogue."""
    if shutil.which("msgattrib") is None or shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed")
    import os
    import sys

    package = Path(settings.LOCALE_PATHS[0]).parent
    copy = tmp_path / "cellclinic"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo"))
    (tmp_path / "copy_settings.py").write_text(
        "from pathlib import Path\n"
        "from cellclinic.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [Path({str(copy / 'locale')!r})]\n"
    )
    languages = [path.parts[-3] for path in LOCALES]
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-location"]
        + [f"--locale={code}" for code in languages],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "copy_settings"},
        check=True,
        capture_output=True,
    )
    for code in languages:
        po = copy / "locale" / code / "LC_MESSAGES" / "django.po"
        missing = subprocess.run(
            ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert missing.count("msgid ") <= 1, f"{code} lacks:\n{missing}"
