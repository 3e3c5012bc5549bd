from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Decision(models.Model):
    """A screening decision on an inquiry, kept forever.

    An automatic decision records the rule-set version (program version and content hash)
    and the as-of date it was made with, so a later rule change never rewrites it. A
    physician's override is a second row that points at the decision it overrides, with
    the physician and a written reason; the automatic one stays.
    """

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic")
        OVERRIDE = "override", _("physician override")

    class Value(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("not eligible")
        NOT_RECOMMENDED = "not_recommended", _("not recommended")
        SPECIALIST_REVIEW = "specialist_review", _("specialist review")
        ELIGIBLE = "eligible_for_consultation", _("eligible for consultation")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inquiry = models.ForeignKey(
        "inquiries.Inquiry", on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    decision = models.CharField(max_length=30, choices=Value.choices)
    program_version = models.ForeignKey(
        "programs.ProgramVersion", on_delete=models.PROTECT, related_name="decisions"
    )
    rule_set_version = models.CharField(max_length=20)
    rule_set_hash = models.CharField(max_length=80)
    as_of = models.DateField()
    reasons = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    overrides = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="overridden_by"
    )
    decided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    is_current = models.BooleanField(
        default=True, help_text="the latest decision of its inquiry (an override replaces it)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="automatic") | (Q(decided_by__isnull=False) & ~Q(reason="")),
                name="override_has_physician_and_reason",
            ),
            models.UniqueConstraint(
                fields=["inquiry"],
                condition=Q(kind="automatic"),
                name="one_automatic_decision_per_inquiry",
            ),
            models.UniqueConstraint(
                fields=["inquiry"], condition=Q(is_current=True), name="one_current_decision"
            ),
        ]
        indexes = [
            models.Index(
                fields=["decision", "inquiry"],
                condition=Q(is_current=True),
                name="current_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.decision}"
