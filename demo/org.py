"""The demo organisation: an intermediate people's court with its Party units, roster and logins.

`seed_org_and_roster(today)` upserts everything (units by code, members by ID number, users by
username) through the services, so the demo obeys the same rules as real data and running it twice
changes nothing. The people are drawn from a fixed random seed: the same names and ID numbers every
time. Dates that must sit in a window around today (probationary members, 换届) are computed from
`today`; everything else is fixed.

Later features build on the `DemoOrg` it returns; the branch codes below name the branches that show
each situation, so those builders can aim at them.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from branches import services as branch_services
from branches.models import OrgUnit, UnitRole
from branches.rules import add_years
from members import idcard
from members import services as member_services
from members.models import Member
from members.selectors import members_by_id_numbers

# Demo only: documented in README.md. Never use these accounts on a real installation.
DEMO_PASSWORD = "demo12345"
# A fixed salt makes the stored hash the same on every run, so re-seeding finds nothing to change
# and hashes the password once instead of once per account. Long enough that Django does not ask
# to re-hash it at login.
_DEMO_SALT = "starbranchdemoonlysalt2018"
RANDOM_SEED = 2018  # the year of 中国共产党支部工作条例（试行）

COMMITTEE_CODE = "JG"
COMMITTEE_NAME = "XX市中级人民法院机关党委"

# Branches that show the warnings and situations the app must be able to display. Codes run in
# the order the tree shows them: the branches directly under the committee, then each 党总支's.
TOO_SMALL_BRANCH = "ZB03"  # fewer than 3 full members
TERM_EXPIRED_BRANCH = "ZB05"  # term expired
RETIREES_BRANCH = "ZB06"
TERM_DUE_BRANCH = "ZB09"  # 换届 due within 90 days
NO_CADRE_BRANCH = "ZB10"  # no 兼职党务干部
TOO_LARGE_BRANCH = "ZB11"  # more than 50 members
# The branch the secretary, group leader and member logins belong to.
DEMO_BRANCH = "ZB07"
DEMO_GENERAL_BRANCH = "ZZ1"
RETIREES_DEPARTMENT = "离退休干部处"
FORMER_DEPARTMENTS = (
    "刑事审判庭",
    "民事审判第一庭",
    "民事审判第二庭",
    "行政审判庭",
    "执行局",
    "立案庭",
    "办公室",
    "政治部",
)


@dataclass(frozen=True)
class BranchPlan:
    code: str
    name: str
    parent: str
    departments: tuple[tuple[str, int], ...]  # (department, members in it)
    groups: tuple[str, ...]  # group names; one per department when there are several departments
    founded_on: date


GENERAL_BRANCHES = (
    ("ZZ1", "审判业务党总支", date(2003, 6, 28)),
    ("ZZ2", "执行局党总支", date(2009, 6, 30)),
)

BRANCH_PLANS = (
    BranchPlan(
        "ZB01",
        "办公室党支部",
        "JG",
        (("办公室", 11), ("审判管理办公室", 8)),
        ("办公室党小组", "审判管理办公室党小组"),
        date(1995, 7, 1),
    ),
    BranchPlan("ZB02", "政治部党支部", "JG", (("政治部", 13),), (), date(1995, 7, 1)),
    BranchPlan("ZB03", "研究室党支部", "JG", (("研究室", 3),), (), date(2016, 7, 1)),
    BranchPlan(
        "ZB04",
        "立案庭审判监督庭联合党支部",
        "JG",
        (("立案庭", 12), ("审判监督庭", 9)),
        ("立案庭党小组", "审判监督庭党小组"),
        date(2005, 7, 1),
    ),
    BranchPlan(
        "ZB05", "司法警察支队党支部", "JG", (("司法警察支队", 24),), ("第一党小组", "第二党小组"), date(2000, 8, 1)
    ),
    BranchPlan("ZB06", "离退休干部党支部", "JG", ((RETIREES_DEPARTMENT, 13),), (), date(2006, 10, 1)),
    BranchPlan(
        "ZB07", "刑事审判庭党支部", "ZZ1", (("刑事审判庭", 28),), ("第一党小组", "第二党小组"), date(1992, 7, 1)
    ),
    BranchPlan(
        "ZB08", "民事审判第一庭党支部", "ZZ1", (("民事审判第一庭", 26),), ("第一党小组", "第二党小组"), date(1992, 7, 1)
    ),
    BranchPlan(
        "ZB09", "民事审判第二庭党支部", "ZZ1", (("民事审判第二庭", 22),), ("第一党小组", "第二党小组"), date(1998, 3, 5)
    ),
    BranchPlan("ZB10", "行政审判庭党支部", "ZZ1", (("行政审判庭", 11),), (), date(2001, 7, 1)),
    BranchPlan(
        "ZB11",
        "执行局党支部",
        "ZZ2",
        (("执行局", 56),),
        ("执行实施第一党小组", "执行实施第二党小组", "执行指挥中心党小组"),
        date(2009, 6, 30),
    ),
    BranchPlan("ZB12", "执行裁决庭党支部", "ZZ2", (("执行裁决庭", 14),), (), date(2012, 5, 4)),
)

# Members who are more than a department post, per branch: each entry takes one member slot.
BRANCH_SPECIALS = {
    "ZB01": ("probationary",),
    "ZB02": ("jgdw",),
    "ZB03": ("probationary",),
    "ZB04": ("retired_counts",),
    "ZB05": ("probationary",),
    "ZB07": ("probationary", "retired"),
    "ZB08": ("zongzhi", "probationary", "overdue", "away", "retired"),
    "ZB09": ("probationary", "retired"),
    "ZB11": ("probationary", "probationary", "extended", "away", "retired", "retired_counts"),
    "ZB12": ("probationary",),
}

# (member's current branch, branch they came from, department there, days ago): 组织关系转接 with history.
TRANSFERS = (
    ("ZB04", "ZB08", "民事审判第一庭", 300),
    ("ZB07", "ZB01", "办公室", 120),
)

# Posts by the kind of department: head, deputy, then the rest with weights.
_TRIAL_POSTS = ("庭长", "副庭长", (("审判员", 30), ("法官助理", 38), ("书记员", 32)))
POSTS = {
    "执行局": ("局长", "副局长", (("审判员", 15), ("执行员", 30), ("法官助理", 25), ("书记员", 20), ("司法警察", 10))),
    "办公室": ("主任", "副主任", (("一级主任科员", 40), ("科员", 60))),
    "审判管理办公室": ("主任", "副主任", (("审判员", 20), ("法官助理", 30), ("科员", 50))),
    "政治部": ("主任", "副主任", (("一级主任科员", 45), ("科员", 55))),
    "研究室": ("主任", "副主任", (("法官助理", 60), ("科员", 40))),
    "司法警察支队": ("支队长", "副支队长", (("司法警察", 100),)),
}
JUNIOR_POSTS = {"执行局": "书记员", "办公室": "科员", "审判管理办公室": "科员", "政治部": "科员", "研究室": "科员"}
# Ages (in years at 2026) by post: a 庭长 is not 25, a 书记员 is not 58.
AGE_RANGES = {
    "head": (46, 58),
    "deputy": (40, 55),
    "审判员": (32, 58),
    "执行员": (28, 55),
    "法官助理": (25, 40),
    "书记员": (23, 35),
    "司法警察": (23, 50),
    "科员": (23, 40),
    "一级主任科员": (32, 56),
    "junior": (23, 30),
    "retired": (62, 82),
    "senior": (50, 57),
    "staff": (40, 50),
}
AGE_BASE_YEAR = 2026  # ages are relative to a fixed year so birth dates (inside ID numbers) never move

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# The first fifteen surnames carry about half of the population; weight them so the roster looks real.
_SURNAME_WEIGHTS = [6 if i < 15 else 1 for i in range(len(SURNAMES))]
# Given names as people of each generation were named: a 1960s 建国 is no 2000s 子轩.
GIVEN_NAMES = {
    ("男", "older"): "建国 建华 建军 国强 国庆 志强 志刚 志明 卫东"
    " 卫国 红军 光明 春生 德明 德华 学军 新民 长江 庆丰 振华"
    " 立新 永强 永刚 宏伟 国栋 少华 明德 树林 跃进 金生 福林 保国",
    ("男", "middle"): "海涛 海峰 海波 文博 文杰 晓东 晓明 晓峰 俊杰"
    " 明辉 立军 伟东 剑锋 鹏飞 云飞 勇军 洪涛 志远 亚军 金龙"
    " 建平 振宇 永峰 锦华 少杰 卫华 国锋 东升 海军 宏宇 继伟 家明 立峰 晓军 新华 志华 建新 春雷 文斌 德军",
    ("男", "younger"): "浩然 宇航 子豪 子轩 皓轩 博文 天宇 家豪 一鸣"
    " 思远 嘉诚 晨阳 泽宇 俊豪 梓豪 文轩 宇轩 浩宇 明轩 子健"
    " 鹏程 逸飞 睿哲 晨曦 佳乐 志豪 明哲 昊天 宇杰 书豪",
    ("女", "older"): "秀英 桂英 秀兰 玉兰 桂兰 丽华 淑珍 淑华 玉梅"
    " 春梅 红梅 秀珍 凤英 桂芳 玉珍 翠兰 素芬 月娥 玉华 淑兰",
    ("女", "middle"): "海燕 丽娟 晓燕 晓红 晓丽 艳红 雪梅 美玲 丽萍"
    " 文静 玉洁 艳芳 秀梅 丽君 慧敏 晓雯 红霞 丽霞 春燕 晓琳"
    " 雪莹 海英 燕妮 丽娜 晓静 红艳 俊英 婷婷 莉莉 静怡",
    ("女", "younger"): "雨欣 欣怡 梓涵 诗涵 思琪 佳怡 雨涵 婉婷 雅婷"
    " 倩倩 丹丹 佳琪 子涵 梦琪 若曦 心怡 可欣 宇彤 思雨 晶晶"
    " 璐瑶 诗琪 雨桐 欣妍 梦瑶 雅琪 佳慧 语嫣 静雯 一诺",
}
SINGLE_GIVEN = {
    "男": "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳峰晨博毅哲睿昊",
    "女": "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳洁倩佳丹蕾萍红梅莉薇璐晶婧岚欣悦怡琪瑶蓉楠菲妍茜雯",
}
# Names of well-known people the pools above could produce; the demo must not name real figures.
FAMOUS_NAMES = frozenset(
    "李强 王毅 周强 张军 王勇 刘鹤 李娜 王菲 刘翔 姚明 李宁 马云 蔡奇 韩正 李希 王晨 张杰 杨洋 李晨 邓超 王凯 刘涛 孙杨"
    " 朱军 李咏 刘洋 王宁 陈冬 王亚平 杨利伟 李鹏 肖扬 王胜俊 应勇 刘国中 何立峰 张国清 王小洪 李干杰 陈文清 杨晓渡"
    " 王沪宁 赵乐际 丁薛祥 胡锦涛 温家宝 李克强 习近平 江泽民 朱镕基 王岐山 张德江 俞正声 刘云山 张高丽 李长春 吴邦国"
    " 贾庆林 吴官正 李岚清 曾庆红 黄菊 罗干 周永康 贺国强 刘少奇 周恩来 朱德 陈云 邓小平 毛泽东 董必武 彭德怀 刘伯承"
    " 郭晶晶 刘诗雯 马龙 王楠 张怡宁 邓亚萍 孔令辉 刘国梁 丁宁 许昕 樊振东 陈梦 孙颖莎 王楚钦 朱婷 郎平 惠若琪 李小鹏"
    " 杨威 邹凯 张继科 林丹 李宗伟 谌龙 傅海峰 蔡赟 赵芸蕾 王濛 周洋 武大靖 苏炳添 刘诗颖 巩立姣 吕小军 龙清泉 石智勇"
    " 王俊凯 王源 易烊千玺 周杰伦 林俊杰 王力宏 陈奕迅 刘德华 张学友 黎明 郭富城 梁朝伟 周润发 成龙 李连杰 甄子丹"
    " 赵丽颖 杨紫 杨超越 刘亦菲 范冰冰 李冰冰 章子怡 周迅 孙俪 赵薇 杨幂 刘诗诗 唐嫣 郑爽 迪丽热巴 古力娜扎 黄晓明"
    " 陈坤 胡歌 霍建华 王宝强 黄渤 徐峥 沈腾 贾玲 岳云鹏 郭德纲 董卿 朱迅 康辉 白岩松 崔永元 撒贝宁 李思思 周涛"
    " 李建国 王志刚 孙志刚 李国庆 王宏伟 王振华 胡春华 孙春兰 张文宏 钟南山 袁隆平 屠呦呦 杨振宁 李政道 钱学森 邓稼先"
    " 刘欢 那英 韩红 宋祖英 彭丽媛 阎维文 蔡国庆 毛阿敏"
    " 王峰 李健 朴树 许巍 汪峰 张靓颖 李宇春 周笔畅 张韶涵 蔡依林".split()
)
ETHNIC_MINORITIES = ("回族", "满族", "蒙古族", "壮族", "土家族", "苗族", "朝鲜族", "侗族")
# Registration areas (GB/T 2260 codes) the people were born in: mostly the court's own province.
REGION_CODES = ("430102", "430103", "430104", "430105", "430111", "430121", "430181", "430202", "430302", "430602")
OTHER_REGION_CODES = ("110105", "320106", "360102", "420106", "440106", "500103", "510107")
EDUCATION_BY_POST = {
    "审判员": (("硕士研究生", 55), ("大学本科", 38), ("博士研究生", 7)),
    "法官助理": (("硕士研究生", 60), ("大学本科", 40)),
    "书记员": (("大学本科", 70), ("大学专科", 30)),
    "司法警察": (("大学本科", 65), ("大学专科", 35)),
    "retired": (("大学本科", 40), ("大学专科", 35), ("中专", 15), ("高中", 10)),
}
DEFAULT_EDUCATION = (("大学本科", 55), ("硕士研究生", 40), ("博士研究生", 5))


@dataclass
class MemberPlan:
    """One member as the demo wants them; `slot` says why they are there."""

    slot: str
    branch: str
    department: str
    fields: dict
    group: str | None = None  # group code
    transfer_from: tuple[str, str, int] | None = None  # (branch code, department, days ago)
    committee_post: str = ""
    is_party_cadre: bool = False
    login: str | None = None  # username of the demo account linked to this member


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str
    member: str
    password: str = DEMO_PASSWORD


@dataclass
class DemoOrg:
    """What later demo builders need: the date the demo is built for, the units and the logins."""

    today: date
    committee: OrgUnit
    general_branches: list[OrgUnit]
    branches: list[OrgUnit]
    groups: list[OrgUnit]
    users: dict = field(default_factory=dict)  # username → User
    accounts: list[DemoAccount] = field(default_factory=list)

    def unit(self, code: str) -> OrgUnit:
        for unit in [self.committee, *self.general_branches, *self.branches, *self.groups]:
            if unit.code == code:
                return unit
        raise KeyError(code)


# ---------------------------------------------------------------------------------------------
# The plan: pure, drawn from the fixed seed. Only the dates that must sit near today use `today`.


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


class _People:
    """Draws names, birth dates and ID numbers, never the same twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.id_numbers: set[str] = set()

    def name(self, gender: str, born: date) -> str:
        generation = "older" if born.year < 1966 else "middle" if born.year < 1988 else "younger"
        pool = GIVEN_NAMES[(gender, generation)].split()
        while True:
            surname = self.rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
            given = self.rng.choice(SINGLE_GIVEN[gender]) if self.rng.random() < 0.2 else self.rng.choice(pool)
            name = surname + given
            if name not in self.names and name not in FAMOUS_NAMES:
                self.names.add(name)
                return name

    def birth_date(self, age_range: tuple[int, int]) -> date:
        age = self.rng.randint(*age_range)
        return date(AGE_BASE_YEAR - age, 1, 1) + timedelta(days=self.rng.randrange(365))

    def id_number(self, born: date, gender: str) -> str:
        regions = REGION_CODES if self.rng.random() < 0.8 else OTHER_REGION_CODES
        while True:
            region = self.rng.choice(regions)
            # The 17th digit (the last of the sequence) is odd for men and even for women.
            sequence = self.rng.randrange(500) * 2 + (1 if gender == "男" else 0)
            number = idcard.make_id_number(region, born, sequence)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"


def _slots_for(plan: BranchPlan) -> list[tuple[str, str]]:
    """(slot, department) for every member of the branch: heads, deputies, specials, the rest."""
    if plan.code == RETIREES_BRANCH:
        department = plan.departments[0][0]
        # Two members too frail to attend; the others take part and count (DOMAIN.md: per member).
        return [("retired_counts", department)] * 11 + [("retired", department)] * 2
    slots = []
    for department, size in plan.departments:
        dept_slots = ["head", "deputy"] + (["deputy"] if size >= 20 else [])
        slots.append([(slot, department) for slot in dept_slots + ["regular"] * (size - len(dept_slots))])
    # Specials replace regulars from the end of the first department's list.
    first = slots[0]
    for position, special in enumerate(BRANCH_SPECIALS.get(plan.code, ())):
        first[len(first) - 1 - position] = (special, first[0][1])
    return [slot for dept_slots in slots for slot in dept_slots]


def _post_for(rng: random.Random, slot: str, department: str) -> tuple[str, str]:
    """(post, age-range key) for a slot in a department."""
    head, deputy, rest = POSTS.get(department, _TRIAL_POSTS)
    if slot == "head":
        return head, "head"
    if slot == "deputy":
        return deputy, "deputy"
    if slot == "zongzhi":
        return "审判委员会专职委员", "senior"
    if slot == "jgdw":
        return "机关党委专职副书记", "staff"
    if slot in ("retired", "retired_counts"):
        if department == RETIREES_DEPARTMENT:
            # The retirees' branch gathers people from every department they once served in.
            department = rng.choice(FORMER_DEPARTMENTS)
            head, deputy, rest = POSTS.get(department, _TRIAL_POSTS)
        former = rng.choice([head, deputy] + [post for post, _ in rest])
        return f"原{department}{former}", "retired"
    if slot in ("probationary", "overdue", "extended"):
        return JUNIOR_POSTS.get(department, "书记员" if department != "司法警察支队" else "司法警察"), "junior"
    post = _weighted(rng, rest)
    return post, post


def _member_plan(rng, people: _People, today: date, plan: BranchPlan, slot: str, department: str) -> MemberPlan:
    post, age_key = _post_for(rng, slot, department)
    male_share = 0.85 if department == "司法警察支队" else 0.5
    gender = "男" if rng.random() < male_share else "女"
    born = people.birth_date(AGE_RANGES[age_key])
    id_number = people.id_number(born, gender)
    name = people.name(gender, born)
    ethnicity = "汉族" if rng.random() < 0.93 else rng.choice(ETHNIC_MINORITIES)
    education = _weighted(rng, EDUCATION_BY_POST.get(age_key, EDUCATION_BY_POST.get(post, DEFAULT_EDUCATION)))
    phone = people.phone()
    # Most join the Party at university or in their first years at work.
    join_age_days = rng.randint(19 * 365, 30 * 365)
    full_after_days = rng.randint(0, 20)
    recent_days = rng.randint(20, 330)
    clamp_days = rng.randint(400, 1100)

    fields = {
        "name": name,
        "gender": gender,
        "ethnicity": ethnicity,
        "birth_date": born,
        "id_number": id_number,
        "education": education,
        "category": Member.Category.FULL,
        "status": Member.Status.ACTIVE,
        "counts_when_retired": False,
        "probation_extended_until": None,
        "department": department,
        "post": post,
        "phone": phone,
    }
    if slot in ("probationary", "overdue", "extended"):
        joined = today - timedelta(days={"probationary": recent_days, "overdue": 430, "extended": 500}[slot])
        fields.update(category=Member.Category.PROBATIONARY, joined_on=joined, full_on=None)
        if slot == "extended":
            # Extended by half a year at the end of the first year (党章 第七条 allows up to one).
            fields["probation_extended_until"] = add_years(joined, 1) + timedelta(days=180)
    else:
        # Full members were admitted at least a year before today, and before that at 18 or older.
        joined = min(born + timedelta(days=join_age_days), today - timedelta(days=clamp_days))
        fields.update(joined_on=joined, full_on=add_years(joined, 1) + timedelta(days=full_after_days))
    if slot in ("retired", "retired_counts"):
        fields.update(status=Member.Status.RETIRED, counts_when_retired=slot == "retired_counts")
    elif slot == "away":
        fields["status"] = Member.Status.AWAY
    return MemberPlan(slot=slot, branch=plan.code, department=department, fields=fields)


def _committee_for(rng: random.Random, plan: BranchPlan, members: list[MemberPlan], exclude: set[int]) -> None:
    """Committee posts: 7+ full members elect 3–5 committee members, fewer only a secretary."""
    full = [m for m in members if m.fields["category"] == Member.Category.FULL]
    eligible = [
        i
        for i, m in enumerate(members)
        if m.fields["category"] == Member.Category.FULL
        and (m.fields["status"] == Member.Status.ACTIVE or plan.code == RETIREES_BRANCH)
    ]
    heads = [i for i in eligible if members[i].slot == "head"] or eligible[:1]
    secretary = heads[0]
    if len(full) < 7:
        members[secretary].committee_post = "书记"
        # The other full member keeps the branch's records as its part-time party-affairs cadre.
        cadre = next((i for i in eligible if i != secretary), secretary)
        members[cadre].is_party_cadre = plan.code != NO_CADRE_BRANCH
        return
    # A large branch fills all five posts; a middling one elects three, the 书记 among them.
    posts = (
        ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"] if len(full) >= 20 else ["书记", "组织委员", "宣传委员"]
    )
    chosen = [secretary]
    if "副书记" in posts:
        deputy = next((i for i in heads[1:]), None)  # the head of a second department
        if deputy is None:
            deputy = next(i for i in eligible if members[i].slot == "deputy")
        chosen.append(deputy)
    rest = [i for i in eligible if i not in chosen and i not in exclude]
    chosen += rng.sample(rest, len(posts) - len(chosen))
    for index, post in zip(chosen, posts, strict=True):
        members[index].committee_post = post
        if post == "组织委员" and plan.code != NO_CADRE_BRANCH:
            members[index].is_party_cadre = True


def plan_roster(today: date) -> list[MemberPlan]:
    """Every member of the demo, in a stable order. Pure: no database."""
    rng = random.Random(RANDOM_SEED)
    people = _People(rng)
    roster: list[MemberPlan] = []
    for plan in BRANCH_PLANS:
        members = [_member_plan(rng, people, today, plan, slot, dept) for slot, dept in _slots_for(plan)]
        _assign_groups(plan, members)
        if plan.code == DEMO_BRANCH:
            _assign_demo_logins(members)
        for m in members:
            if m.slot in ("zongzhi", "jgdw"):
                m.login = m.slot
        # The demo logins other than the secretary keep their roles clear of the branch committee.
        exclude = {i for i, m in enumerate(members) if m.login and m.login != "shuji"}
        _committee_for(rng, plan, members, exclude)
        roster.extend(members)
    _plan_transfers(roster)
    return roster


def _assign_groups(plan: BranchPlan, members: list[MemberPlan]) -> None:
    if not plan.groups:
        return
    codes = [f"{plan.code}-{n}" for n in range(1, len(plan.groups) + 1)]
    departments = [dept for dept, _ in plan.departments]
    by_department = len(plan.groups) == len(departments) > 1
    counters = dict.fromkeys(departments, 0)
    for m in members:
        if by_department:
            m.group = codes[departments.index(m.department)]
        else:
            m.group = codes[counters[m.department] % len(codes)]
            counters[m.department] += 1


def _assign_demo_logins(members: list[MemberPlan]) -> None:
    """The secretary, group leader and member logins of DEMO_BRANCH."""
    first_group = members[0].group

    def pick(post):
        return next(
            i
            for i, m in enumerate(members)
            if m.slot == "regular" and m.group == first_group and m.fields["post"] == post and m.login is None
        )

    members[0].login = "shuji"  # the head of the department chairs the branch: 支部建在庭上
    leader, member = pick("审判员"), pick("法官助理")
    members[leader].login, members[member].login = "zuzhang", "dangyuan"


def _plan_transfers(roster: list[MemberPlan]) -> None:
    for to_branch, from_branch, from_department, days_ago in TRANSFERS:
        candidate = next(
            m
            for m in reversed(roster)
            if m.branch == to_branch
            and m.slot == "regular"
            and not m.committee_post
            and m.login is None
            and m.fields["status"] == Member.Status.ACTIVE
        )
        candidate.transfer_from = (from_branch, from_department, days_ago)


def plan_terms(today: date) -> dict[str, date]:
    """换届日期 of every unit with a term: one branch due within 90 days, one expired, the rest fine."""
    rng = random.Random(RANDOM_SEED + 1)
    terms = {COMMITTEE_CODE: add_years(today, -2) - timedelta(days=37)}
    for code, _, _ in GENERAL_BRANCHES:
        terms[code] = today - timedelta(days=rng.randint(120, 800))
    for plan in BRANCH_PLANS:
        terms[plan.code] = today - timedelta(days=rng.randint(60, 900))
    terms[TERM_DUE_BRANCH] = add_years(today, -3) + timedelta(days=52)
    terms[TERM_EXPIRED_BRANCH] = add_years(today, -3) - timedelta(days=75)
    return terms


# ---------------------------------------------------------------------------------------------
# Writing it: upserts through the services.


def _parent_path(unit: OrgUnit) -> str | None:
    return unit.path[: -OrgUnit.steplen] if unit.depth > 1 else None


def _upsert_unit(existing: dict, *, code: str, parent: OrgUnit | None, **fields) -> OrgUnit:
    # Sorted inserts (node_order_by) renumber the paths of later siblings' subtrees: reread both.
    if parent is not None:
        parent.refresh_from_db()
    unit = existing.get(code)
    if unit is None:
        unit = branch_services.unit_create(parent=parent, code=code, **fields)
    else:
        unit.refresh_from_db()
        changed = any(getattr(unit, name) != value for name, value in fields.items())
        if changed or _parent_path(unit) != (parent.path if parent else None):
            unit = branch_services.unit_update(unit=unit, parent=parent, **fields)
    existing[code] = unit
    return unit


def _build_units(today: date) -> dict[str, OrgUnit]:
    units = OrgUnit.objects.in_bulk(field_name="code")
    terms = plan_terms(today)
    committee = _upsert_unit(
        units,
        code=COMMITTEE_CODE,
        parent=None,
        name=COMMITTEE_NAME,
        kind=OrgUnit.Kind.COMMITTEE,
        founded_on=date(1986, 7, 1),
        elected_on=terms[COMMITTEE_CODE],
        departments="",
    )
    for code, name, founded in GENERAL_BRANCHES:
        _upsert_unit(
            units,
            code=code,
            parent=committee,
            name=name,
            kind=OrgUnit.Kind.GENERAL_BRANCH,
            founded_on=founded,
            elected_on=terms[code],
            departments="",
        )
    for plan in BRANCH_PLANS:
        branch = _upsert_unit(
            units,
            code=plan.code,
            parent=units[plan.parent],
            name=plan.name,
            kind=OrgUnit.Kind.BRANCH,
            founded_on=plan.founded_on,
            elected_on=terms[plan.code],
            departments="、".join(dept for dept, _ in plan.departments),
        )
        for n, group_name in enumerate(plan.groups, start=1):
            _upsert_unit(
                units,
                code=f"{plan.code}-{n}",
                parent=branch,
                name=group_name,
                kind=OrgUnit.Kind.GROUP,
                founded_on=plan.founded_on,
                elected_on=None,
                departments="",
            )
    return OrgUnit.objects.in_bulk(field_name="code")


def _build_members(today: date, units: dict[str, OrgUnit], users: dict) -> None:
    plans = plan_roster(today)
    existing = members_by_id_numbers(plan.fields["id_number"] for plan in plans)
    for plan in plans:
        fields = {**plan.fields, "committee_post": plan.committee_post, "is_party_cadre": plan.is_party_cadre}
        user = users.get(plan.login)
        group = units[plan.group] if plan.group else None
        member = existing.get(fields["id_number"])
        if member is None:
            _create_member(today, plan, {**fields, "user": user}, units, group)
            continue
        changed = {name: value for name, value in fields.items() if getattr(member, name) != value}
        if member.user_id != (user.pk if user else None):
            changed["user"] = user
        if member.group_id != (group.pk if group else None) and member.branch_id == units[plan.branch].pk:
            changed["group"] = group
        if changed:
            member_services.member_update(member=member, **changed)


def _create_member(today, plan: MemberPlan, fields: dict, units: dict, group) -> Member:
    if plan.transfer_from is None:
        return member_services.member_create(branch=units[plan.branch], group=group, **fields)
    from_code, from_department, days_ago = plan.transfer_from
    member = member_services.member_create(
        branch=units[from_code], group=None, **{**fields, "department": from_department}
    )
    member_services.member_transfer(
        member=member,
        to_branch=units[plan.branch],
        group=group,
        on=today - timedelta(days=days_ago),
        note="工作调动",
    )
    return member_services.member_update(member=member, department=plan.department)


DEMO_LOGINS = (
    # username, role, unit code
    ("jgdw", UnitRole.Role.COMMITTEE_STAFF, COMMITTEE_CODE),
    ("zongzhi", UnitRole.Role.GENERAL_SECRETARY, DEMO_GENERAL_BRANCH),
    ("shuji", UnitRole.Role.BRANCH_SECRETARY, DEMO_BRANCH),
    ("zuzhang", UnitRole.Role.GROUP_LEADER, f"{DEMO_BRANCH}-1"),
    ("dangyuan", None, None),
)


def _upsert_user(username: str, password_hash: str, **fields):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"password": password_hash, **fields})
    changed = [name for name, value in {"password": password_hash, **fields}.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, password_hash if name == "password" else fields[name])
    if changed:
        user.save(update_fields=changed)
    return user


def _build_users(units: dict[str, OrgUnit]) -> dict:
    password_hash = make_password(DEMO_PASSWORD, salt=_DEMO_SALT)
    users = {"admin": _upsert_user("admin", password_hash, is_staff=True, is_superuser=True, first_name="系统管理员")}
    for username, role, code in DEMO_LOGINS:
        users[username] = _upsert_user(username, password_hash, is_staff=False, is_superuser=False)
        if role is not None:
            UnitRole.objects.get_or_create(user=users[username], unit=units[code], role=role)
    return users


def _link_names(users: dict) -> None:
    # Show the member's name in the navigation rather than the login name.
    for member in Member.objects.filter(user__in=users.values()).select_related("user"):
        if member.user.first_name != member.name:
            member.user.first_name = member.name
            member.user.save(update_fields=["first_name"])


def _accounts(users: dict, units: dict[str, OrgUnit]) -> list[DemoAccount]:
    names = dict(Member.objects.filter(user__in=users.values()).values_list("user__username", "name"))
    accounts = []
    for username, role, code in DEMO_LOGINS:
        if role is None:
            member = Member.objects.select_related("branch").get(user=users[username])
            accounts.append(DemoAccount(username, "党员", member.branch.name, names[username]))
        else:
            unit = units[code]
            unit_name = unit.name
            if unit.kind == OrgUnit.Kind.GROUP:
                unit_name = OrgUnit.objects.get_parent(unit).name + unit_name
            accounts.append(DemoAccount(username, str(UnitRole.Role(role).label), unit_name, names[username]))
    accounts.append(DemoAccount("admin", "系统管理员（管理后台 /admin/）", "全部", ""))
    return accounts


def seed_org_and_roster(today: date) -> DemoOrg:
    """Upsert the demo court's org tree, roster, logins and roles. Call inside a transaction."""
    units = _build_units(today)
    users = _build_users(units)
    _build_members(today, units, users)
    _link_names(users)
    ordered = sorted(OrgUnit.objects.filter(code__in=units), key=lambda unit: unit.path)
    return DemoOrg(
        today=today,
        committee=next(u for u in ordered if u.kind == OrgUnit.Kind.COMMITTEE),
        general_branches=[u for u in ordered if u.kind == OrgUnit.Kind.GENERAL_BRANCH],
        branches=[u for u in ordered if u.kind == OrgUnit.Kind.BRANCH],
        groups=[u for u in ordered if u.kind == OrgUnit.Kind.GROUP],
        users=users,
        accounts=_accounts(users, units),
    )
