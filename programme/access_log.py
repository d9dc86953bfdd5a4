"""Writing the access log: a confidential record opened, or its evidence downloaded.

``log_if_confidential`` is called by the views that open one record of a body (its
history page, a duty record's page, an evidence download) after the access module has
let the user in. It writes one row when the record, or a record above it, is
confidential now; nothing otherwise. The rows are read on SLK's and the system
administrators' log page (``programme.queries.access_log``) and never changed.
"""

from __future__ import annotations

from django.db import models

from programme.access import AnyUser, level_of
from programme.history import history_user
from programme.models import AccessAction, AccessLogEntry, Body, Confidentiality


def log_if_confidential(
    user: AnyUser, record: models.Model, body: Body, action: str = AccessAction.OPENED
) -> bool:
    """Log that ``user`` opened ``record`` (or downloaded its evidence) if it is confidential.

    Returns whether a row was written.
    """
    if level_of(record) != Confidentiality.CONFIDENTIAL:
        return False
    log_access(user, record, body, action)
    return True


def log_access(user: AnyUser, record: models.Model, body: Body, action: str) -> None:
    """Log that ``user`` did ``action`` with ``record``, which the caller knows to be or
    to hold confidential records (a report's full variant, for one)."""
    person = history_user(user)
    AccessLogEntry.objects.create(
        user=person,
        username=person.get_username() if person else "",
        action=action,
        body=body,
        record_kind=str(type(record)._meta.verbose_name),
        record_id=record.pk,
    )
