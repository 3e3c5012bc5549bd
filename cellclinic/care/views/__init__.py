"""The care pages, one module per concern; `cellclinic/urls.py` names them from here."""

from cellclinic.care.views.consent import (
    consent_document_edit,
    consent_documents,
    consent_in_person,
    consent_snapshot,
    family_consent,
)
from cellclinic.care.views.patients import discharge_summary, patient_list_page, patient_page
from cellclinic.care.views.plan import plan_ics, plan_page
from cellclinic.care.views.records import (
    adverse_event_new,
    adverse_event_page,
    procedure_new,
    procedure_page,
)
from cellclinic.care.views.reports import safety_report_page

__all__ = [
    "adverse_event_new",
    "adverse_event_page",
    "consent_document_edit",
    "consent_documents",
    "consent_in_person",
    "consent_snapshot",
    "discharge_summary",
    "family_consent",
    "patient_list_page",
    "patient_page",
    "plan_ics",
    "plan_page",
    "procedure_new",
    "procedure_page",
    "safety_report_page",
]
