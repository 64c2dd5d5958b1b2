"""The progress box of a background job (a quarter's check, the year's rating), polled by htmx while it runs."""

from django.urls import reverse

from ..models import JobStatus, QuarterCheck, YearRating


def job_box(status: str, message: str, *, status_url: str, page_url: str, watching: bool = False) -> dict | None:
    """What the progress box shows; while the job runs the box polls `status_url` (htmx)."""
    running = status in (JobStatus.QUEUED, JobStatus.RUNNING)
    if not status or (status == JobStatus.DONE and not watching):
        return None  # a finished job has nothing to add to the page that shows its results
    return {
        "status": status,
        "label": JobStatus(status).label,
        "message": message,
        "running": running,
        "status_url": status_url,
        "page_url": page_url,
        "finished_while_watching": watching and not running,
    }


def quarter_job(check: QuarterCheck | None, watching: bool = False) -> dict | None:
    if check is None:
        return None
    args = (check.year, check.quarter)
    return job_box(
        check.status,
        check.message,
        status_url=reverse("assessment:quarter_status", args=args),
        page_url=reverse("assessment:quarter", args=args),
        watching=watching,
    )


def rating_job(year_rating: YearRating | None, watching: bool = False) -> dict | None:
    if year_rating is None:
        return None
    return job_box(
        year_rating.job_status,
        year_rating.job_message,
        status_url=reverse("assessment:rating_status", args=[year_rating.year]),
        page_url=reverse("assessment:rating", args=[year_rating.year]),
        watching=watching,
    )
