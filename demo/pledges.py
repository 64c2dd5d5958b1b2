"""Demo data for pledges, democratic appraisal and study notes (called by `seed_demo`).

Idempotent: each piece (a branch's pledges for a year, a branch's appraisal for a year, a member's
notes for a month) is written only if it is not there yet, and each draws from its own random
generator seeded with fixed text, so running the demo again changes nothing and the same database
gets the same content. Rows are bulk-written for speed; the values obey the rules of rules.py (a few
items per person, ratings only for a year that has begun, notes only for months that have come).
"""

import random
from datetime import date, datetime, time

from django.utils import timezone

from activities.models import Appraisal, AppraisalEntry, PeerBallot, Pledge, PledgeNote, StudyNote
from activities.pledges import rules
from members.models import Member

SEED = "star-branch-pledges-2024"

BRANCH_PLEDGES = [
    "落实“三会一课”制度，全年组织生活会、主题党日按时召开率100%",
    "争创五星级党支部，党建工作与审判业务同部署、同落实、同考核",
    "开展“党员先锋岗”创建，支部审判质效主要指标进入全院前三",
    "每季度组织一次进社区、进学校的普法志愿服务",
    "与一个社区党组织结对共建，帮扶困难群众不少于{n}户",
    "打造“支部建在庭上”党建品牌，形成一项可推广的工作经验",
    "全年无党员违纪违法案件，无超审限案件",
    "建立青年干警导师制，每名支委联系至少两名年轻干警",
]
MEMBER_PLEDGES = [
    "全年审结案件不少于{n}件，结案率达到{p}%以上",
    "无超审限案件，所办案件无因程序问题被发回重审",
    "带头学习党的创新理论，每月至少撰写一篇学习心得",
    "结对帮带一名年轻干警，分享办案经验",
    "参加普法宣传、志愿服务活动不少于{k}次",
    "撰写调研文章或典型案例分析至少{k}篇",
    "严格落实中央八项规定精神，廉洁司法，不办人情案、关系案",
    "做好诉前调解工作，调解成功案件不少于{m}件",
    "按时足额交纳党费，按时参加组织生活，不无故缺席",
    "涉民生案件优先立案、优先审理、优先执行",
    "窗口服务文明规范，群众满意率达到{p}%以上",
    "执行到位率比上年提高{k}个百分点",
]
PROGRESS_NOTES = [
    "截至本月已审结{n}件，完成全年目标的{p}%",
    "参加社区普法宣传一次，现场解答群众咨询{k}人次",
    "与结对干警交流案件办理思路，帮助其完成{k}件案件的文书修改",
    "撰写的案例分析已报送研究室",
    "本季度无超审限案件",
    "组织开展主题党日志愿服务，参与党员{n}人",
    "调解成功{k}件，当事人均自动履行",
    "按时参加支部组织生活，按时交纳党费",
]
NOTE_TITLES = [
    "学习党的二十届三中全会精神的体会",
    "学习《中国共产党纪律处分条例》心得",
    "新时代“枫桥经验”在审判工作中的运用",
    "读《习近平谈治国理政》第四卷有感",
    "学习《中国共产党支部工作条例（试行）》的体会",
    "主题党日学习感悟",
    "学习党章，做合格党员",
    "如何让人民群众在每一个司法案件中感受到公平正义",
    "学习全国法院工作会议精神体会",
    "从一起执行案件看司法为民",
]
NOTE_SENTENCES = [
    "通过本月的集中学习，我对坚持党对司法工作的绝对领导有了更深的认识。",
    "作为一名法官，要把讲政治和讲法治统一起来，把每一起案件都办成经得起检验的铁案。",
    "结合自己承办的案件，我体会到调解工作既要讲法理，也要讲情理。",
    "今后要进一步提高办案质效，做到案结事了人和。",
    "要主动接受监督，严守廉洁底线，珍惜党员的身份。",
    "学习中我也看到了自己在理论学习上的不足，今后要做到学用结合。",
]
SELF_APPRAISALS = [
    "一年来能够认真学习党的理论，按时参加组织生活，较好完成了审判任务；不足是理论联系实际还不够深入。",
    "本人能够严格遵守党的纪律，履职尽责，积极参加志愿服务；今后要在调研写作上多下功夫。",
    "全年结案数和质效指标均完成预定目标，但在带动年轻干警方面做得还不够。",
    "能够发挥党员先锋模范作用，主动承担急难险重任务；学习心得有时流于形式，需改进。",
]
BRANCH_COMMENTS = {
    rules.EXCELLENT: ["政治坚定，业务突出，在审判一线发挥了先锋模范作用。", "工作成绩显著，群众评价高。"],
    rules.COMPETENT: ["能够履行党员义务，较好完成本职工作。", "遵规守纪，工作认真负责，希望在理论学习上再提高。"],
    rules.BASIC: ["组织生活参加不够经常，希望加强学习、改进作风。"],
}
# Share of 优秀 ballots a member gets, by how their year went; drawn per member.
MERIT = [(0.55, 0.15), (0.25, 0.5), (0.1, 0.85)]  # (chance of being this kind of year, share of 优秀 votes)


def seed_pledges(org, today: date | None = None) -> None:
    """Pledges, progress notes and ratings for this year and last, appraisals, and study notes.

    `org` is the demo organisation (anything with `.branches` and `.today`); `today` defaults to
    `org.today`. Called as `seed_pledges(today, org)` it works too.
    """
    if isinstance(org, date):
        org, today = today, org
    today = today or org.today
    branches = sorted(org.branches, key=lambda b: b.code)
    roster = {b.pk: list(Member.objects.filter(branch=b).order_by("pk")) for b in branches}
    for year in (today.year - 1, today.year):
        for branch in branches:
            _pledges(branch, roster[branch.pk], year, today)
    _study_notes([m for members in roster.values() for m in members], today)
    over_the_line = _branch_for_too_many_excellent(branches, roster)
    for branch in branches:
        _closed_appraisal(branch, roster[branch.pk], today.year - 1, too_many_excellent=branch == over_the_line)
        _open_appraisal(branch, roster[branch.pk], today)


def _fill(rng: random.Random, text: str) -> str:
    return text.format(
        n=rng.choice([60, 80, 100, 120, 150]), p=rng.choice([90, 95, 98]), k=rng.randint(2, 5), m=rng.randint(10, 30)
    )


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _pledges(branch, members: list[Member], year: int, today: date) -> None:
    if Pledge.objects.filter(branch=branch, year=year).exists():
        return
    rng = random.Random(f"{SEED}-pledges-{branch.code}-{year}")
    pledges = [Pledge(branch=branch, year=year, content=_fill(rng, text)) for text in rng.sample(BRANCH_PLEDGES, k=3)]
    for member in members:
        if rng.random() < 0.85:  # most members, not all: the C5 coverage has something to show
            for text in rng.sample(MEMBER_PLEDGES, k=rng.randint(2, 3)):
                pledges.append(Pledge(branch=branch, member=member, year=year, content=_fill(rng, text)))
    year_over = year < today.year
    last_day = date(year, 12, 31) if year_over else today
    for pledge in pledges:
        if year_over:
            pledge.rating = rng.choices(
                [rules.FULFILLED, rules.PARTIAL, rules.UNFULFILLED], weights=[0.65, 0.25, 0.10]
            )[0]
            pledge.rated_at = _aware(date(year, 12, 28))
            if pledge.rating == rules.PARTIAL:
                pledge.rating_note = "完成了大部分，年底前未全部落实"
    Pledge.objects.bulk_create(pledges)
    notes = []
    span = (last_day - date(year, 1, 1)).days
    for pledge in pledges:
        for _ in range(rng.randint(0, 3) if span > 30 else 0):
            noted_on = date.fromordinal(date(year, 1, 1).toordinal() + rng.randint(15, span))
            notes.append(PledgeNote(pledge=pledge, noted_on=noted_on, text=_fill(rng, rng.choice(PROGRESS_NOTES))))
    PledgeNote.objects.bulk_create(notes)


def _months(today: date) -> list[date]:
    """Every month from January last year to this one."""
    months, year, month = [], today.year - 1, 1
    while (year, month) <= (today.year, today.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _study_notes(members: list[Member], today: date) -> None:
    months = _months(today)
    existing = set(StudyNote.objects.filter(member__in=members, month__gte=months[0]).values_list("member_id", "month"))
    notes = []
    for member in members:
        rng = random.Random(f"{SEED}-notes-{member.id_number}")
        diligence = rng.choice([0.55, 0.8, 0.9, 0.97, 1.0])  # most post nearly every month, a few often miss
        for month in months:
            if member.joined_on and member.joined_on > month:
                continue
            # Draw everything first, so skipping a month already there leaves later months' draws alone.
            posts = rng.random() <= diligence
            drafts = [(rng.choice(NOTE_TITLES), "".join(rng.sample(NOTE_SENTENCES, k=3))) for _ in range(2)]
            count = 2 if rng.random() < 0.2 else 1
            if not posts or (member.pk, month) in existing or (month == months[-1] and today.day < 10):
                continue
            for title, body in drafts[:count]:
                notes.append(StudyNote(member=member, branch_id=member.branch_id, month=month, title=title, body=body))
    StudyNote.objects.bulk_create(notes, batch_size=500)


def _branch_for_too_many_excellent(branches, roster):
    """The demo shows the one-third warning on one branch: the first with enough members for it to matter."""
    return next((b for b in branches if len(roster[b.pk]) >= 6), None)


def _ballots(rng: random.Random, entries: list[AppraisalEntry], voters: list[AppraisalEntry]) -> None:
    """Add the voters' ballots to the entries' totals, as appraisal_ballot_cast does."""
    merit = {e.pk: rng.choices([m[1] for m in MERIT], weights=[m[0] for m in MERIT])[0] for e in entries}
    for voter in voters:
        for entry in entries:
            if entry.pk == voter.pk:
                continue
            draw = rng.random()
            if draw < merit[entry.pk]:
                entry.excellent_votes += 1
            elif draw < 0.97:
                entry.competent_votes += 1
            else:
                entry.basic_votes += 1
    PeerBallot.objects.bulk_create(
        PeerBallot(appraisal_id=voter.appraisal_id, grader_id=voter.member_id) for voter in voters
    )


def _entries(appraisal: Appraisal, members: list[Member]) -> list[AppraisalEntry]:
    return AppraisalEntry.objects.bulk_create(
        AppraisalEntry(appraisal=appraisal, member=m, is_probationary=not m.is_full) for m in members
    )


def _closed_appraisal(branch, members: list[Member], year: int, *, too_many_excellent: bool) -> None:
    if not members or Appraisal.objects.filter(branch=branch, year=year, quarter__isnull=True).exists():
        return
    rng = random.Random(f"{SEED}-appraisal-{branch.code}-{year}")
    appraisal = Appraisal.objects.create(branch=branch, year=year, status=Appraisal.Status.CLOSED)
    entries = _entries(appraisal, members)
    for entry in entries:
        entry.self_text = rng.choice(SELF_APPRAISALS)
        entry.self_submitted_at = _aware(date(year, 12, 18))
    _ballots(rng, entries, entries)
    # The branch grades by the votes: the best third 优秀 (one more than a third on one branch, so
    # the demo shows the warning), the weakest 基本合格 when the votes say so, the rest 合格.
    ranked = sorted(entries, key=lambda e: (-e.excellent_votes, e.basic_votes, e.pk))
    quota = len(entries) // 3 + (2 if too_many_excellent else 0)
    for position, entry in enumerate(ranked):
        if position < quota:
            entry.final_grade = rules.EXCELLENT
        elif entry.basic_votes * 4 > entry.votes_total:
            entry.final_grade = rules.BASIC
        else:
            entry.final_grade = rules.COMPETENT
        entry.branch_comment = rng.choice(BRANCH_COMMENTS[entry.final_grade])
        entry.decided_at = _aware(date(year, 12, 25))
    AppraisalEntry.objects.bulk_update(
        entries,
        [
            "self_text",
            "self_submitted_at",
            "excellent_votes",
            "competent_votes",
            "basic_votes",
            "final_grade",
            "branch_comment",
            "decided_at",
        ],
    )
    Appraisal.objects.filter(pk=appraisal.pk).update(
        opened_at=_aware(date(year, 12, 15)),
        voting_ended_at=_aware(date(year, 12, 20)),
        closed_at=_aware(date(year, 12, 28)),
    )


def _open_appraisal(branch, members: list[Member], today: date) -> None:
    """This year's round, under way: some self-appraisals and ballots in, nothing decided.

    Members with a demo login are left to do it themselves, so the member account finds its ballot.
    """
    if not members or Appraisal.objects.filter(branch=branch, year=today.year, quarter__isnull=True).exists():
        return
    rng = random.Random(f"{SEED}-appraisal-{branch.code}-{today.year}")
    appraisal = Appraisal.objects.create(branch=branch, year=today.year)
    entries = _entries(appraisal, members)
    offline = [e for e in entries if e.member.user_id is None]
    for entry in offline:
        if rng.random() < 0.6:
            entry.self_text = rng.choice(SELF_APPRAISALS)
            entry.self_submitted_at = _aware(today, 9)
    voters = [e for e in offline if rng.random() < 0.5]
    _ballots(rng, entries, voters)
    AppraisalEntry.objects.bulk_update(
        entries, ["self_text", "self_submitted_at", "excellent_votes", "competent_votes", "basic_votes"]
    )
