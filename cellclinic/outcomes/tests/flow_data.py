"""Generated clinics for the flow and harms tests: inquiries that went some way along the
path, patients with procedures and adverse events, written straight to the tables (fast,
so hypothesis can make many), and the expected figures computed from the specs alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from math import sqrt
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import strategies as st

from cellclinic.care.consent import consent_document_in_force
from cellclinic.care.models import AdverseEvent, ConsentSignature, Patient, Procedure
from cellclinic.inquiries.models import Inquiry, StatusChange
from cellclinic.programs.selectors import CurrentProgram
from cellclinic.screening.models import Decision

DECISIONS = (
    None,
    "not_eligible",
    "not_recommended",
    "specialist_review",
    "eligible_for_consultation",
)
# How far an inquiry went: its statuses in order.
PATHS = {
    "new": ["new"],
    "screening": ["new", "contacted", "screening"],
    "consultation": ["new", "contacted", "screening", "consultation"],
    "declined_early": ["new", "declined"],
    "declined_at_consultation": ["new", "contacted", "screening", "consultation", "declined"],
    "withdrawn_early": ["new", "contacted", "withdrawn"],
    "withdrawn_at_consultation": ["new", "contacted", "screening", "consultation", "withdrawn"],
    "accepted": ["new", "contacted", "screening", "consultation", "accepted"],
}
RELATIONS = ("unrelated", "unlikely", "possible", "probable", "definite")


@dataclass(frozen=True)
class EventSpec:
    serious: bool
    relation_cells: str
    relation_lumbar_puncture: str
    relation_infusion: str
    action: str


@dataclass(frozen=True)
class InquirySpec:
    decision: str | None
    path: str
    consented: bool = False
    procedures: int = 0
    events: tuple[EventSpec, ...] = field(default=())
    days_ago: int = 0


events = st.builds(
    EventSpec,
    serious=st.booleans(),
    relation_cells=st.sampled_from(RELATIONS),
    relation_lumbar_puncture=st.sampled_from(("", *RELATIONS)),
    relation_infusion=st.sampled_from(("", *RELATIONS)),
    action=st.sampled_from(("none", "treated", "stopped", "postponed")),
)


@st.composite
def inquiry_spec(draw: Any) -> InquirySpec:
    path = draw(st.sampled_from(list(PATHS)))
    decision = draw(st.sampled_from(DECISIONS))
    days_ago = draw(st.sampled_from([0, 5, 40]))
    if path != "accepted":
        return InquirySpec(decision, path, days_ago=days_ago)
    consented = draw(st.booleans())
    procedures = draw(st.integers(0, 3)) if consented else 0
    return InquirySpec(
        decision,
        path,
        consented=consented,
        procedures=procedures,
        events=tuple(draw(st.lists(events, max_size=3))),
        days_ago=days_ago,
    )


# Groups of alike inquiries (so counts of 10 and more happen), as the tests draw them.
clinic = st.lists(
    st.tuples(inquiry_spec(), st.sampled_from([1, 2, 3, 9, 10, 12])), min_size=0, max_size=6
).map(lambda groups: [spec for spec, n in groups for _ in range(n)])


def build(program: CurrentProgram, specs: list[InquirySpec]) -> None:
    """The specs written to the tables as the services would have left them."""
    version = program.version
    user = User.objects.create(username=f"builder-{User.objects.count()}")
    now = timezone.now()
    document = consent_document_in_force(program=version.program, language="en")
    start = Inquiry.objects.count()
    inquiries = Inquiry.objects.bulk_create(
        Inquiry(
            reference=f"T{start + i:010d}",
            program_id=version.program_id,
            program_version=version,
            answers={},
            language="en",
            reply_language="en",
            contact_name="A family",
            contact_email="family@example.org",
            patient_name="A child",
            country="DE",
            status=PATHS[spec.path][-1],
            source="web",
        )
        for i, spec in enumerate(specs)
    )
    for inquiry, spec in zip(inquiries, specs, strict=True):
        if spec.days_ago:
            Inquiry.objects.filter(pk=inquiry.pk).update(
                created_at=now - timedelta(days=spec.days_ago)
            )
    StatusChange.objects.bulk_create(
        StatusChange(inquiry=inquiry, from_status=a, to_status=b)
        for inquiry, spec in zip(inquiries, specs, strict=True)
        for a, b in zip(PATHS[spec.path], PATHS[spec.path][1:], strict=False)
    )
    Decision.objects.bulk_create(
        Decision(
            inquiry=inquiry,
            kind="automatic",
            decision=spec.decision,
            program_version=version,
            rule_set_version="1",
            rule_set_hash="x",
            as_of=date(2026, 1, 1),
        )
        for inquiry, spec in zip(inquiries, specs, strict=True)
        if spec.decision
    )
    for inquiry, spec in zip(inquiries, specs, strict=True):
        if spec.path != "accepted":
            continue
        patient = Patient.objects.create(
            inquiry=inquiry,
            program_id=version.program_id,
            program_version=version,
            accepted_by=user,
            consultation_note="Suitable.",
        )
        if not spec.consented:
            continue
        consent = ConsentSignature.objects.create(
            patient=patient,
            document=document,
            signer_name="A parent",
            signer_role="parent",
            statements=[],
            method="in_person",
            signed_at=now,
            address="192.0.2.1",
            snapshot="",
            snapshot_sha256="",
        )
        procedures = Procedure.objects.bulk_create(
            Procedure(
                patient=patient,
                consent=consent,
                performed_at=now,
                route="lumbar_puncture",
                cell_type="cells",
                dose=Decimal(1),
                dose_unit="million_cells",
                operator=user,
                recorded_by=user,
            )
            for _ in range(spec.procedures)
        )
        AdverseEvent.objects.bulk_create(
            AdverseEvent(
                patient=patient,
                procedure=procedures[0] if procedures else None,
                description="An event",
                category="general",
                grade=3 if event.serious else 1,
                serious=event.serious,
                relation_cells=event.relation_cells,
                relation_lumbar_puncture=event.relation_lumbar_puncture,
                relation_infusion=event.relation_infusion,
                action=event.action,
                outcome="recovered",
                onset_date=date(2026, 1, 2),
                recorded_by=user,
            )
            for event in spec.events
        )


# --- the expected figures, from the specs alone -------------------------------------------


def expected_boxes(spec: InquirySpec) -> set[str]:
    """The flow boxes an inquiry of this spec is in, by docs/outcomes.md's definitions."""
    statuses = PATHS[spec.path]
    found = {"received"}
    if spec.decision:
        found |= {"screened", f"screened.{spec.decision}"}
    consulted = "consultation" in statuses
    if consulted:
        found.add("consultation")
    final = statuses[-1]
    if final == "accepted":
        found.add("accepted")
        if spec.consented:
            found.add("consented")
        if spec.procedures:
            found.add("treated")
    elif final == "declined":
        if consulted:
            reason = "after_consultation"
        elif spec.decision in ("not_eligible", "not_recommended"):
            reason = spec.decision
        else:
            reason = "other"
        found |= {"declined", f"declined.{reason}"}
    elif final == "withdrawn":
        found.add("withdrawn")
    else:
        found.add("in_progress")
    return found


def expected_flow(specs: list[InquirySpec]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for spec in specs:
        counts.update(expected_boxes(spec))
    return counts


def harm_boxes(spec: InquirySpec) -> set[str]:
    related = ("possible", "probable", "definite")
    found = {"treated"}
    for event in spec.events:
        found.add("any_event")
        if event.serious:
            found.add("serious")
        if event.relation_cells in related:
            found.add("related_cells")
        if event.relation_lumbar_puncture in related or event.relation_infusion in related:
            found.add("related_procedure")
        if event.action == "stopped":
            found.add("stopped")
    return found


def treated_specs(specs: list[InquirySpec]) -> list[InquirySpec]:
    return [s for s in specs if s.procedures]


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval at 95%, from its formula."""
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half
