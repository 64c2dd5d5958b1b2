"""Demo of the 公示 and what stands behind the numbers (called by `seed_demo` after the ratings).

`seed_publication(org)` builds, through the services:
- the holidays with fixed dates (元旦, 劳动节, 国庆节) of last year, this year and next year;
- supporting documents (佐证材料) for most hand-scored indicators of last year (about four in five,
  each branch missing a different few) and this year's plans, and the checkers' scores of last year
  citing them;
- the approval of last year, so its 公示 is open on the demo's day (put up two working days before),
  with two objections from the DEMO_BRANCH logins: one answered (dangyuan's), one waiting (zuzhang's);
- the interviews of last year's interview list: ZB12's held today, with a follow-up problem, and the
  others (ZB08 at least) still to hold.
Idempotent: each piece is written only if it is not there yet. A database whose last year was
approved before the 公示 existed gets no notice, hence no objections.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile

from assessment.models import (
    BranchRating,
    Holiday,
    Indicator,
    Interview,
    Objection,
    Score,
    SupportingDocument,
    YearRating,
)
from assessment.publication import rules, selectors, services
from assessment.services import ratings
from branches.models import UnitRole
from demo.ratings import OVERRIDE, rated_on
from members.models import Member

FIXED_HOLIDAYS = [("元旦", 1, 1, 1), ("劳动节", 5, 1, 5), ("国庆节", 10, 1, 7)]  # (name, month, first, last day)
DOCUMENTS = {
    "A1": "书记述职报告.pdf",
    "A2": "年度党建工作计划.pdf",
    "A3": "一岗双责责任状.pdf",
    "A4": "支委会研究党建工作会议记录.pdf",
    "A5": "党务公开栏照片.pdf",
    "A6": "党建与业务同部署同考核方案.pdf",
    "C4": "党务干部培训结业证书.pdf",
    "C6": "党费收缴台账.pdf",
    "D2": "党员活动室八有照片.pdf",
    "D4": "党建台账目录.pdf",
    "D5": "党建工作经费预算表.pdf",
    "E3": "党员先锋岗事迹材料.pdf",
    "E5": "集体荣誉证书.pdf",
    "E6": "群众满意度测评结果.pdf",
}
THIS_YEAR_DOCUMENTS = ("A2", "A3")  # put up early in the year
# (username, branch code, objection, answer or None for one still waiting)
OBJECTIONS = [
    (
        "dangyuan",
        OVERRIDE[0],
        "该支部全年三会一课按时召开，调整为二星的理由是否充分？请机关党委核实。",
        "经核实，该支部一名党员年内受到党内警告处分，支部对党员日常教育管理不到位。调整经机关党委会议研究，"
        "符合星级党支部创评办法，维持原评定。",
    ),
    (
        "zuzhang",
        "ZB06",
        "该支部党员活动室的电教设备年内损坏一直未修复，D2“八有”得满分是否属实？",
        None,
    ),
]
INTERVIEWED = "ZB12"


def seed_publication(org) -> None:
    today = org.today
    year = today.year - 1
    checker = _committee_user(org)
    branches = {b.code: b for b in org.branches}
    _holidays(today, checker)
    _documents(year, branches, today)
    _documents(today.year, branches, today, codes=THIS_YEAR_DOCUMENTS)
    _cite(year)
    _approve(year, today, checker)
    _objections(year, branches, today, org, checker)
    _interviews(year, branches, today, org, checker)


def _committee_user(org):
    role = UnitRole.objects.filter(unit=org.committee, role=UnitRole.Role.COMMITTEE_STAFF).select_related("user")
    first = role.order_by("pk").first()
    return first.user if first else None


def _holidays(today: date, by) -> None:
    for year in (today.year - 1, today.year, today.year + 1):
        for name, month, first, last in FIXED_HOLIDAYS:
            for day in range(first, last + 1):
                when = date(year, month, day)
                if not Holiday.objects.filter(day=when).exists():
                    services.holiday_save(day=when, name=name, kind=Holiday.Kind.OFF, by=by)


def pdf(*lines: str) -> bytes:
    """A one-page PDF with a few lines of ASCII text (the built-in Helvetica has no Chinese glyphs)."""
    text = " ".join(f"({line}) Tj 0 -22 Td" for line in lines)
    content = f"BT /F1 16 Tf 72 760 Td {text} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _documents(year: int, branches: dict, today: date, codes=None) -> None:
    """Most manual indicators of each branch get a document; a different few per branch have none."""
    if YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists():
        return
    manual = Indicator.objects.filter(standard__year=year, mode=Indicator.Mode.MANUAL).select_related("standard")
    manual = [i for i in manual.order_by("position") if codes is None or i.code in codes]
    have = set(
        SupportingDocument.objects.filter(indicator__standard__year=year).values_list("branch_id", "indicator_id")
    )
    uploader = {m.branch_id: m.user for m in Member.objects.filter(committee_post="书记", user__isnull=False)}
    for n, (code, branch) in enumerate(sorted(branches.items())):
        for k, indicator in enumerate(manual):
            if (branch.pk, indicator.pk) in have or (codes is None and (n + k) % 5 == 0):
                continue
            name = DOCUMENTS.get(indicator.code, f"{indicator.code}佐证材料.pdf")
            upload = ContentFile(pdf("Star Branch demo document", f"{code} {year} {indicator.code}"), name=name)
            services.document_upload(
                branch=branch, indicator=indicator, upload=upload, title="", by=uploader.get(branch.pk)
            )


def _cite(year: int) -> None:
    """The checkers' notes of last year cite the documents of their indicator."""
    if YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists():
        return
    documents = {}
    for document in SupportingDocument.objects.filter(indicator__standard__year=year):
        documents.setdefault((document.branch_id, document.indicator_id), []).append(document)
    scores = Score.objects.filter(indicator__standard__year=year, manual__isnull=False, citations__isnull=True)
    for score in scores.filter(indicator__mode=Indicator.Mode.MANUAL):
        cited = documents.get((score.branch_id, score.indicator_id))
        if cited:
            services.score_citations_set(score=score, documents=cited)


def _approve(year: int, today: date, by) -> None:
    """Approve last year two working days before the demo's day (never before it was rated)."""
    year_rating = YearRating.objects.filter(year=year, status=YearRating.Status.PROPOSED).first()
    if year_rating is None:
        return
    calendar = selectors.calendar(today - timedelta(days=30))
    opened_on, back = today, 0
    while back < 2 and opened_on > rated_on(year, today):
        opened_on -= timedelta(days=1)
        back += rules.is_working_day(opened_on, calendar)
    ratings.year_approve(year=year, by=by, today=opened_on, working_days=rules.DEFAULT_WORKING_DAYS)


def _objections(year: int, branches: dict, today: date, org, checker) -> None:
    year_rating = YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).first()
    notice = selectors.standing_notice(year_rating) if year_rating else None
    if notice is None or selectors.notice_state(notice, today) != rules.NoticeState.OPEN:
        return
    for username, code, text, answer in OBJECTIONS:
        user, branch = org.users.get(username), branches.get(code)
        if user is None or branch is None or Objection.objects.filter(raised_by=user, branch=branch).exists():
            continue
        objection = services.objection_raise(year=year, branch=branch, text=text, by=user, today=today)
        if answer:
            services.objection_answer(
                objection=objection, answer=answer, outcome=Objection.Outcome.UPHELD, by=checker, today=today
            )


def _interviews(year: int, branches: dict, today: date, org, checker) -> None:
    branch = branches.get(INTERVIEWED)
    if branch is None or Interview.objects.filter(branch=branch, year=year).exists():
        return
    if not selectors.is_on_interview_list(branch, year):
        return
    line = BranchRating.objects.get(rating__year=year, branch=branch)
    secretary = Member.objects.filter(branch=branch, committee_post="书记").first()
    staff = Member.objects.filter(user=checker).first() if checker else None
    services.interview_record(
        branch=branch,
        year=year,
        held_on=today,
        interviewers=f"机关党委副书记 {staff.name if staff else '（机关党委）'}",
        interviewee=f"{branch.name}书记 {secretary.name if secretary else ''}".strip(),
        points=(
            f"{year}年度评定为{line.level}星：党小组会多月未召开，谈心谈话未覆盖全体党员，"
            "志愿服务和结对共建活动开展不足；党员先锋岗作用发挥不明显。"
        ),
        commitments="一个月内制定整改方案报机关党委；党小组会每月召开并按时录入台账；年内完成谈心谈话全覆盖。",
        follow_ups=[("制定支部整改方案，健全党小组会制度并按月落实", today + timedelta(days=60))],
        by=checker,
        today=today,
    )
