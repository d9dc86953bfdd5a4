"""Keep what is derived from memberships and roles in step with them, in one transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from programme import access
from programme.models import (
    BodyGroupObjectPermission,
    BodyUserObjectPermission,
    GlobalRole,
    GlobalRoleKind,
    Membership,
)


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    """A membership was saved or deleted: bring the user's body permissions in line."""
    access.sync_body_permissions(instance.user_id)


@receiver([post_save, post_delete], sender=GlobalRole)
def global_role_changed(sender: type[GlobalRole], instance: GlobalRole, **kwargs: Any) -> None:
    """Only system administrators may open the Django admin: keep ``is_staff`` to that.

    The roles are read with the grants, so roles read before the change are read again.
    """
    access.grants_changed()
    is_administrator = GlobalRole.objects.filter(
        user_id=instance.user_id, role=GlobalRoleKind.SYSTEM_ADMINISTRATOR
    ).exists()
    get_user_model().objects.filter(pk=instance.user_id).update(is_staff=is_administrator)


@receiver([post_save, post_delete], sender=BodyUserObjectPermission)
@receiver([post_save, post_delete], sender=BodyGroupObjectPermission)
def grant_changed(sender: type[Any], **kwargs: Any) -> None:
    """A grant was saved or deleted: grants read before it are out of date."""
    access.grants_changed()


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender: type[Any], **kwargs: Any) -> None:
    """A user joined or left a group, whose grants they hold: read them again."""
    access.grants_changed()
