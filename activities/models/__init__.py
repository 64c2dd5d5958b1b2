# Meetings, attendance and talks live in meetings.py; pledges, appraisal and study notes in pledges.py;
# year archive jobs in archives.py; the compliance overview's stored gaps in gaps.py.
from .archives import *  # noqa: F403
from .gaps import *  # noqa: F403
from .meetings import *  # noqa: F403
from .pledges import *  # noqa: F403
