"""The country list of the inquiry form: in the reader's alphabet, the family's likely country
(the region of its browser's language) first; phone numbers and e-mail addresses kept left
to right in Arabic."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from cellclinic.lib.collation import likely_region, sort_key

pytestmark = pytest.mark.django_db


def countries_shown(client: Client, accept: str) -> list[tuple[str, str]]:
    page = client.get("/programs/stroke/inquire/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    select = re.search(r'<select id="f-contact-country".*?</select>', page, re.S)
    assert select is not None
    found = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]*)</option>', select.group(0))
    return [(code, html.unescape(name)) for code, name in found]


@pytest.mark.parametrize("language", ["ar", "ru", "zh-hans", "es", "en"])
def test_the_countries_are_in_the_readers_alphabetical_order(client: Client, language) -> None:
    shown = countries_shown(client, language)
    assert len(shown) > 240
    keys = [sort_key(name, language) for _code, name in shown]
    assert keys == sorted(keys)


def test_arabic_puts_saudi_arabia_with_the_other_seen_entries(client: Client) -> None:
    shown = countries_shown(client, "ar")
    codes = [code for code, _name in shown]
    at = codes.index("SA")
    assert 100 < at < 200, at  # not 249th, in English order
    neighbours = [name for _code, name in shown[at - 1 : at + 2]]
    assert all(sort_key(n, "ar")[0].startswith("س") for n in neighbours), neighbours


def test_russian_puts_russia_after_portugal(client: Client) -> None:
    codes = [code for code, _name in countries_shown(client, "ru")]
    assert codes.index("PT") < codes.index("RU") < codes.index("SA")


@pytest.mark.parametrize(
    ("accept", "first"),
    [("ar-SA,ar;q=0.9", "SA"), ("zh-CN,zh;q=0.9", "CN"), ("es-MX", "MX"), ("en-GB", "GB")],
)
def test_the_familys_likely_country_comes_first(client: Client, accept, first) -> None:
    shown = countries_shown(client, accept)
    assert shown[0][0] == first
    assert [code for code, _name in shown].count(first) == 1


def test_the_likely_region_is_read_from_the_accept_language_header() -> None:
    assert likely_region("ar-SA,ar;q=0.9,en;q=0.8") == "SA"
    assert likely_region("zh-Hans-CN") == "CN"
    assert likely_region("en;q=0.9,ru-RU;q=0.8") == "RU"
    assert likely_region("ar") == ""
    assert likely_region("es-419") == ""  # a region of several countries
    assert likely_region("xx-ZZ") == ""  # no such country
    assert likely_region("") == ""


def test_phone_and_e_mail_read_left_to_right_in_arabic(client: Client) -> None:
    page = client.get("/programs/stroke/inquire/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<bdi dir="ltr">+44 20 7946 0958</bdi>' in page  # not "0958 7946 20 44+"
    for kind in ("email", "tel"):
        field = re.search(rf'<input[^>]*type="{kind}"[^>]*>', page, re.S)
        assert field is not None and 'dir="ltr"' in field.group(0), kind


def test_left_to_right_runs_are_isolated_and_the_rest_escaped() -> None:
    from cellclinic.lib.text import isolate_ltr_runs

    shown = isolate_ltr_runs("<b>call</b> +44 20 7946 0958 or a@b.org, not 1.6")
    assert shown == (
        '&lt;b&gt;call&lt;/b&gt; <bdi dir="ltr">+44 20 7946 0958</bdi> or '
        '<bdi dir="ltr">a@b.org</bdi>, not 1.6'
    )


def test_chinese_is_in_pinyin_order(client: Client) -> None:
    names = [name for _code, name in countries_shown(client, "zh-hans")]
    assert (
        names.index("阿富汗")
        < names.index("巴西")
        < names.index("沙特阿拉伯")
        < names.index("中国")
    )
    assert names.index("英国") < names.index("中国")  # ying before zhong, whatever the strokes


def test_the_country_list_can_be_searched_in_the_page_language_or_in_english(client) -> None:
    page = client.get("/programs/stroke/inquire/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    select = re.search(r'<select id="f-contact-country"[^>]*>', page)
    assert select is not None and "data-search-label=" in select.group(0)
    assert re.search(r'<option value="SA" data-alt="Saudi Arabia"[^>]*>السعودية', page)


def test_chinese_and_arabic_forms_use_their_own_punctuation(client: Client) -> None:
    zh = client.get("/programs/stroke/inquire/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "（必填）" in zh and "(必填)" not in zh
    ar = client.get("/contact/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "(مطلوب)" in ar


def test_the_inquiry_form_offers_contact_us_beside_it(client: Client) -> None:
    page = client.get("/programs/stroke/inquire/").content.decode()
    form_at = page.index('id="inquiry-form"')
    assert 0 < page.index('href="/contact/"') < form_at  # before the form, not only the footer
