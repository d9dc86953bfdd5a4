"""The user's own page: who they are, their roles and memberships, where each leads, and
which e-mail notifications they get."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme.context_processors import UserRoles, roles_of
from programme.forms import add_refusal, show_conflict
from programme.forms.account import NotificationSettingsForm
from programme.history import HistoryEntry
from programme.locking import EditConflict
from programme.models import BodyRole, NotificationKind
from programme.queries.notifications import notification_settings_of
from programme.services import notifications as notification_services


def _kinds(roles: UserRoles) -> list[NotificationKind]:
    """The kinds of notification the user's roles bring them."""
    return notification_services.kinds_for(
        roles.is_slk_reviewer,
        any(membership.role == BodyRole.ADMINISTRATOR for membership in roles.memberships),
    )


@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's roles and memberships, what each allows, links to the work, and
    the form that says how each kind of notification reaches them.

    Reads what the navigation reads (the roles and memberships, once) and the user's
    notification settings.
    """
    # The middleware lets only signed-in users through.
    user = cast(User, request.user)
    roles = roles_of(request)
    kinds = _kinds(roles)
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        current=notification_settings_of(user),
    )
    changes: list[HistoryEntry] = []
    if form.is_bound and form.is_valid():
        try:
            notification_services.save_notification_settings(
                user, form.choices(), form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your e-mail notifications were saved."))
            return redirect("programme:account")
    return render(
        request,
        "programme/account.html",
        {"roles": roles, "notification_form": form, "conflict_changes": changes},
    )
