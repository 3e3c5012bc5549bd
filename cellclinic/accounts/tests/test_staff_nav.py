"""Every staff page opens with the navigation bar: exactly what the role may open, the
current page marked, who is signed in, and a sign-out button."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cellclinic.accounts.nav import NAV, nav_links
from cellclinic.accounts.permissions import CAPABILITIES, roles_with
from cellclinic.accounts.roles import ROLES
from cellclinic.accounts.services import staff_user_create

pytestmark = pytest.mark.django_db


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="staff-nav[^"]*"[^>]*>.*?</nav>', html, re.S)
    assert found, "the page has no staff navigation bar"
    return found.group(0)


def links_of(nav: str) -> dict[str, str]:
    """Each link's address and its aria-current value ("" when it has none)."""
    return {
        href: current or ""
        for href, current in re.findall(r'<a href="([^"]+)"(?: aria-current="([^"]+)")?', nav)
    }


def test_it_names_only_capabilities_of_the_permission_table() -> None:
    assert {entry.capability for entry in NAV} <= CAPABILITIES.keys()


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_each_role_exactly_the_pages_its_capabilities_open(sign_in, role: str) -> None:
    client = sign_in(role)
    page = client.get("/staff/", follow=True)
    assert page.status_code == 200
    nav = nav_of(page.content.decode())
    expected = {e.url() for e in NAV if role in roles_with(e.capability)}
    assert set(links_of(nav)) == expected
    for url in expected:  # and each one opens for the role
        assert client.get(url).status_code == 200, url
    assert re.search(r'<form method="post" action="/accounts/logout/">', nav)
    assert ">Sign out</button>" in nav
    assert f"<bdi>{role}1</bdi>" in nav


def test_it_marks_the_page_and_the_section_the_user_is_in(sign_in) -> None:
    client = sign_in("admin")
    for entry in NAV:
        if "admin" not in roles_with(entry.capability):
            continue  # "Waiting for me" is the coordinators' (below)
        url = entry.url()
        links = links_of(nav_of(client.get(url).content.decode()))
        assert links[url] == "page", url
        assert [u for u, current in links.items() if current] == [url]
    links = links_of(nav_of(client.get(reverse("staff_queue") + "?status=new").content.decode()))
    assert links[reverse("staff_queue")] == "page"


def test_waiting_for_me_is_current_alone_on_its_own_address(sign_in) -> None:
    client = sign_in("coordinator")
    links = links_of(nav_of(client.get("/staff/inquiries/?waiting=me").content.decode()))
    assert [u for u, current in links.items() if current] == ["/staff/inquiries/?waiting=me"]
    links = links_of(nav_of(client.get("/staff/inquiries/").content.decode()))
    assert [u for u, current in links.items() if current] == ["/staff/inquiries/"]


def test_it_marks_the_section_of_a_page_below_an_entry() -> None:
    user, _ = staff_user_create(username="nina", role="nurse", password="a-long-password-1")
    marks = {link.url: link.current for link in nav_links(user, "/staff/patients/abc/plan/")}
    assert marks == {
        "/staff/patients/": "true",
        "/staff/followup/": "",
        "/staff/tokens/": "",
        "/staff/settings/": "",
    }


def test_it_is_in_arabic_for_an_arabic_reader(sign_in) -> None:
    client = sign_in("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(reverse("staff_queue")).content.decode()
    assert 'dir="rtl"' in html
    nav = nav_of(html)
    assert "تسجيل الخروج" in nav and "قائمة الاستفسارات" in nav


STAFF_TEMPLATE = re.compile(r"{%\s*block body_class\s*%}\s*staff")
PRINT_ONLY = {"care/consent_snapshot.html"}  # a document kept with the signature, no page


def test_every_staff_template_extends_staff_base() -> None:
    root = Path(settings.BASE_DIR)
    staff = [
        path
        for path in root.glob("*/templates/**/*.html")
        if "{% block staff_content %}" in path.read_text()
        or STAFF_TEMPLATE.search(path.read_text())
    ]
    assert len(staff) >= 20
    wrong = [
        str(path.relative_to(root))
        for path in staff
        if '{% extends "staff_base.html" %}' not in path.read_text() and path.name not in PRINT_ONLY
    ]
    assert wrong == []
