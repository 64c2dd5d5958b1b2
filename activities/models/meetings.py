"""三会一课 records: meetings, attendance, attachments, talks."""

__all__: list[str] = []
