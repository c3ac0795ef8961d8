"""Rollups: every KPI per compound per day, month, quarter and year, as of the period's last day (or today
while it runs), so that dashboards read a few rows instead of scanning voices and bills (rollups.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GRAIN_CHOICES = [("day", _("day")), ("month", _("month")), ("quarter", _("quarter")), ("year", _("year"))]


class KpiRollup(models.Model):
    """One KPI's numerator and denominator for one compound and one period (``grain`` starting on ``start``).

    ``denominator`` is empty for counts and amounts; ``has_data`` False is "no data". ``as_of`` is the day the
    value was measured as of (the period's last day once it has ended).
    """

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=8, choices=GRAIN_CHOICES)
    start = models.DateField()
    key = models.CharField(max_length=48)
    numerator = models.DecimalField(max_digits=20, decimal_places=4)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    has_data = models.BooleanField(default=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("KPI rollup")
        verbose_name_plural = _("KPI rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "compound", "grain", "start", "key"], name="kpi_rollup_unique"
            ),
        ]
        indexes = [
            # a sub-district dashboard: its communities' compounds, one grain, a range of periods
            models.Index(fields=["community", "grain", "start", "key"], name="kpi_rollup_area"),
            models.Index(fields=["compound", "grain", "start"], name="kpi_rollup_compound"),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.grain} {self.start} {self.key}"


class KpiRollupToDate(models.Model):
    """A running period's year before, measured to the same day (what its KPIs are compared with): one KPI of one
    compound for the period a year before ``start``'s period, as of ``as_of``. Replaced by every sweep while the
    period runs, so that pages compare "this year so far" without scanning last year's events."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=8, choices=GRAIN_CHOICES)
    start = models.DateField()  # the year before's start
    key = models.CharField(max_length=48)
    numerator = models.DecimalField(max_digits=20, decimal_places=4)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    has_data = models.BooleanField(default=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("KPI rollup to date")
        verbose_name_plural = _("KPI rollups to date")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "compound", "grain", "start", "key"], name="kpi_rollup_to_date_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.grain} {self.start} {self.key} to {self.as_of}"


class RollupMark(models.Model):
    """How far the rollup sweep has read an append-only source (its highest id seen)."""

    source = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} > {self.last_id}"


class RedListWeights(models.Model):
    """The red list's weights for one sub-district (KPIS.md "Ranking"), changed by its administrator.

    Whole percentages that must add up to 100; printed beside every ranking. ``min_ratings`` etc. decide
    when a compound has too little data for a component (unranked for it, never 0).
    """

    area = models.OneToOneField("estates.Area", on_delete=models.CASCADE, related_name="+")
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (%)"), default=40)
    resolution = models.PositiveSmallIntegerField(_("resolution (%)"), default=25)
    response = models.PositiveSmallIntegerField(_("response (%)"), default=15)
    collection = models.PositiveSmallIntegerField(_("current-period collection (%)"), default=20)
    min_ratings = models.PositiveSmallIntegerField(_("fewest ratings to rank satisfaction"), default=10)
    min_voices = models.PositiveSmallIntegerField(_("fewest voices to rank response and resolution"), default=10)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("red list weights")
        verbose_name_plural = _("red list weights")

    def __str__(self) -> str:
        return f"{self.area_id}: {self.satisfaction}/{self.resolution}/{self.response}/{self.collection}"


class Honour(models.Model):
    """An honour a compound received in a year (e.g. best compound of the district), recorded by a supervisor."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="honours")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("honour"), max_length=100)
    awarded_by = models.CharField(_("awarded by"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "year", "title"], name="honour_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ReportNarrative(models.Model):
    """A paragraph of a compound's governance report that staff wrote or edited (one per section and period);
    sections without one read the generated text."""

    community = models.ForeignKey("estates.Area", on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey("estates.Compound", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)
    section = models.CharField(_("section"), max_length=20)
    text = models.TextField(_("text"), max_length=4000)
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        constraints = [
            models.UniqueConstraint(fields=["compound", "period", "section"], name="report_narrative_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.period} {self.section}"
