"""Alphabetical order in the reader's language without ICU, for lists a person scans (the
country list), and the country a browser's language points to.

`sort_key` approximates each site language's collation at the primary level: case and
accents are ignored where the language ignores them, letters the language treats as its
own (Spanish ñ, Russian й) stay apart, and in Arabic the article "ال" is not sorted on
("السعودية" among the س entries) and the alef forms are one letter. Chinese is sorted by
its pinyin reading (沙特阿拉伯 "sha te a la bo" among the S entries), as a Chinese reader looks
names up; pypinyin holds the dictionary of readings.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation.trans_real import parse_accept_lang_header
from django_countries import countries
from pypinyin import Style, lazy_pinyin

ARABIC_ARTICLE = "ال"
# Arabic letters sorted as another: the tied ta (ة) as ha, the alef maqsura (ى) as ya.
ARABIC_LETTERS = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
# Letters that are letters of their own in a language, kept from accent stripping.
OWN_LETTERS = {"es": {"ñ": "n\U0010ffff"}, "ru": {"й": "и\U0010ffff"}}


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sort_key(text: str, language: str) -> tuple[str, str]:
    """A key ordering `text` alphabetically for a reader of `language` (then by the text)."""
    language = language.split("-")[0].lower()
    if language == "zh":
        # Readings without tones, syllable by syllable ("zhong guo"), then the characters.
        return " ".join(lazy_pinyin(text.strip(), style=Style.NORMAL)).casefold(), text
    primary = text.strip().casefold()
    for letter, stand_in in OWN_LETTERS.get(language, {}).items():
        primary = primary.replace(letter, stand_in)
    primary = _without_marks(primary)
    if language == "ar":
        primary = primary.translate(ARABIC_LETTERS)
        if primary.startswith(ARABIC_ARTICLE) and len(primary) > len(ARABIC_ARTICLE) + 1:
            primary = primary[len(ARABIC_ARTICLE) :]
    return primary, text


def likely_region(accept_language: str) -> str:
    """The country code of the first language tag with a country region in a browser's
    Accept-Language header ("ar-SA" gives "SA"), or "" if none names one."""
    try:
        tags = parse_accept_lang_header(accept_language or "")
    except ValueError:
        return ""
    for tag, _quality in tags:
        for subtag in tag.split("-")[1:]:
            code = subtag.upper()
            if len(code) == 2 and code.isalpha() and code in countries:
                return code
    return ""
