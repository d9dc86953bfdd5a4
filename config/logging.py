"""Logging filters of the site."""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep the one line Django logs for a 403 and drop its traceback.

    A refused request (a user opening a page their role does not give them) is expected,
    not an error: the traceback of ``PermissionDenied`` says nothing and floods the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
