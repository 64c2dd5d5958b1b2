import base64

import pytest

from security.crypto import generate_key


@pytest.fixture
def new_key():
    return generate_key()


def fixed_key(text: str) -> str:
    """A readable 32-byte test key."""
    return base64.urlsafe_b64encode(text.encode().ljust(32, b"-")[:32]).decode()


@pytest.fixture
def rated_year(org):
    """Last year scored, applied for and approved, so the star-rating overview draws its charts."""
    from django.utils import timezone

    from assessment.models import Indicator
    from assessment.services import checks, ratings
    from assessment.services.standards import standard_ensure

    year = timezone.localdate().year - 1
    standard_ensure(year=year)
    for indicator in Indicator.objects.filter(standard__year=year):
        for quarter in (1, 2, 3, 4) if indicator.is_quarterly else (None,):
            checks.score_enter(
                branch=org.branch,
                indicator=indicator,
                quarter=quarter,
                value=indicator.points,
                note="检查评分",
                by=None,
            )
    ratings.application_submit(branch=org.branch, year=year, level=4, by=None)
    ratings.history_record(branch=org.branch, year=year - 1, level=3, by=None)
    ratings.year_propose(year=year)
    ratings.year_approve(year=year, by=org.committee_user)
    return year
