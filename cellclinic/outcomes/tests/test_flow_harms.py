"""The flow of patients and the harms: every figure against a computation from generated
clinics (hypothesis) without the code under test, exact for staff and safe for the public;
and through the API."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from cellclinic.accounts.services import api_token_create
from cellclinic.care.tests.builders import staff
from cellclinic.outcomes.flow import INQUIRY_BOXES, flow
from cellclinic.outcomes.harms import HARM_BOXES, harms
from cellclinic.outcomes.tests.flow_data import (
    InquirySpec,
    build,
    clinic,
    expected_boxes,
    expected_flow,
    harm_boxes,
    treated_specs,
    wilson_by_hand,
)
from cellclinic.outcomes.tests.test_boxes import populations_described
from cellclinic.programs.selectors import program_get
from cellclinic.screening.services import clinic_date

pytestmark = pytest.mark.django_db
SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def cerebral_palsy():
    program = program_get(slug="cerebral-palsy")
    assert program is not None
    return program


def counts_of(answer: dict) -> dict[str, int | None]:
    return {box["id"]: box["count"] for box in answer["boxes"]}


def assert_public_safe(members: list[frozenset[str]], published: dict[str, int | None]) -> None:
    """No sum or difference of the published boxes describes 1 to 9 inquiries (the
    attacker works patient by patient from the generated specs, over random sets of 8 of
    the published boxes: every combination of all of them would take too long)."""
    shown = sorted(box for box, n in published.items() if n)
    picker = random.Random(len(members))
    for _ in range(6):
        some = picker.sample(shown, min(8, len(shown)))
        for size in populations_described(members, some):
            assert size == 0 or size >= 10, (some, published)
    for n in published.values():
        assert n is None or n == 0 or n >= 10


def joint_members(specs: list[InquirySpec]) -> list[frozenset[str]]:
    """Each inquiry's flow boxes and, for a treated patient, its harms figures."""
    return [
        frozenset(
            expected_boxes(spec)
            | ({f"harm.{h}" for h in harm_boxes(spec) - {"treated"}} if spec.procedures else set())
        )
        for spec in specs
    ]


def public_figures(program) -> dict[str, int | None]:
    """Every count the public flow and harms publish, named as in `joint_members`."""
    published = counts_of(flow(program=program, public=True))
    answer = harms(program=program, public=True)
    published["harm.treated"] = answer["treated"]
    published |= {f"harm.{f['id']}": f["patients"] for f in answer["figures"]}
    return published


@SLOW
@given(clinic)
def test_the_flow_matches_a_computation_from_the_specs(specs) -> None:
    with transaction.atomic():
        build(cerebral_palsy(), specs)
        exact = flow(program=cerebral_palsy())
        expected = expected_flow(specs)
        assert counts_of(exact) == {box: expected[box] for box in INQUIRY_BOXES}
        public = flow(program=cerebral_palsy(), public=True)
        published = counts_of(public)
        for box in INQUIRY_BOXES:
            assert published[box] in (None, expected[box])
            withheld = next(b for b in public["boxes"] if b["id"] == box)
            if published[box] is None:
                assert withheld["withheld"]
                assert withheld["fewer_than"] == (10 if 0 < expected[box] < 10 else None)
        joint = public_figures(cerebral_palsy())
        assert joint["harm.treated"] in (None, joint["treated"])
        joint.pop("harm.treated")  # the same patients as `treated`
        assert_public_safe(joint_members(specs), joint)
        transaction.set_rollback(True)


@SLOW
@given(clinic)
def test_the_harms_match_a_computation_from_the_specs(specs) -> None:
    with transaction.atomic():
        build(cerebral_palsy(), specs)
        treated = treated_specs(specs)
        n = len(treated)
        expected = Counter(box for spec in treated for box in harm_boxes(spec))
        exact = harms(program=cerebral_palsy())
        assert exact["treated"] == n
        for figure in exact["figures"]:
            k = expected[figure["id"]]
            assert (figure["patients"], figure["of"]) == (k, n)
            if n:
                assert figure["rate"] == pytest.approx(k / n)
                assert figure["ci95"] == pytest.approx(list(wilson_by_hand(k, n)), abs=1e-9)
            else:
                assert figure["rate"] is None and figure["ci95"] is None
        events = sum(len(s.events) for s in treated)
        procedures = sum(s.procedures for s in specs)
        per = exact["events_per_administration"]
        assert (per["events"], per["administrations"]) == (events, procedures)
        public = harms(program=cerebral_palsy(), public=True)
        published = {"treated": public["treated"]} | {
            f["id"]: f["patients"] for f in public["figures"]
        }
        for box in HARM_BOXES:
            assert published[box] in (None, expected[box] if box != "treated" else n)
        assert_public_safe([frozenset(harm_boxes(s)) for s in treated], published)
        transaction.set_rollback(True)


def test_the_harms_never_give_back_a_treated_count_the_flow_withholds() -> None:
    """26 consented, 20 treated: the flow withholds a box to hide the 6 consented but not
    treated; the harms' patients treated are the same 20, so they are withheld with it."""
    build(
        cerebral_palsy(),
        [InquirySpec("eligible_for_consultation", "accepted", True, 1)] * 20
        + [InquirySpec("eligible_for_consultation", "accepted", True, 0)] * 6,
    )
    published = public_figures(cerebral_palsy())
    assert published["consented"] is None or published["treated"] is None
    assert published["harm.treated"] == published["treated"]


def test_a_period_limits_the_inquiries_by_the_day_they_came() -> None:
    build(
        cerebral_palsy(),
        [InquirySpec(None, "new", days_ago=40)] * 3 + [InquirySpec(None, "new")] * 2,
    )
    today = clinic_date()
    recent = flow(program=cerebral_palsy(), start=today - timedelta(days=10), end=today)
    assert counts_of(recent)["received"] == 2
    older = flow(program=cerebral_palsy(), end=today - timedelta(days=30))
    assert counts_of(older)["received"] == 3
    assert older["period"] == {"from": None, "to": str(today - timedelta(days=30))}


def test_the_follow_up_rows_come_from_the_outcome_table(client) -> None:
    from cellclinic.outcomes.tests.test_public_figures_disclosure import load

    load({"spastic": (12, 10, 5, 0), "dyskinetic": (3, 0, 0, 0)})
    exact = flow(program=cerebral_palsy())
    assert exact["registry"]["treated"]["count"] == 15
    m12 = next(t for t in exact["registry"]["timepoints"] if t["timepoint"] == "m12")
    assert (m12["due"]["count"], m12["assessed"]["count"], m12["lost"]["count"]) == (15, 10, 5)
    public = client.get("/api/v1/programs/cerebral-palsy/flow").json()
    m12 = next(t for t in public["registry"]["timepoints"] if t["timepoint"] == "m12")
    # 15 due, 10 assessed: the 5 lost would be their difference, so assessed is withheld
    assert public["registry"]["treated"]["count"] == 15
    assert m12["assessed"] == {"count": None, "withheld": True, "fewer_than": None}
    assert m12["lost"] == {"count": None, "withheld": True, "fewer_than": 10}


def test_the_api_for_the_public_and_for_staff(client) -> None:
    build(
        cerebral_palsy(),
        [InquirySpec("eligible_for_consultation", "accepted", True, 1)] * 12
        + [InquirySpec("not_eligible", "declined_early")] * 3,
    )
    url = "/api/v1/programs/cerebral-palsy/flow"
    public = client.get(url)
    assert public.status_code == 200 and "Authorization" in public["Vary"]
    counts = counts_of(public.json())
    assert counts["received"] == 15 and counts["accepted"] is None  # 15 - 12 = 3 declined
    assert counts["declined"] is None
    refused = client.get(url + "?from=2026-01-01")
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "from"
    token = api_token_create(user=staff("analyst"), name="reports")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    exact = client.get(url, **auth).json()
    assert counts_of(exact)["declined.not_eligible"] == 3 and counts_of(exact)["accepted"] == 12
    today = clinic_date()
    period = client.get(f"{url}?from={today}&to={today}", **auth).json()
    assert period["period"] == {"from": str(today), "to": str(today)}
    backwards = client.get(f"{url}?from={today}&to={today - timedelta(days=1)}", **auth)
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"
    bad = client.get(url + "?from=someday", **auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from"
    assert client.get("/api/v1/programs/nothing/flow").status_code == 404
    harms_url = "/api/v1/programs/cerebral-palsy/harms"
    harms_public = client.get(harms_url).json()
    # the 12 treated are the 12 accepted: 15 received minus them would be the 3 declined
    assert harms_public["treated"] is None and harms_public["treated_withheld"]
    assert harms_public["definition"]["version"] == "1" and harms_public["report_date"]
    assert client.get(harms_url, **auth).json()["treated"] == 12
    assert client.get("/api/v1/programs/nothing/harms").status_code == 404


def test_the_public_page_shows_flow_harms_and_registration(client) -> None:
    build(
        cerebral_palsy(),
        [InquirySpec("eligible_for_consultation", "accepted", True, 2)] * 20
        + [InquirySpec("not_eligible", "declined_early")] * 12
        + [InquirySpec(None, "declined_early")],
    )
    page = client.get("/programs/cerebral-palsy/").content.decode()
    assert 'id="flow"' in page and 'id="harms"' in page
    assert "This program is not registered as a clinical trial." in page
    assert '<tr data-box="declined"><th scope="row" class="level-1">Declined</th>' in page
    assert "fewer than 10" in page
    assert "20 of 20 patients" not in page  # nobody had an event: 0 of 20
    assert "0 of 20 patients (0%)" in page
    assert "flow definition version 1" in page and "harms definition version 1" in page


def test_a_registered_program_names_its_registration(client, definitions) -> None:
    from cellclinic.programs.loader import DefinitionError
    from cellclinic.programs.services import programs_sync

    path = definitions / "cerebral-palsy.yaml"
    text = path.read_text().replace('\nversion: "5"', '\nversion: "5-registered"', 1)
    registration = (
        "\nregistration:\n  registry: ClinicalTrials.gov\n  id: NCT01234567\n"
        "  url: https://clinicaltrials.gov/study/NCT01234567\n"
    )
    path.write_text(text + registration)
    programs_sync(directory=definitions)
    page = client.get("/programs/cerebral-palsy/").content.decode()
    assert "Registered as a clinical trial:" in page
    assert (
        '<a href="https://clinicaltrials.gov/study/NCT01234567">ClinicalTrials.gov NCT01234567</a>'
        in page
    )
    assert "not registered" not in page
    path.write_text(
        text.replace('"5-registered"', '"5-bad"')
        + registration.replace("NCT01234567\n  url", "NCT 1\n  url")
    )
    with pytest.raises(DefinitionError) as caught:
        programs_sync(directory=definitions)
    assert "registration.id" in str(caught.value)


def test_the_staff_report_shows_the_exact_flow_for_a_period(sign_in) -> None:
    build(
        cerebral_palsy(),
        [InquirySpec("not_eligible", "declined_early", days_ago=40)] * 3
        + [InquirySpec(None, "withdrawn_early")] * 2,
    )
    analyst = sign_in("analyst")
    page = analyst.get("/staff/outcomes/?program=cerebral-palsy").content.decode()
    assert (
        '<tr data-box="received"><th scope="row" class="level-0">Inquiries received</th><td>5</td>'
        in page
    )
    assert (
        '<tr data-box="declined.not_eligible"><th scope="row" class="level-2">Not eligible at screening</th><td>3</td>'
        in page
    )
    today = clinic_date()
    recent = analyst.get(
        f"/staff/outcomes/?program=cerebral-palsy&start={today - timedelta(days=7)}"
    )
    assert (
        '<tr data-box="received"><th scope="row" class="level-0">Inquiries received</th><td>2</td>'
        in recent.content.decode()
    )
    bad = analyst.get("/staff/outcomes/?program=cerebral-palsy&start=someday&end=2026-01-01")
    body = bad.content.decode()
    assert bad.status_code == 200 and 'id="id_start-error">Enter a valid date.' in body
    assert (
        '<tr data-box="received"><th scope="row" class="level-0">Inquiries received</th><td>5</td>'
        in body
    )
    backwards = analyst.get(
        "/staff/outcomes/?program=cerebral-palsy&start=2026-02-01&end=2026-01-01"
    )
    assert "The end of the period comes before its start." in backwards.content.decode()
