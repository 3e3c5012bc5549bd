"""Every staff page a role can reach, found by following the desk's own links from the start
page, fits a 390 px phone and a desktop and has no axe-core violation, in Arabic (right to
left, on a phone) and in English (desktop). New pages are covered as soon as a link leads to
them; one page of each kind is visited (ids and references in the address are not counted)."""

from __future__ import annotations

import io
import re
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from cellclinic.accounts.roles import ROLES
from tests.browser.test_staff_sign_in_and_nav import AXE, DESK, PHONE, axe_violations, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Links that are files, not pages (a download, a calendar, an export) or that change things.
NOT_PAGES = re.compile(r"(\.ics|\.csv|\.zip|\.json|/export|/documents/|/download|/logout)")
ID = re.compile(r"/([0-9a-f]{8}-[0-9a-f-]{27}|[A-Z0-9]{3,}-[A-Z0-9-]+|[0-9]+)(?=/|$)")


def kind(path: str) -> str:
    """A page's address with its ids taken out: one page of each kind is enough."""
    return ID.sub("/*", path)


def staff_paths(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == base and parts.path.startswith("/staff/"):
            if not NOT_PAGES.search(parts.path):
                found.append(parts.path)
    return found


def crawl(page: Any, base: str, *, width: dict[str, int], language: str) -> dict[str, Any]:
    """Visit every kind of staff page reachable from /staff/; what is wrong on each."""
    page.set_viewport_size(width)
    seen: set[str] = set()
    queue = deque(["/staff/"])
    problems: dict[str, Any] = {}
    while queue:
        path = queue.popleft()
        if kind(path) in seen:
            continue
        seen.add(kind(path))
        response = page.goto(base + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        assert page.locator("html").get_attribute("lang") == language, path
        violations = axe_violations(page)
        if violations or not fits(page):
            problems[path] = {"fits": fits(page), "axe": violations}
        queue.extend(staff_paths(page, base))
    assert len(seen) > 3, seen  # the crawl reached the desk
    return {"visited": sorted(seen), "problems": problems}


@pytest.fixture
def demo_desk() -> None:
    """The demo's inquiries, patients (one in treatment) and one user per role."""
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_staff_page_of_a_role_is_accessible_and_fits(
    live_server, browser, sign_in, demo_desk, role
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core, as .ci/run does)")
    client = sign_in(role)
    base = live_server.url
    context = browser.new_context(bypass_csp=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": base},
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    phone = crawl(page, base, width=PHONE, language="ar")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    desk = crawl(page, base, width=DESK, language="en")
    for path, found in {**phone["problems"], **desk["problems"]}.items():
        print(
            "PROBLEM", role, path, found["fits"], [(v["id"], v["nodes"][:2]) for v in found["axe"]]
        )
    assert phone["problems"] == {} and desk["problems"] == {}, (phone["problems"], desk["problems"])
    context.close()
