"""What every page's layout needs to know about the signed-in user, read once per request.

The navigation and the account page both show the user's roles and memberships; they
read them through ``roles_of``, which costs two queries per request (the global roles,
read with the grants through ``programme.access``, and the memberships with their
bodies) however many pages or templates ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from programme import access
from programme.models import Membership
from programme.sorting import swedish_sort_key

_CACHE = "_programme_user_roles"


@dataclass(frozen=True)
class UserRoles:
    """The signed-in user's global roles and memberships, as the pages present them."""

    is_slk_reviewer: bool
    is_official: bool
    is_system_administrator: bool
    memberships: list[Membership]
    current_year: int

    @property
    def has_any_role(self) -> bool:
        """Whether the user holds any role or membership at all."""
        return bool(
            self.is_slk_reviewer
            or self.is_official
            or self.is_system_administrator
            or self.memberships
        )


NO_ROLES = UserRoles(
    is_slk_reviewer=False,
    is_official=False,
    is_system_administrator=False,
    memberships=[],
    current_year=0,
)


def roles_of(request: HttpRequest) -> UserRoles:
    """The request user's roles and memberships (two queries, once per request)."""
    cached: UserRoles | None = getattr(request, _CACHE, None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated or not user.is_active:
        roles = NO_ROLES
    else:
        memberships = sorted(
            # Sorted here by the Swedish alphabet; the model's ordering would join the user.
            Membership.objects.filter(user=user).select_related("body").order_by(),
            key=lambda membership: swedish_sort_key(membership.body.name),
        )
        roles = UserRoles(
            is_slk_reviewer=access.is_slk_reviewer(user),
            is_official=access.is_official(user),
            is_system_administrator=access.is_system_administrator(user),
            memberships=memberships,
            current_year=timezone.localdate().year,
        )
    setattr(request, _CACHE, roles)
    return roles


def user_roles(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``user_roles`` for the navigation (nothing for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": roles_of(request)}
