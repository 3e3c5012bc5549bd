from __future__ import annotations

import pytest
from django.test import Client

from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from conftest import build_answers

pytestmark = pytest.mark.django_db


def test_an_admin_finds_who_viewed_an_inquiry(sign_in) -> None:
    program = program_get(slug="stroke")
    assert program is not None
    inquiry, _ = inquiry_submit(program=program, answers=build_answers("stroke"), language="en")
    sign_in("coordinator").get(f"/staff/inquiries/{inquiry.reference}/")
    admin = sign_in("admin")
    page = admin.get(f"/staff/audit/?object={inquiry.reference.lower()}").content.decode()
    assert "coordinator1" in page and inquiry.reference in page
    assert "coordinator1" not in admin.get("/staff/audit/?user=nobody").content.decode()


def test_a_bad_date_is_named(sign_in) -> None:
    response = sign_in("admin").get("/staff/audit/?from=yesterday")
    assert response.status_code == 400 and 'id="f-from-error"' in response.content.decode()


def test_the_log_page_only_reads(sign_in) -> None:
    from cellclinic.audit.models import AccessEvent

    admin: Client = sign_in("admin")
    before = AccessEvent.objects.count()
    assert admin.post("/staff/audit/", {"delete": "1"}).status_code == 405
    assert AccessEvent.objects.count() == before
