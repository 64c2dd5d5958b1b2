"""The upload page every import shares: take the file, import it at once or send the user to its job's
page, and show the result — refused rows, warnings, the success — the same way for every kind.

Each app's view only says who may import, which form, which task and where to go when done."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .jobs import import_request, recent_jobs
from .models import ImportJob


def import_page(
    request,
    form,
    *,
    kind: str,
    task,
    template: str,
    done: str,
    success: Callable[[ImportJob], str] | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """`form` has a `file` (and may have `check_only`); `done` is the URL name to go to after an import
    that wrote something; `success` words the message from the job (default: the job's own summary)."""
    job = None
    if request.method == "POST" and form.is_valid():
        job = import_request(
            kind=kind,
            user=request.user,
            upload=form.cleaned_data["file"],
            check_only=form.cleaned_data.get("check_only", False),
            task=task,
        )
        if job.is_running:  # a large file: imported in the background while its page shows progress
            return redirect("imports:job", job.pk)
        if job.is_done and not job.check_only:
            for warning in job.warnings:
                messages.warning(request, warning)
            messages.success(request, success(job) if success else job.message)
            return redirect(done)
    return render(
        request, template, {"form": form, "job": job, "recent": recent_jobs(request.user, kind), **(context or {})}
    )
