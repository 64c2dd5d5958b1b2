"""疑似雷同: the measure, its threshold, and how flags follow edits."""

from datetime import date

from activities import services, similarity
from activities.models import Meeting
from tests.factories import COPY, ORIGINAL, log_meeting

# Another meeting of the same branch: same opening formula, different business.
OTHER = (
    "会议由支部书记王建国主持，应到党员18人，实到15人。会议传达学习了中央八项规定精神及其实施细则，通报了近期违纪违法"
    "典型案例，纪检委员张华就廉洁司法作了专题发言。与会党员结合自身岗位查找廉政风险点，提出了整改措施。会议决定下月开展"
    "廉政警示教育活动。"
)


def test_a_lightly_edited_copy_is_above_the_threshold():
    assert similarity.similarity(ORIGINAL, COPY) >= similarity.THRESHOLD
    # Re-spacing and re-punctuating does not hide a copy.
    respaced = COPY.replace("，", ", ").replace("。", ".\n")
    assert similarity.similarity(ORIGINAL, respaced) >= similarity.THRESHOLD


def test_different_minutes_with_the_usual_formulas_are_well_below():
    assert similarity.similarity(ORIGINAL, OTHER) < 0.5
    # Rewording several phrases takes a text out of "nearly word for word".
    reworded = (
        COPY.replace("传达学习了", "认真学习了")
        .replace("进行了讨论", "开展了热烈讨论")
        .replace("立足岗位", "立足本职岗位")
    )
    assert similarity.similarity(ORIGINAL, reworded) < similarity.THRESHOLD


def test_short_minutes_are_never_flagged():
    assert similarity.similarity("同上", "同上") == 0.0
    assert similarity.similarity("会议学习了党章。", "会议学习了党章。") == 0.0


def test_flags_follow_the_records_of_a_branch(org):
    first = log_meeting(org.branch, day=date(2025, 3, 1), minutes=ORIGINAL)
    log_meeting(org.branch, day=date(2025, 4, 1), minutes=OTHER)
    copy = log_meeting(org.branch, day=date(2025, 5, 1), minutes=COPY, submit=False)
    first.refresh_from_db()
    # Both sides of the pair are flagged, each pointing at the other.
    assert copy.similar_to == first and first.similar_to == copy and copy.similarity >= 0.8
    assert Meeting.objects.filter(similar_to__isnull=False).count() == 2

    # The copy is rewritten: both flags go.
    services.meeting_update(meeting=copy, by=None, minutes=OTHER.replace("廉政", "作风"))
    first.refresh_from_db()
    assert first.similar_to is None

    # Records of another branch are not compared.
    log_meeting(org.other_branch, day=date(2025, 3, 2), minutes=ORIGINAL, submit=False)
    first.refresh_from_db()
    assert first.similar_to is None


def test_deleting_a_draft_clears_its_partner(org):
    first = log_meeting(org.branch, day=date(2025, 3, 1), minutes=ORIGINAL)
    copy = log_meeting(org.branch, day=date(2025, 5, 1), minutes=COPY, submit=False)
    services.meeting_delete(meeting=copy, by=None)
    first.refresh_from_db()
    assert first.similar_to is None and first.similarity is None
