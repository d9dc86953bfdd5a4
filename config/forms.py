"""Forms of the site as a whole."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form without autofocus on the user name.

    Autofocus moves keyboard and screen-reader users past the skip link, the heading and
    the instructions straight into the first field; here the first Tab reaches the skip
    link, as on every other page.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
