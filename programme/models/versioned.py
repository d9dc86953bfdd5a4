"""The locking rule's mark on a model: a version of its own, or why it needs none.

Every record a person edits carries ``version`` (``Versioned``): a save names the version
it was made from, and ``programme.locking`` refuses it when the record has moved on
since. A model without a version of its own says why, with one of two attributes that
the test walking every model reads:

- ``version_kept_by = "<foreign key>"``: its rows are only ever saved together with that
  record, whose version every such save raises (a follow-up's rows, a programme
  version's goal areas);
- ``not_edited = "<why>"``: no person edits its rows in the product (written by the
  system, loaded from files, or only ever added and removed).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A record that two people may edit at once: each save raises ``version`` by one."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True
