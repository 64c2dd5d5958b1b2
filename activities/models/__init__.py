# Meetings, attendance and talks live in meetings.py; pledges, appraisal and study notes in pledges.py;
# year archive jobs in archives.py.
from .archives import *  # noqa: F403
from .meetings import *  # noqa: F403
from .pledges import *  # noqa: F403
