"""Rules of the org tree (DOMAIN.md, "The org tree"), as plain functions over plain data.

Nothing here touches the database: models and services feed these functions and act on what they
return, and tests call them directly.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop

COMMITTEE = "committee"
GENERAL_BRANCH = "general_branch"
BRANCH = "branch"
GROUP = "group"

# The labels the rules write (Chinese, stored) and, translated, what OrgUnit.Kind shows.
KIND_LABELS = {
    COMMITTEE: gettext_noop("机关党委"),
    GENERAL_BRANCH: gettext_noop("党总支"),
    BRANCH: gettext_noop("党支部"),
    GROUP: gettext_noop("党小组"),
}
KIND_BY_LABEL = {label: kind for kind, label in KIND_LABELS.items()}

# Which kinds of unit may be the parent of which. The committee is the single root.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    COMMITTEE: (None,),
    GENERAL_BRANCH: (COMMITTEE,),
    BRANCH: (COMMITTEE, GENERAL_BRANCH),
    GROUP: (BRANCH,),
}

# Years a unit's committee serves before it must be re-elected (换届).
TERM_YEARS = {COMMITTEE: 5, GENERAL_BRANCH: 3, BRANCH: 3}
TERM_WARNING_DAYS = 90

COMMITTEE_POSTS = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"]


def parent_error(kind: str, parent_kind: str | None) -> str | None:
    """Why a unit of `kind` cannot hang under a unit of `parent_kind`, or None if it can."""
    allowed = ALLOWED_PARENTS[kind]
    if parent_kind in allowed:
        return None
    if parent_kind is None:
        return f"{KIND_LABELS[kind]}必须有上级党组织"
    if kind == COMMITTEE:
        return "机关党委是组织树的根，不能有上级党组织"
    names = "或".join(KIND_LABELS[k] for k in allowed if k)
    return f"{KIND_LABELS[kind]}的上级只能是{names}，不能是{KIND_LABELS[parent_kind]}"


def size_warnings(kind: str, full_members: int, all_members: int, committee_size: int = 0) -> list[str]:
    """Warnings (never errors) when a unit's size does not fit its kind (机关基层组织工作条例)."""
    warnings = []
    if kind == BRANCH:
        if full_members < 3:
            warnings.append(f"正式党员{full_members}人，不足3人，不宜单独成立党支部")
        if all_members > 50:
            warnings.append(f"党员{all_members}人，超过50人，可考虑设立党总支或拆分支部")
        if full_members >= 7 and committee_size == 0:
            warnings.append(f"正式党员{full_members}人（7人以上），应设立支部委员会")
        if committee_size and full_members < 7:
            warnings.append(f"正式党员不足7人，一般只设书记（和副书记），不设支部委员会（现有委员{committee_size}人）")
        if full_members >= 7 and committee_size and not 3 <= committee_size <= 7:
            warnings.append(f"支部委员会{committee_size}人，应为3至5人，最多不超过7人")
        elif full_members >= 7 and 5 < committee_size <= 7:
            warnings.append(f"支部委员会{committee_size}人，一般为3至5人")
    elif kind == GENERAL_BRANCH:
        if all_members < 50:
            warnings.append(f"党员{all_members}人，不足50人，一般不设党总支")
        if all_members >= 100:
            warnings.append(f"党员{all_members}人，达到100人以上，可设立基层党委")
    elif kind == COMMITTEE:
        if all_members < 100:
            warnings.append(f"党员{all_members}人，不足100人，一般不设基层党委")
    return warnings


def add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year that has none
        return start.replace(year=start.year + years, day=28)


def term_end(kind: str, elected_on: date | None) -> date | None:
    """The day the committee elected on `elected_on` reaches the end of its term."""
    if elected_on is None or kind not in TERM_YEARS:
        return None
    return add_years(elected_on, TERM_YEARS[kind])


@dataclass(frozen=True)
class TermStatus:
    ends_on: date | None
    days_left: int | None
    level: str  # "ok", "due" (within the warning window), "expired", "unknown"
    message: str


def term_status(kind: str, elected_on: date | None, today: date) -> TermStatus:
    ends_on = term_end(kind, elected_on)
    if ends_on is None:
        if kind in TERM_YEARS:
            return TermStatus(None, None, "unknown", "未登记换届日期")
        return TermStatus(None, None, "ok", "")
    days_left = (ends_on - today).days
    if days_left < 0:
        return TermStatus(
            ends_on, days_left, "expired", f"任期已于{ends_on:%Y-%m-%d}届满，已超期{-days_left}天，请尽快换届"
        )
    if days_left <= TERM_WARNING_DAYS:
        return TermStatus(
            ends_on, days_left, "due", f"任期将于{ends_on:%Y-%m-%d}届满，还有{days_left}天，请做好换届准备"
        )
    return TermStatus(ends_on, days_left, "ok", f"任期至{ends_on:%Y-%m-%d}")


# --- Roles: who may grant what, where ------------------------------------------------------------

# Role values, as branches.access spells them (kept in step by a test). Highest first.
COMMITTEE_STAFF = "committee_staff"
GENERAL_SECRETARY = "general_secretary"
BRANCH_SECRETARY = "branch_secretary"
GROUP_LEADER = "group_leader"
ROLE_RANK = [COMMITTEE_STAFF, GENERAL_SECRETARY, BRANCH_SECRETARY, GROUP_LEADER]
ROLE_LABELS = {
    COMMITTEE_STAFF: "机关党委工作人员",
    GENERAL_SECRETARY: "党总支书记",
    BRANCH_SECRETARY: "支部书记",
    GROUP_LEADER: "党小组长",
}
ROLE_BY_LABEL = {label: role for role, label in ROLE_LABELS.items()}
# Each role is held on one kind of unit.
ROLE_KIND = {
    COMMITTEE_STAFF: COMMITTEE,
    GENERAL_SECRETARY: GENERAL_BRANCH,
    BRANCH_SECRETARY: BRANCH,
    GROUP_LEADER: GROUP,
}


def role_kind_error(role: str, unit_kind: str) -> str | None:
    """A role fits one kind of unit: 党总支书记 on a 党总支, 党小组长 on a 党小组 …"""
    if ROLE_KIND[role] == unit_kind:
        return None
    return f"{ROLE_LABELS[role]}只能授予在{KIND_LABELS[ROLE_KIND[role]]}上，不能授予在{KIND_LABELS[unit_kind]}上"


def grantable_roles(grants: list[tuple[str, str]], *, is_committee: bool, unit_path: str, unit_kind: str) -> list[str]:
    """The roles a user may grant or withdraw on a unit (path, kind), highest first.

    `grants` are the user's own (unit path, role). The rule (docs/features/accounts.md):
    - the committee (committee staff, superusers) grants any role anywhere;
    - everyone else grants only roles strictly below one of their own, on units inside that
      role's subtree: a general-branch secretary makes branch secretaries and group leaders below
      their general branch; a branch secretary makes the group leaders of their branch's groups;
      a group leader grants nothing. Nobody grants their own role or one above it.
    """
    fits = [role for role in ROLE_RANK if ROLE_KIND[role] == unit_kind]
    if is_committee:
        return fits
    allowed: set[str] = set()
    for path, own in grants:
        if own not in ROLE_RANK or not unit_path.startswith(path):
            continue
        below = ROLE_RANK[ROLE_RANK.index(own) + 1 :]
        allowed.update(role for role in fits if role in below)
    return [role for role in fits if role in allowed]
