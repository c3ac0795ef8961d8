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


class RollupMark(models.Model):
    """How far the rollup sweep has read an append-only source (its highest id seen)."""

    source = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} > {self.last_id}"
