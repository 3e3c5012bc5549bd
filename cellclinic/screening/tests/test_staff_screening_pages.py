"""Staff see the decision with its reasons; physicians override with a reason; both kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cellclinic.audit.models import AccessEvent
from cellclinic.inquiries.models import Inquiry
from cellclinic.programs.loader import DEFINITIONS_DIR
from cellclinic.screening.models import Decision
from cellclinic.screening.services import inquiry_screen
from conftest import build_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry(client: Client) -> Inquiry:
    body = {"program": "cerebral-palsy", "answers": build_answers(cp__hydrocephalus="unknown")}
    response = client.post("/api/v1/inquiries", json.dumps(body), content_type="application/json")
    stored = Inquiry.objects.get(reference=response.json()["reference"])
    inquiry_screen(inquiry=stored)
    return stored


def url(inquiry: Inquiry) -> str:
    return f"/staff/inquiries/{inquiry.reference}/screening/"


def test_a_coordinator_sees_the_decision_reasons_and_version(sign_in, inquiry: Inquiry) -> None:
    page = sign_in("coordinator").get(url(inquiry)).content.decode()
    assert "CP-HYD-2" in page and "hydrocephalus" in page
    assert inquiry.program_version.content_hash in page
    assert 'name="reason"' not in page  # only physicians override


def test_each_view_is_written_to_the_access_log(sign_in, inquiry: Inquiry) -> None:
    client = sign_in("coordinator")
    client.get(url(inquiry))
    client.get(url(inquiry))
    events = AccessEvent.objects.filter(object_ref=inquiry.reference)
    assert events.count() == 2 and {e.user.username for e in events} == {"coordinator1"}


def test_reasons_are_shown_in_the_readers_language(sign_in, inquiry: Inquiry) -> None:
    client = sign_in("physician")
    english = client.get(url(inquiry), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "ru"})
    russian = client.get(url(inquiry)).content.decode()
    assert "It is not known whether the patient has hydrocephalus." in english
    assert "It is not known whether the patient has hydrocephalus." not in russian


def test_a_physician_overrides_with_a_reason_and_both_decisions_are_kept(
    sign_in, inquiry: Inquiry
) -> None:
    client = sign_in("physician")
    refused = client.post(url(inquiry), {"decision": "eligible_for_consultation", "reason": "  "})
    assert refused.status_code == 400 and 'id="f-reason-error"' in refused.content.decode()
    assert Decision.objects.filter(inquiry=inquiry).count() == 1
    done = client.post(
        url(inquiry),
        {"decision": "eligible_for_consultation", "reason": "MRI shows no hydrocephalus."},
    )
    assert done.status_code == 302
    automatic, override = Decision.objects.filter(inquiry=inquiry).order_by("created_at", "pk")
    assert automatic.kind == "automatic" and automatic.decision == "specialist_review"
    assert override.kind == "override" and override.overrides == automatic
    assert override.decided_by == User.objects.get(username="physician1")
    page = client.get(url(inquiry)).content.decode()
    assert "MRI shows no hydrocephalus." in page and "CP-HYD-2" in page


def test_a_coordinator_cannot_override(sign_in, inquiry: Inquiry) -> None:
    response = sign_in("coordinator").post(
        url(inquiry), {"decision": "not_eligible", "reason": "x"}
    )
    assert response.status_code == 403
    assert Decision.objects.filter(inquiry=inquiry).count() == 1


def test_a_bad_override_decision_is_named(sign_in, inquiry: Inquiry) -> None:
    response = sign_in("physician").post(url(inquiry), {"decision": "cured", "reason": "x"})
    assert response.status_code == 400 and 'id="f-decision-error"' in response.content.decode()


@pytest.mark.parametrize("role", ["nurse", "analyst"])
def test_roles_without_need_are_refused(sign_in, inquiry: Inquiry, role: str) -> None:
    assert sign_in(role).get(url(inquiry)).status_code == 403
    refused = AccessEvent.objects.get()  # the attempt, and nothing opened
    assert (refused.outcome, refused.reason, refused.object_ref) == ("refused", "role", "")


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, inquiry: Inquiry) -> None:
    for path in (url(inquiry), "/staff/", "/staff/screening/impact/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_staff_user_without_mfa_sees_no_patient_data(client: Client, inquiry: Inquiry) -> None:
    user = User.objects.create_user("nomfa", password="a-long-password-1")
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name="coordinator")[0])
    client.post("/accounts/login/", {"login": "nomfa", "password": "a-long-password-1"})
    response = client.get(url(inquiry))
    assert response.status_code == 403 and "CP-HYD-2" not in response.content.decode()


def test_an_unknown_reference_is_404(sign_in) -> None:
    assert sign_in("physician").get("/staff/inquiries/ZZZZZ-ZZZZZ/screening/").status_code == 404


def test_the_impact_page_shows_the_transition_table(
    sign_in, inquiry: Inquiry, tmp_path: Path
) -> None:
    draft = (DEFINITIONS_DIR / "cerebral-palsy.yaml").read_text()
    draft = draft.replace('version: "', 'version: "draft-', 1)
    draft = draft.replace(
        "      when: {item: cp.hydrocephalus, equals: unknown}\n      text:\n        en: It is not known",
        '      when: {item: cp.hydrocephalus, equals: "no"}\n      text:\n        en: It is not known',
    )
    client = sign_in("physician")
    path = tmp_path / "draft.yaml"
    path.write_text(draft)
    with path.open("rb") as handle:
        page = client.post(
            "/staff/screening/impact/", {"program": "cerebral-palsy", "draft": handle}
        )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<td>specialist_review</td><td>eligible_for_consultation</td><td>1</td>" in html
    assert inquiry.reference in html
    assert Decision.objects.filter(inquiry=inquiry).count() == 1  # nothing rewritten


def test_a_bad_draft_is_refused_naming_where(sign_in, tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(
        (DEFINITIONS_DIR / "stroke.yaml").read_text().replace("equals: poor", "equals: awful")
    )
    with path.open("rb") as handle:
        page = sign_in("admin").post(
            "/staff/screening/impact/", {"program": "stroke", "draft": handle}
        )
    assert page.status_code == 400
    assert "ST-HEALTH-1" in page.content.decode() and "awful" in page.content.decode()
    missing = sign_in("admin").post("/staff/screening/impact/", {"program": ""})
    assert missing.status_code == 400
    assert (
        'id="f-program-error"' in missing.content.decode()
        and 'id="f-draft-error"' in missing.content.decode()
    )


@pytest.mark.parametrize("typed", ["a/b", "../../etc", "%00", "ZZZZZ zzzzz"])
def test_opening_by_a_typed_reference_never_fails(sign_in, typed: str) -> None:
    response = sign_in("nurse").get("/staff/", {"reference": typed})
    assert response.status_code in (200, 302)
