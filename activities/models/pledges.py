"""Pledges (承诺践诺), democratic appraisal (民主评议党员) and study notes (学习心得)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.pledges import rules
from branches.access import Scope, ScopedQuerySet, scope_for
from branches.models import OrgUnit
from core.choices import choice
from members.models import Member

__all__ = ["Appraisal", "AppraisalEntry", "PeerBallot", "Pledge", "PledgeNote", "StudyNote"]

QUARTER_CHOICES = [(1, _("第1季度")), (2, _("第2季度")), (3, _("第3季度")), (4, _("第4季度"))]


def _own_branch_ids(scope: Scope):
    return Member.objects.filter(pk=scope.member_id).values("branch_id")


def _scope(user_or_scope) -> Scope:
    return user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)


class PledgeQuerySet(ScopedQuerySet):
    """Pledges are public inside the branch: its members see the board, managers above it too.

    A member's own items follow them after a transfer, and so does the new branch's view of them.
    """

    unit_path_prefix = "branch__"
    pledge_prefix = ""

    def scope_q(self, scope: Scope) -> models.Q:
        if scope.is_committee:
            return models.Q()
        p = self.pledge_prefix
        q = scope.unit_q(f"{p}branch__") | scope.unit_q(f"{p}member__branch__")
        if scope.member_id is not None:
            q |= models.Q(**{f"{p}member_id": scope.member_id})
            q |= models.Q(**{f"{p}branch_id__in": _own_branch_ids(scope)})
        return q

    def writable_by(self, user_or_scope):
        """Items the user may write to: their own, and those of branches they manage."""
        scope = _scope(user_or_scope)
        if scope.user_id is None:
            return self.none()
        p = self.pledge_prefix
        if scope.is_committee:
            return self.all()
        q = scope.unit_q(f"{p}branch__", scope.manager_paths)
        if scope.member_id is not None:
            q |= models.Q(**{f"{p}member_id": scope.member_id})
        return self.filter(q)


class Pledge(models.Model):
    """One public pledge item (公开承诺) of a branch (member empty) or of one of its members."""

    class Rating(models.TextChoices):
        FULFILLED = choice(rules.FULFILLED, rules.RATING_LABELS)
        PARTIAL = choice(rules.PARTIAL, rules.RATING_LABELS)
        UNFULFILLED = choice(rules.UNFULFILLED, rules.RATING_LABELS)

    branch = models.ForeignKey(
        OrgUnit,
        verbose_name=_("支部"),
        on_delete=models.PROTECT,
        related_name="pledges",
        limit_choices_to={"kind": OrgUnit.Kind.BRANCH},
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pledges",
        help_text=_("空表示支部的集体承诺"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    content = models.TextField(_("承诺内容"), max_length=500)
    rating = models.CharField(_("评诺结果"), max_length=20, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("评诺说明"), max_length=200, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开承诺")
        verbose_name_plural = _("公开承诺")
        ordering = ["-year", "branch__code", "member__name", "pk"]
        indexes = [models.Index(fields=["branch", "year"]), models.Index(fields=["member", "year"])]

    def __str__(self):
        return f"{self.year} · {self.member or self.branch} · {self.content[:20]}"


class PledgeNoteQuerySet(PledgeQuerySet):
    unit_path_prefix = "pledge__branch__"
    pledge_prefix = "pledge__"


class PledgeNote(models.Model):
    """践诺记录: what was done towards a pledge, and when."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="notes")
    noted_on = models.DateField(_("日期"))
    text = models.TextField(_("践诺情况"), max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PledgeNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("践诺记录")
        verbose_name_plural = _("践诺记录")
        ordering = ["noted_on", "pk"]

    def __str__(self):
        return f"{self.noted_on} · {self.text[:20]}"


class AppraisalQuerySet(ScopedQuerySet):
    """Managers see their branches' appraisals; a member sees the ones they take part in."""

    unit_path_prefix = "branch__"

    def scope_q(self, scope: Scope) -> models.Q:
        q = scope.unit_q(self.unit_path_prefix)
        if scope.is_committee:
            return q
        if scope.member_id is not None:
            q |= models.Q(pk__in=AppraisalEntry.objects.filter(member_id=scope.member_id).values("appraisal_id"))
        return q


class Appraisal(models.Model):
    """民主评议党员: one round for a branch, for a year or one of its quarters."""

    class Status(models.TextChoices):
        OPEN = rules.OPEN, _("投票中")
        DECIDING = rules.DECIDING, _("评定中")
        CLOSED = rules.CLOSED, _("已结束")

    branch = models.ForeignKey(
        OrgUnit,
        verbose_name=_("支部"),
        on_delete=models.PROTECT,
        related_name="appraisals",
        limit_choices_to={"kind": OrgUnit.Kind.BRANCH},
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"),
        null=True,
        blank=True,
        choices=QUARTER_CHOICES,
        help_text=_("空表示年度评议"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    # When voting ended, not who ended it: the secretary does, and that is no secret. Ballots carry
    # no time at all (see PeerBallot).
    voting_ended_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-year", "-quarter", "branch__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "year"], condition=models.Q(quarter__isnull=True), name="one_yearly_appraisal"
            ),
            models.UniqueConstraint(
                fields=["branch", "year", "quarter"],
                condition=models.Q(quarter__isnull=False),
                name="one_quarterly_appraisal",
            ),
        ]

    def __str__(self):
        return f"{self.branch} · {self.label}"

    @property
    def label(self) -> str:
        if self.quarter:
            return gettext("%(year)s年第%(quarter)s季度民主评议") % {"year": self.year, "quarter": self.quarter}
        return gettext("%(year)s年度民主评议") % {"year": self.year}

    @property
    def is_open(self) -> bool:
        """Ballots may still be cast."""
        return self.status == self.Status.OPEN

    @property
    def is_deciding(self) -> bool:
        """Voting has ended; the branch decides the grades."""
        return self.status == self.Status.DECIDING

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class AppraisalEntryQuerySet(ScopedQuerySet):
    """Managers see every entry; a participant sees the entries of rounds they take part in, which
    is what they need to grade the others. Templates for members show peers' names only."""

    unit_path_prefix = "appraisal__branch__"

    def scope_q(self, scope: Scope) -> models.Q:
        q = scope.unit_q(self.unit_path_prefix)
        if scope.is_committee:
            return q
        if scope.member_id is not None:
            mine = AppraisalEntry.objects.filter(member_id=scope.member_id).values("appraisal_id")
            q |= models.Q(appraisal_id__in=mine)
        return q


class AppraisalEntry(models.Model):
    """One member in one appraisal: self-appraisal, peer totals, the branch's comment and grade.

    Peer grades are kept only as the four counters below. Who cast a ballot is in PeerBallot, which
    holds no grade and no time, so nothing stored links a grader to a grade, and a ballot cannot be
    changed once cast. The counters themselves are never shown: while voting is open two looks at
    them would give away the ballot cast in between, and a count one short of the ballots would
    give away who voted (nobody grades themselves). The branch sees `majority_grade` only, once
    voting has ended (rules.results_published). The model has no audit history on purpose.
    """

    class Grade(models.TextChoices):
        EXCELLENT = choice(rules.EXCELLENT, rules.GRADE_LABELS)
        COMPETENT = choice(rules.COMPETENT, rules.GRADE_LABELS)
        BASIC = choice(rules.BASIC, rules.GRADE_LABELS)
        INCOMPETENT = choice(rules.INCOMPETENT, rules.GRADE_LABELS)

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="appraisals")
    is_probationary = models.BooleanField(_("预备党员"), default=False)
    self_text = models.TextField(_("自我评价"), max_length=3000, blank=True)
    self_submitted_at = models.DateTimeField(null=True, blank=True)
    excellent_votes = models.PositiveIntegerField(_("优秀票"), default=0)
    competent_votes = models.PositiveIntegerField(_("合格票"), default=0)
    basic_votes = models.PositiveIntegerField(_("基本合格票"), default=0)
    incompetent_votes = models.PositiveIntegerField(_("不合格票"), default=0)
    branch_comment = models.TextField(_("支部评议意见"), max_length=1000, blank=True)
    final_grade = models.CharField(_("评议等次"), max_length=20, choices=Grade.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AppraisalEntryQuerySet.as_manager()

    VOTE_FIELDS = {
        rules.EXCELLENT: "excellent_votes",
        rules.COMPETENT: "competent_votes",
        rules.BASIC: "basic_votes",
        rules.INCOMPETENT: "incompetent_votes",
    }

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        ordering = ["appraisal", "member__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "member"], name="one_entry_per_member")]

    def __str__(self):
        return f"{self.appraisal} · {self.member}"

    @property
    def votes(self) -> dict[str, int]:
        return {grade: getattr(self, name) for grade, name in self.VOTE_FIELDS.items()}

    @property
    def votes_total(self) -> int:
        return sum(self.votes.values())

    @property
    def majority_grade(self) -> str | None:
        return rules.majority_grade(self.votes)

    def get_majority_grade_display(self) -> str:
        grade = self.majority_grade
        return str(self.Grade(grade).label) if grade else ""


class PeerBallotQuerySet(ScopedQuerySet):
    unit_path_prefix = "appraisal__branch__"

    def scope_q(self, scope: Scope) -> models.Q:
        # Only that one has voted, and only to the voter: managers see a count, never names, so
        # watching the totals change cannot tie a ballot to a person.
        if scope.member_id is None:
            return models.Q(pk__in=[])
        return models.Q(grader_id=scope.member_id)


class PeerBallot(models.Model):
    """That a member has cast their peer ballot in an appraisal. It holds no grade, on purpose, and
    no date: a day beside a name, next to yesterday's backup of the totals, would date each vote."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="ballots")
    grader = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    objects = PeerBallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("互评票")
        verbose_name_plural = _("互评票")
        constraints = [models.UniqueConstraint(fields=["appraisal", "grader"], name="one_ballot_per_member")]

    def __str__(self):
        return f"{self.appraisal} · {self.grader}"


class StudyNoteQuerySet(ScopedQuerySet):
    """A note is seen by its author and by those who manage the branch it was posted in or the
    member's branch now."""

    unit_path_prefix = "branch__"

    def scope_q(self, scope: Scope) -> models.Q:
        if scope.is_committee:
            return models.Q()
        q = scope.unit_q("branch__", scope.manager_paths) | scope.unit_q("member__branch__", scope.manager_paths)
        if scope.member_id is not None:
            q |= models.Q(member_id=scope.member_id)
        return q

    def writable_by(self, user_or_scope):
        """The author's own notes, and notes a manager entered or may mend for their branch."""
        scope = _scope(user_or_scope)
        if scope.user_id is None:
            return self.none()
        if scope.is_committee:
            return self.all()
        q = scope.unit_q("branch__", scope.manager_paths)
        if scope.member_id is not None:
            q |= models.Q(member_id=scope.member_id)
        return self.filter(q)


def study_note_upload_to(instance, filename: str) -> str:
    # A random stored name: the original is kept in attachment_name and given back on download.
    return f"study-notes/{instance.month:%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class StudyNote(models.Model):
    """学习心得: a member's note for a month."""

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="study_notes")
    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("所属月份"), help_text=_("该月第一天"))
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"), max_length=10000)
    attachment = models.FileField(_("附件"), upload_to=study_note_upload_to, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StudyNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("学习心得")
        verbose_name_plural = _("学习心得")
        ordering = ["-month", "-created_at", "-pk"]
        indexes = [models.Index(fields=["member", "month"]), models.Index(fields=["branch", "month"])]

    def __str__(self):
        return self.title
