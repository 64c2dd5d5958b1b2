from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.choices import choice

from . import access, rules


class OrgUnitQuerySet(access.ScopedQuerySet, MP_NodeQuerySet):
    unit_path_prefix = ""


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self):
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user_or_scope):
        return self.get_queryset().visible_to(user_or_scope)

    def managed_by(self, user_or_scope):
        return self.get_queryset().managed_by(user_or_scope)


class OrgUnit(MP_Node):
    """One node of the org tree: 机关党委 → 党总支 → 党支部 → 党小组.

    A materialised path (treebeard) makes "everything under this unit" a single indexed
    `path LIKE 'xxx%'` filter, which is what every permission check asks.
    """

    class Kind(models.TextChoices):
        COMMITTEE = choice(rules.COMMITTEE, rules.KIND_LABELS)
        GENERAL_BRANCH = choice(rules.GENERAL_BRANCH, rules.KIND_LABELS)
        BRANCH = choice(rules.BRANCH, rules.KIND_LABELS)
        GROUP = choice(rules.GROUP, rules.KIND_LABELS)

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    elected_on = models.DateField(
        _("换届日期"), null=True, blank=True, help_text=_("本届委员会选举产生的日期；任期届满日据此计算")
    )
    departments = models.CharField(
        _("对应庭室"), max_length=200, blank=True, help_text=_("支部建在庭上：本支部对应的部门，多个用、分隔")
    )
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    objects = OrgUnitManager()

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self):
        return self.name

    def term_status(self, today=None):
        return rules.term_status(self.kind, self.elected_on, today or timezone.localdate())

    def subtree_filter(self, prefix: str = "") -> models.Q:
        """A Q object matching this unit and every unit below it, through relation `prefix`."""
        return models.Q(**{f"{prefix}path__startswith": self.path})


class UnitRole(models.Model):
    """What a user does for a unit. The unit's subtree is what the user may see and change."""

    class Role(models.TextChoices):
        COMMITTEE_STAFF = access.COMMITTEE_STAFF, _("机关党委工作人员")
        GENERAL_SECRETARY = access.GENERAL_SECRETARY, _("党总支书记")
        BRANCH_SECRETARY = access.BRANCH_SECRETARY, _("支部书记/党务干部")
        GROUP_LEADER = access.GROUP_LEADER, _("党小组长")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_roles")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    # Who granted or withdrew which role, when: shown with the unit's own history on its page.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位授权")
        verbose_name_plural = _("岗位授权")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_unit_role")]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
