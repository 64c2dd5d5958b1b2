"""A meeting record's attachments (photos, scans): upload, download and delete, through the record's own checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import get_visible_or_404, scope_for
from core.downloads import evidence_response
from core.service_errors import flash_service_errors

from .. import selectors, services
from ..forms import AttachmentForm
from ..models import Attachment
from .meetings import editable_meeting


@login_required
@require_POST
def attachment_upload(request, pk):
    # Any record the user may log for, submitted ones included: evidence can come after the meeting.
    meeting = editable_meeting(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    form.is_valid()
    try:
        added = services.attachments_add(meeting=meeting, by=request.user, uploads=form.cleaned_data.get("files", []))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已上传 %(n)s 个附件。") % {"n": len(added)})
    return redirect(reverse("activities:detail", args=[meeting.pk]) + "#attachments")


@login_required
def attachment_download(request, pk):
    attachment = get_visible_or_404(Attachment.objects.select_related("meeting"), request.user, pk=pk)
    return evidence_response(request, attachment)


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = get_visible_or_404(Attachment.objects.select_related("meeting__unit"), request.user, pk=pk)
    if not selectors.can_log(scope_for(request.user), attachment.meeting.unit):
        raise Http404
    # A submitted record keeps its evidence: the service refuses, saying the record must be returned first.
    meeting_pk = attachment.meeting_id
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("附件已删除。"))
    return redirect(reverse("activities:detail", args=[meeting_pk]) + "#attachments")
