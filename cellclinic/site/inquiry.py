from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cellclinic.core.ratelimit import RateLimited
from cellclinic.inquiries.forms import DOCUMENTS, HONEYPOT, InquiryForm, form_sections
from cellclinic.inquiries.services import Upload, inquiry_submit
from cellclinic.lib.clients import client_key
from cellclinic.lib.collation import likely_region
from cellclinic.lib.dates import family_today
from cellclinic.lib.invalid import error_summary
from cellclinic.lib.uploads import UploadRejected, check_upload
from cellclinic.programs.selectors import program_get
from cellclinic.site.contact import invitation_prefill
from cellclinic.site.programs import program_or_404

SESSION_SENT = "inquiry_sent"


def upload_message(code: str) -> str:
    limit_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return {
        "too_large": _("Each file must be at most %(size)d MB.") % {"size": limit_mb},
        "empty": _("The file is empty."),
        "type": _("Only PDF, JPEG and PNG files can be sent."),
        "extension": _("The file's name does not match its content (PDF, JPEG or PNG)."),
        "damaged": _("The file could not be read; it may be damaged."),
        "count": _("Send at most %(count)d files.") % {"count": settings.UPLOAD_MAX_FILES},
    }[code]


def check_uploads(request: HttpRequest) -> tuple[list[Upload], str | None]:
    files = request.FILES.getlist(DOCUMENTS)
    if len(files) > settings.UPLOAD_MAX_FILES:
        return [], upload_message("count")
    uploads = []
    for upload in files:
        try:
            checked = check_upload(
                upload.name or "", upload, upload.size or 0, settings.UPLOAD_MAX_BYTES
            )
        except UploadRejected as rejected:
            return [], f"{upload.name}: {upload_message(rejected.code)}"
        uploads.append(Upload(file=upload, checked=checked))
    return uploads, None


def rate_limited_response(request: HttpRequest) -> HttpResponse:
    minutes = max(settings.INQUIRY_RATE_WINDOW // 60, 1)
    response = render(request, "inquiries/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(settings.INQUIRY_RATE_WINDOW)
    return response


@require_http_methods(["GET", "POST"])
def inquiry_form(request: HttpRequest, slug: str) -> HttpResponse:
    program = program_or_404(slug)
    language = get_language()
    definition = program.definition
    today = family_today()
    values: dict = {}
    errors: dict[str, str] = {}
    form_error = None
    if request.method == "POST":
        form = InquiryForm(definition, request.POST, as_of=today)
        uploads, upload_error = check_uploads(request)
        errors = form.errors_by_field()
        if upload_error:
            errors[DOCUMENTS] = upload_error
        if request.POST.get(HONEYPOT):
            form_error = _("Please leave the field marked “leave empty” empty.")
        if not errors and form_error is None:
            try:
                inquiry, _created = inquiry_submit(
                    program=program,
                    answers=form.answers,
                    language=language,
                    uploads=uploads,
                    client=client_key(request),
                )
            except RateLimited:
                return rate_limited_response(request)
            request.session[SESSION_SENT] = {"reference": inquiry.reference, "program": slug}
            return redirect(reverse("inquiry_sent", args=[slug]))
        values = form.shown_values()
    else:  # an invitation to inquire (contact messages) may have filled in who is asking
        values = invitation_prefill(request, slug)
    sections = form_sections(
        definition,
        language=language,
        values=values,
        errors=errors,
        today=today,
        likely_country=likely_region(request.headers.get("Accept-Language", "")),
    )
    shown = [f for section in sections for f in section["fields"] if f.error]
    summary = error_summary(
        {
            **({"form": form_error} if form_error else {}),
            **{f.id: f.error or "" for f in shown},
            **({DOCUMENTS: errors[DOCUMENTS]} if DOCUMENTS in errors else {}),
        },
        {
            **{f.id: (f.html_id, f.label) for f in shown},
            DOCUMENTS: ("f-documents", _("Medical records")),
        },
    )
    status = 400 if (errors or form_error) else 200
    return render(
        request,
        "inquiries/form.html",
        {
            "program": program,
            "name": definition.name.get(language),
            "sections": sections,
            "summary": summary,
            "documents_error": errors.get(DOCUMENTS),
            "files_lost": _(
                "For your safety, files are not kept when the form has errors: "
                "please attach them again."
            )
            if request.FILES and (errors or form_error)
            else "",
            "max_files": settings.UPLOAD_MAX_FILES,
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            "honeypot": HONEYPOT,
        },
        status=status,
    )


def inquiry_sent(request: HttpRequest, slug: str) -> HttpResponse:
    sent = request.session.get(SESSION_SENT)
    program = program_get(slug=slug)
    if not sent or sent.get("program") != slug or program is None:
        return redirect(reverse("program_detail", args=[slug]) if program else "/")
    language = get_language()
    return render(
        request,
        "inquiries/sent.html",
        {
            "reference": sent["reference"],
            "name": program.definition.name.get(language),
            "program": program,
        },
    )
