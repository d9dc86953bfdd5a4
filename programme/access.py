"""The one door: what a user may see and change, decided here and nowhere else.

Members of a body get object permissions on that body (django-guardian, through the
direct foreign-key models ``BodyUserObjectPermission`` and ``BodyGroupObjectPermission``),
derived from their memberships. SLK reviewers read every body by their role, not by
thousands of grants. A user's grants and global roles are read once per request
(``grants_of``, one query); records that belong to a body are then filtered through
their body, named by id, and their confidentiality level, in SQL, never checked row by
row.

A record the user may not see answers 404; a record the user may see but not change
answers 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, Value
from django.http import Http404, HttpRequest, HttpResponse

from programme.models import (
    ALWAYS_OPEN,
    Audience,
    Body,
    BodyGroupObjectPermission,
    BodyRole,
    BodyUserObjectPermission,
    Confidentiality,
    GlobalRole,
    GlobalRoleKind,
    Membership,
    stricter,
)

ModelT = TypeVar("ModelT", bound=models.Model)
AnyUser = User | AnonymousUser

VIEW_RECORDS = "view_body_records"
CHANGE_RECORDS = "change_body_records"
VIEW_CONFIDENTIAL = "view_confidential_records"

# What each membership role grants on its body. Administrators see confidential
# records; readers do not.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    BodyRole.ADMINISTRATOR: frozenset({VIEW_RECORDS, CHANGE_RECORDS, VIEW_CONFIDENTIAL}),
    BodyRole.READER: frozenset({VIEW_RECORDS}),
}
BODY_PERMISSIONS = frozenset({VIEW_RECORDS, CHANGE_RECORDS, VIEW_CONFIDENTIAL})

# Levels a member without the confidential permission may see.
NOT_CONFIDENTIAL = [Confidentiality.OPEN, Confidentiality.INTERNAL]

_GRANTS_CACHE = "_programme_grants"


class Action(enum.Enum):
    """What a user wants to do with a body's records."""

    VIEW = "view"
    CHANGE = "change"


# --- Global roles ------------------------------------------------------------------------


def global_roles(user: AnyUser) -> frozenset[str]:
    """The user's global roles, read with the grants (``grants_of``) once per request."""
    return grants_of(user).roles


def is_slk_reviewer(user: AnyUser) -> bool:
    """SLK reviewers read every body, review follow-ups and maintain the programme."""
    return GlobalRoleKind.SLK_REVIEWER in global_roles(user)


def is_official(user: AnyUser) -> bool:
    """Officials read the programme and the published general reports."""
    return GlobalRoleKind.OFFICIAL in global_roles(user)


def is_system_administrator(user: AnyUser) -> bool:
    """System administrators manage users and memberships in the Django admin."""
    return GlobalRoleKind.SYSTEM_ADMINISTRATOR in global_roles(user)


def require_slk_reviewer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view only SLK reviewers may open; anyone else signed in gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_slk_reviewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Bodies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grants:
    """The bodies on which a user holds each body permission, read in one query.

    The permissions are django-guardian's object permissions, read from its direct
    foreign-key tables (``BodyUserObjectPermission``, ``BodyGroupObjectPermission``):
    granted to the user or to one of the user's groups, never global ones, and nothing
    for an inactive user (what guardian's ``get_objects_for_user`` answers with
    ``accept_global_perms=False, with_superuser=False``; a test holds the two equal).
    Filters then name the bodies as a list of ids, so no query compiles the permission
    subquery again.
    """

    by_permission: dict[str, frozenset[int]]
    generation: int
    # The user's global roles (``GlobalRole``), read in the same query.
    roles: frozenset[str] = frozenset()

    def bodies(self, permission: str) -> frozenset[int]:
        """The ids of the bodies on which the user holds ``permission``."""
        return self.by_permission.get(permission, frozenset())


NO_GRANTS = Grants(by_permission={}, generation=-1)
NO_BODY = Value(None, output_field=models.BigIntegerField())

# Raised whenever a grant is saved or deleted in this process (programme.signals), so a
# user object that read its grants before the change reads them again.
_grant_generation = [0]


def grants_changed() -> None:
    """Mark every grant read so far in this process as out of date."""
    _grant_generation[0] += 1


def grants_of(user: AnyUser) -> Grants:
    """The user's body permissions and global roles: one query, once per user object (so
    once per request)."""
    if not user.is_authenticated or not user.is_active:
        return NO_GRANTS
    cached: Grants | None = getattr(user, _GRANTS_CACHE, None)
    generation = _grant_generation[0]
    if cached is not None and cached.generation == generation:
        return cached
    permission = {"permission__codename__in": sorted(BODY_PERMISSIONS)}
    own = BodyUserObjectPermission.objects.filter(user=user, **permission)
    via_groups = BodyGroupObjectPermission.objects.filter(group__user=user, **permission)
    # A role is a row without a body.
    roles = GlobalRole.objects.filter(user=user).order_by().annotate(no_body=NO_BODY)
    by_permission: dict[str, set[int]] = {}
    role_names: set[str] = set()
    for body_id, name in own.values_list("content_object_id", "permission__codename").union(
        via_groups.values_list("content_object_id", "permission__codename"),
        roles.values_list("no_body", "role"),
    ):
        if body_id is None:
            role_names.add(name)
        else:
            by_permission.setdefault(name, set()).add(body_id)
    grants = Grants(
        by_permission={codename: frozenset(ids) for codename, ids in by_permission.items()},
        generation=generation,
        roles=frozenset(role_names),
    )
    setattr(user, _GRANTS_CACHE, grants)
    return grants


def _body_ids_with(user: AnyUser, permission: str) -> list[int]:
    """The ids of the bodies on which the user holds ``permission``, sorted (for SQL)."""
    return sorted(grants_of(user).bodies(permission))


def _bodies_with(user: AnyUser, permission: str) -> models.QuerySet[Body]:
    """Bodies on which the user (or one of the user's groups) holds ``permission``."""
    return Body.objects.filter(pk__in=_body_ids_with(user, permission))


def bodies_for(user: AnyUser, action: Action) -> models.QuerySet[Body]:
    """The bodies whose records the user may view or change."""
    if action is Action.VIEW:
        if is_slk_reviewer(user):
            return Body.objects.all()
        return _bodies_with(user, VIEW_RECORDS)
    return _bodies_with(user, CHANGE_RECORDS)


def get_body_or_404(user: AnyUser, slug: str, action: Action = Action.VIEW) -> Body:
    """The body with ``slug``: 404 if the user may not see it, 403 if not change it."""
    body = bodies_for(user, Action.VIEW).filter(slug=slug).first()
    if body is None:
        raise Http404
    if action is Action.CHANGE and not can_change_records(user, body):
        raise PermissionDenied
    return body


def can_change_records(user: AnyUser, body: Body) -> bool:
    """Whether the user may change the body's records (no query once the grants are read)."""
    return body.pk in grants_of(user).bodies(CHANGE_RECORDS)


def readable_body_ids(user: AnyUser, bodies: Iterable[Body]) -> set[int]:
    """Which of ``bodies`` the user may read the records of, for per-row links on a page.

    SLK reviewers read every body; anyone else by the grants read once per request.
    """
    body_ids = {body.pk for body in bodies}
    if is_slk_reviewer(user):
        return body_ids
    return body_ids & grants_of(user).bodies(VIEW_RECORDS)


def changeable_body_ids(user: AnyUser, bodies: Iterable[Body | int]) -> set[int]:
    """Which of ``bodies`` (or body ids) the user may change the records of."""
    body_ids = {body if isinstance(body, int) else body.pk for body in bodies}
    return body_ids & grants_of(user).bodies(CHANGE_RECORDS)


# --- Records that belong to a body -------------------------------------------------------


def _body_path(model: type[models.Model]) -> str:
    path = getattr(model, "body_path", None)
    if not isinstance(path, str):
        raise TypeError(f"{model.__name__} does not belong to a body (no body_path).")
    return path


class LevelUnknown(TypeError):
    """A model that names no confidentiality level: no rule may guess what it may show."""


def _level_paths(model: type[models.Model]) -> tuple[str, ...]:
    """The lookups to every level that governs a row: its own and its parents'.

    A record inherits the strictest level above it (an activity under a confidential
    goal is confidential too). A model open by what it is (``ALWAYS_OPEN``) has none; a
    model that names neither is refused, so a new model cannot leak by omission.
    """
    paths = getattr(model, "confidentiality_path", None)
    if paths is ALWAYS_OPEN:
        return ()
    if isinstance(paths, str) and paths:
        return (paths,)
    if isinstance(paths, tuple) and paths and all(isinstance(path, str) for path in paths):
        return paths
    raise LevelUnknown(
        f"{model.__name__} names no confidentiality level (confidentiality_path), so no "
        "rule can tell which of its rows may be shown."
    )


def _levels_allow(model: type[models.Model], path: str, levels: Iterable[str]) -> Q:
    """The rows whose level at ``path`` is one of ``levels``.

    A level reached through a relation that may be empty (a carry-over issue about an
    activity has no goal of its own) imposes nothing when the relation is empty.
    """
    allowed = Q(**{f"{path}__in": list(levels)})
    relation = path.rsplit("__", 1)[0] if "__" in path else None
    if relation is not None and _nullable(model, relation):
        allowed |= Q(**{f"{relation}__isnull": True})
    return allowed


def _nullable(model: type[models.Model], lookup: str) -> bool:
    """Whether the relation ``lookup`` (``a__b``) may be empty anywhere along the way."""
    current: Any = model
    for name in lookup.split("__"):
        field = current._meta.get_field(name)
        if getattr(field, "null", False):
            return True
        current = field.related_model
    return False


def restrict(
    queryset: models.QuerySet[ModelT], user: AnyUser, action: Action = Action.VIEW
) -> models.QuerySet[ModelT]:
    """Only the rows of ``queryset`` the user may view or change.

    The model names its way to the body (``body_path``) and to the confidentiality
    levels that govern it (``confidentiality_path``, one lookup or a tuple of them).
    Confidential rows reach the body's administrators and SLK reviewers only. One query
    however many rows.
    """
    body_path = _body_path(queryset.model)
    level_paths = _level_paths(queryset.model)
    if action is Action.CHANGE:
        # Every body administrator may also see confidential records; changing implies it.
        return queryset.filter(**{f"{body_path}__in": _body_ids_with(user, CHANGE_RECORDS)})
    if is_slk_reviewer(user):
        return queryset
    readable = _body_ids_with(user, VIEW_RECORDS)
    queryset = queryset.filter(**{f"{body_path}__in": readable})
    if not level_paths or grants_of(user).bodies(VIEW_CONFIDENTIAL).issuperset(readable):
        # A user who sees every level of each body read (its administrator) is narrowed
        # by nothing more: the condition below would hold for every row.
        return queryset
    not_confidential = Q()
    for path in level_paths:
        not_confidential &= _levels_allow(queryset.model, path, NOT_CONFIDENTIAL)
    return queryset.filter(
        not_confidential | Q(**{f"{body_path}__in": _body_ids_with(user, VIEW_CONFIDENTIAL)})
    )


def may_see_confidential(user: AnyUser, body: Body) -> bool:
    """Whether the user sees the body's confidential records (its administrators and SLK)."""
    if is_slk_reviewer(user):
        return True
    return body.pk in grants_of(user).bodies(VIEW_CONFIDENTIAL)


def level_of(record: models.Model) -> str:
    """The level that governs ``record`` now: the strictest of its own and those above it.

    At most one query (none when the record's own level is all that governs it). A
    model open by what it is answers open; one that names no level is refused
    (``LevelUnknown``).
    """
    paths = _level_paths(type(record))
    if not paths:
        return Confidentiality.OPEN
    if all("__" not in path for path in paths):
        return stricter(*[getattr(record, path) for path in paths])
    values = type(record)._default_manager.filter(pk=record.pk).values_list(*paths).first()
    return stricter(*[value for value in values or () if value is not None] or ["?"])


class GeneralUse(enum.Enum):
    """What a general report, which every official reads, does with a body's rows."""

    # Shows their text: open rows only.
    SHOWN = "shown"
    # Counts them ("23 of 30 committees..."): open and internal rows. A confidential row
    # is never counted, shown or hinted at.
    COUNTED = "counted"


GENERAL_LEVELS: dict[GeneralUse, tuple[str, ...]] = {
    GeneralUse.SHOWN: (Confidentiality.OPEN,),
    GeneralUse.COUNTED: (Confidentiality.OPEN, Confidentiality.INTERNAL),
}


def for_general_report(
    queryset: models.QuerySet[ModelT],
    use: GeneralUse = GeneralUse.SHOWN,
    texts: Iterable[str] = (),
) -> models.QuerySet[ModelT]:
    """Only the rows a general report may use as ``use`` says, whoever asks for it.

    Every level that governs a row (its own, its parents', and for a snapshot row the
    level it had at submission) must allow it. A model that names no level is refused
    (``LevelUnknown``), never answered with every row. Texts a row holds at levels of
    their own (``text_levels``) are asked about with ``general_text``; a report that
    counts or shows rows by such a text (the council goal's judgement) names it in
    ``texts``, and only rows whose text's level allows it remain.
    """
    level_paths = _level_paths(queryset.model)
    _body_path(queryset.model)
    allowed = Q()
    for path in level_paths:
        allowed &= _levels_allow(queryset.model, path, GENERAL_LEVELS[use])
    levels: dict[str, str] = getattr(queryset.model, "text_levels", {})
    for name in texts:
        if name not in levels:
            raise LevelUnknown(f"{queryset.model.__name__}.{name} has no confidentiality level.")
        allowed &= Q(**{f"{levels[name]}__in": GENERAL_LEVELS[use]})
    return queryset.filter(allowed)


def general_text(record: models.Model, name: str, use: GeneralUse = GeneralUse.SHOWN) -> str:
    """The text ``name`` of ``record`` if a general report may use it, else "".

    The text's level is named in the model's ``text_levels``; a text without one is
    refused (``LevelUnknown``).
    """
    levels: dict[str, str] = getattr(type(record), "text_levels", {})
    if name not in levels:
        raise LevelUnknown(f"{type(record).__name__}.{name} has no confidentiality level.")
    if getattr(record, levels[name]) not in GENERAL_LEVELS[use]:
        return ""
    return str(getattr(record, name) or "")


# --- Reports: what each variant may print (who gets which: programme/report_access.py) ----


def for_audience(
    queryset: models.QuerySet[ModelT],
    audience: Audience,
    use: GeneralUse = GeneralUse.SHOWN,
) -> models.QuerySet[ModelT]:
    """Only the rows a report for ``audience`` may print (``use``: shown or counted).

    Full: every row; members: none that a level on or above it makes confidential;
    general: ``for_general_report``. A model that names no level is always refused.
    """
    level_paths = _level_paths(queryset.model)
    _body_path(queryset.model)
    if audience == Audience.FULL:
        return queryset
    if audience == Audience.GENERAL:
        return for_general_report(queryset, use)
    allowed = Q()
    for path in level_paths:
        allowed &= _levels_allow(queryset.model, path, NOT_CONFIDENTIAL)
    return queryset.filter(allowed)


def audience_text(record: models.Model, name: str, audience: Audience) -> str:
    """The text ``name`` of ``record`` if a report for ``audience`` may print it, else "".

    A text without a level of its own (``text_levels``) is refused (``LevelUnknown``).
    """
    levels: dict[str, str] = getattr(type(record), "text_levels", {})
    if name not in levels:
        raise LevelUnknown(f"{type(record).__name__}.{name} has no confidentiality level.")
    if audience == Audience.GENERAL:
        return general_text(record, name)
    if audience == Audience.MEMBERS and getattr(record, levels[name]) not in NOT_CONFIDENTIAL:
        return ""
    return str(getattr(record, name) or "")


def get_for_user_or_404(
    user: AnyUser,
    queryset: models.QuerySet[ModelT],
    action: Action = Action.VIEW,
    **lookup: Any,
) -> ModelT:
    """The one row ``lookup`` finds: 404 if the user may not see it, 403 if not change it."""
    instance = restrict(queryset, user, Action.VIEW).filter(**lookup).first()
    if instance is None:
        raise Http404
    if (
        action is Action.CHANGE
        and not restrict(queryset, user, Action.CHANGE).filter(pk=instance.pk).exists()
    ):
        raise PermissionDenied
    return instance


# --- Deriving permissions from memberships -----------------------------------------------


def sync_body_permissions(user_id: int) -> None:
    """Make the user's object permissions on bodies match the user's memberships.

    Called whenever a membership is saved or deleted, inside the same transaction, so a
    grant can never outlive or precede the membership it comes from.
    """
    with transaction.atomic():
        permissions = {
            permission.codename: permission
            for permission in Permission.objects.filter(
                content_type__app_label="programme", codename__in=BODY_PERMISSIONS
            )
        }
        wanted = {
            (body_id, codename)
            for body_id, role in Membership.objects.filter(user_id=user_id).values_list(
                "body_id", "role"
            )
            for codename in ROLE_PERMISSIONS[role]
        }
        existing = {
            (body_id, codename): pk
            for pk, body_id, codename in BodyUserObjectPermission.objects.filter(
                user_id=user_id, permission__codename__in=BODY_PERMISSIONS
            ).values_list("pk", "content_object_id", "permission__codename")
        }
        stale = [pk for key, pk in existing.items() if key not in wanted]
        if stale:
            BodyUserObjectPermission.objects.filter(pk__in=stale).delete()
        BodyUserObjectPermission.objects.bulk_create(
            BodyUserObjectPermission(
                user_id=user_id, content_object_id=body_id, permission=permissions[codename]
            )
            for body_id, codename in sorted(wanted - existing.keys())
        )
        grants_changed()
