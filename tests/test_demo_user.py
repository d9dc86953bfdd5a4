"""The demo user command: a working account, reset on every run."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run_command() -> tuple[str, str]:
    """Run create_demo_user and return its output and the password it printed."""
    out = StringIO()
    call_command("create_demo_user", stdout=out)
    output = out.getvalue()
    match = re.search(r"username: demo\s+password: (\S+)", output)
    assert match, output
    return output, match.group(1)


def test_printed_password_signs_the_demo_user_in() -> None:
    _output, password = run_command()

    user = authenticate(username="demo", password=password)

    assert user is not None
    assert user.get_username() == "demo"


def test_output_contains_the_credentials_and_the_url() -> None:
    output, password = run_command()

    assert "http://127.0.0.1:8000/" in output
    assert "demo" in output
    assert password in output


def test_running_twice_leaves_one_user_with_only_the_new_password() -> None:
    _output, first_password = run_command()
    _output, second_password = run_command()

    assert get_user_model().objects.filter(username="demo").count() == 1
    assert first_password != second_password
    assert authenticate(username="demo", password=first_password) is None
    assert authenticate(username="demo", password=second_password) is not None


def test_demo_user_gets_no_admin_rights() -> None:
    run_command()

    user = get_user_model().objects.get(username="demo")

    assert not user.is_staff
    assert not user.is_superuser
