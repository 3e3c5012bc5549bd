"""The queue's search: a reference by its index alone, an e-mail address by the address,
anything else by reference or part of a name (a ten-letter name is not taken for a
reference)."""

from __future__ import annotations

import pytest

from cellclinic.inquiries.models import Inquiry
from cellclinic.inquiries.services import inquiry_submit
from cellclinic.programs.selectors import program_get
from cellclinic.screening.queue import QueueFilters, _search, inquiry_queue
from conftest import build_answers

pytestmark = pytest.mark.django_db


def new_inquiry(**changes: object) -> Inquiry:
    program = program_get(slug="stroke")
    assert program is not None
    return inquiry_submit(
        program=program, answers=build_answers("stroke", **changes), language="en"
    )[0]


def found(q: str) -> list[str]:
    return [i.reference for i in inquiry_queue(filters=QueueFilters(q=q)).rows]


def test_a_reference_however_typed_is_looked_up_alone() -> None:
    Inquiry.objects.all().delete()
    inquiry = new_inquiry()
    Inquiry.objects.filter(pk=inquiry.pk).update(reference="AB3CD-EFGHJ")
    assert str(_search("ab3cd efghj")) == str(_search("AB3CD-EFGHJ"))
    assert "contact_name" not in str(_search("ab3cdefghj"))
    assert found("ab3cd efghj") == ["AB3CD-EFGHJ"]


def test_a_ten_letter_name_is_still_searched_as_a_name() -> None:
    inquiry = new_inquiry(contact__name="Ana Schwarzman", patient__name="Ana Schwarzman")
    assert "contact_name" in str(_search("Schwarzman"))
    assert found("schwarzman") == [inquiry.reference]


def test_an_email_address_is_searched_by_the_address_alone() -> None:
    inquiry = new_inquiry(contact__email="Lucia@Example.org")
    assert "contact_name" not in str(_search("lucia@example.org"))
    assert found("lucia@example.org") == [inquiry.reference]
