"""The compliance overview's stored gaps (activities/gaps.py): derived rows, rebuilt from meetings,
groups and members, never edited by hand.

No foreign keys: the rows are a cache that database triggers and the refresh job write beside the
records they are derived from; a branch deleted in the same transaction as its meetings (whose
deletion records a change) must not be held up by them, and orphans are pruned by the refresh.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ComplianceBuilt", "ComplianceChange", "ComplianceGap"]


class ComplianceGap(models.Model):
    """A window of a year's requirement in which a unit held no submitted meeting of the kind.

    Independent of the day: whether an empty window is missing, due or not yet open is decided when
    the ranking reads it (compliance.open_windows). 支委会 windows only for branches that have a
    committee on the year's last day, as compliance.branch_compliance counts them.
    """

    branch_id = models.IntegerField(_("支部"))
    year = models.SmallIntegerField(_("年度"))
    unit_id = models.IntegerField(_("组织"))
    kind = models.CharField(_("会议类型"), max_length=30)
    starts = models.DateField(_("开始"))
    ends = models.DateField(_("结束"))

    class Meta:
        verbose_name = _("三会一课缺项")
        verbose_name_plural = _("三会一课缺项")
        indexes = [
            # The ranking reads the gaps of a quarter's open windows (a dozen) for every branch.
            models.Index(fields=["year", "kind", "starts", "ends"], include=["branch_id"], name="gap_window"),
            models.Index(fields=["branch_id", "year"], name="gap_branch_year"),
        ]

    def __str__(self):
        return f"{self.branch_id} {self.kind} {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"


class ComplianceBuilt(models.Model):
    """A branch's gaps of a year are stored (and current unless a change was recorded since)."""

    branch_id = models.IntegerField(_("支部"))
    year = models.SmallIntegerField(_("年度"))

    class Meta:
        verbose_name = _("三会一课缺项已计算")
        verbose_name_plural = _("三会一课缺项已计算")
        constraints = [models.UniqueConstraint(fields=["branch_id", "year"], name="gaps_built_once")]

    def __str__(self):
        return f"{self.branch_id} {self.year}"


class ComplianceChange(models.Model):
    """A write that may change a branch's gaps, recorded by a trigger in the writing transaction.

    Insert-only, so writers never wait on each other; the refresh deletes the changes it has seen
    after rebuilding the branch, and a branch with any change left is read live (activities/gaps.py).
    """

    branch_id = models.IntegerField(_("支部"), db_index=True)

    class Meta:
        verbose_name = _("三会一课缺项变更")
        verbose_name_plural = _("三会一课缺项变更")

    def __str__(self):
        return str(self.branch_id)
