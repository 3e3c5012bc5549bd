from django.urls import include, path

from cellclinic.accounts import views as account_views
from cellclinic.api.urls import api
from cellclinic.care import views as care_views
from cellclinic.core import views
from cellclinic.desk import access_log as audit_views
from cellclinic.desk import contact as desk_contact
from cellclinic.desk import inquiries as desk
from cellclinic.followup import views as followup_views
from cellclinic.outcomes import views as outcome_views
from cellclinic.screening import views as screening_views
from cellclinic.site import contact as contact_views
from cellclinic.site import family as family_views
from cellclinic.site import inquiry as inquiry_views
from cellclinic.site import programs as program_views

urlpatterns = [
    path("", program_views.home, name="home"),
    path("programs/<slug:slug>/", program_views.program_detail, name="program_detail"),
    path("programs/<slug:slug>/inquire/", inquiry_views.inquiry_form, name="inquiry_form"),
    path("programs/<slug:slug>/inquire/sent/", inquiry_views.inquiry_sent, name="inquiry_sent"),
    path("contact/", contact_views.contact_form, name="contact_form"),
    path("contact/sent/", contact_views.contact_sent, name="contact_sent"),
    path(
        "contact/invitation/<str:token>/",
        contact_views.contact_invitation,
        name="contact_invitation",
    ),
    path("staff/", screening_views.staff_home, name="staff_home"),
    path("staff/contact/", desk_contact.contact_list, name="staff_contact_list"),
    path("staff/contact/<uuid:message>/", desk_contact.contact_page, name="staff_contact"),
    path("staff/inquiries/", desk.queue, name="staff_queue"),
    path("staff/inquiries/<str:reference>/", desk.inquiry_page, name="staff_inquiry"),
    path(
        "staff/inquiries/<str:reference>/documents/<uuid:document>/",
        desk.document_download,
        name="staff_document",
    ),
    path(
        "staff/inquiries/<str:reference>/screening/",
        screening_views.inquiry_screening,
        name="inquiry_screening",
    ),
    path("staff/screening/impact/", screening_views.impact, name="screening_impact"),
    path("staff/audit/", audit_views.access_log, name="access_log"),
    path("staff/patients/", care_views.patient_list_page, name="patient_list"),
    path("staff/patients/<uuid:patient>/", care_views.patient_page, name="patient_page"),
    path("staff/patients/<uuid:patient>/plan/", care_views.plan_page, name="plan_page"),
    path(
        "staff/patients/<uuid:patient>/procedures/new/",
        care_views.procedure_new,
        name="procedure_new",
    ),
    path(
        "staff/patients/<uuid:patient>/procedures/<uuid:procedure>/",
        care_views.procedure_page,
        name="procedure_page",
    ),
    path(
        "staff/patients/<uuid:patient>/events/new/",
        care_views.adverse_event_new,
        name="adverse_event_new",
    ),
    path(
        "staff/patients/<uuid:patient>/events/<uuid:event>/",
        care_views.adverse_event_page,
        name="adverse_event_page",
    ),
    path(
        "staff/patients/<uuid:patient>/consent/",
        care_views.consent_in_person,
        name="consent_in_person",
    ),
    path(
        "staff/patients/<uuid:patient>/consent/<uuid:signature>/",
        care_views.consent_snapshot,
        name="consent_snapshot",
    ),
    path(
        "staff/patients/<uuid:patient>/summary/",
        care_views.discharge_summary,
        name="discharge_summary",
    ),
    path("staff/safety/", care_views.safety_report_page, name="safety_report"),
    path("staff/consent-documents/", care_views.consent_documents, name="consent_documents"),
    path(
        "staff/consent-documents/<slug:program>/<str:language>/",
        care_views.consent_document_edit,
        name="consent_document_edit",
    ),
    path("staff/patients/<uuid:patient>/plan.ics", care_views.plan_ics, name="plan_ics"),
    path("family/<str:token>/", family_views.family_inquiry, name="family_inquiry"),
    path("family/<str:token>/consent/", care_views.family_consent, name="family_consent"),
    path("family/<str:token>/plan/", family_views.family_plan, name="family_plan"),
    path("family/<str:token>/plan.ics", family_views.family_plan_ics, name="family_plan_ics"),
    path("family/<str:token>/new-link/", family_views.family_link_new, name="family_link_new"),
    path("followup/<str:token>/", followup_views.followup_family, name="followup_family"),
    path("staff/followup/", followup_views.followup_desk, name="followup_desk"),
    path(
        "staff/patients/<uuid:patient>/assessments/",
        followup_views.patient_assessments,
        name="patient_assessments",
    ),
    path("staff/outcomes/", outcome_views.outcome_report, name="outcome_report"),
    path(
        "staff/outcomes/export.zip",
        outcome_views.deidentified_export,
        name="deidentified_export",
    ),
    path("staff/tokens/", account_views.api_tokens, name="api_tokens"),
    path(
        "staff/tokens/<uuid:token>/revoke/",
        account_views.api_token_revoke_page,
        name="api_token_revoke",
    ),
    path("staff/settings/", account_views.staff_settings, name="staff_settings"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    # no sign-up: this answers 404 before allauth's sign-up page is reached
    path("accounts/signup/", account_views.signup_refused, name="signup_refused"),
    path("accounts/", include("allauth.urls")),
]

handler400 = "cellclinic.core.views.bad_request"
handler403 = "cellclinic.core.views.forbidden"
handler404 = "cellclinic.core.views.not_found"
handler500 = "cellclinic.core.views.server_error"
