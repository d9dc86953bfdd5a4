"""The code keeps its house plan: one place per rule, short modules, a map that is true.

These tests read the source, not the running product: they fail when a rule gets a
second definition, an old name comes back, a module outgrows one subject, or
docs/ARCHITECTURE.md names a module that does not exist.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The runtime code and its tools; tests and migrations are not held to the plan.
SOURCE_DIRS = ("programme", "remiss", "reporting", "config", "bench")
MODULE_LINE_LIMIT = 500

# Each rule, the one module that defines it, and the names it defines there.
RULES: dict[str, tuple[str, frozenset[str]]] = {
    "when a body existed": (
        "programme/models/bodies.py",
        frozenset({"existed_in", "existing_in", "is_active_on", "active_on", "not_ended_by"}),
    ),
    "which versions are in force": (
        "programme/lineage.py",
        frozenset({"programmes_in_force", "focus_areas_in_force", "in_force_queryset"}),
    ),
    "where a focus area went": ("programme/lineage.py", frozenset({"map_focus_areas"})),
    "Swedish number parsing": ("programme/numbers.py", frozenset({"parse_number"})),
    "the user behind a change": (
        "programme/history.py",
        frozenset({"history_user", "set_history_user"}),
    ),
    "the first and last years": (
        "programme/years.py",
        frozenset({"FIRST_YEAR", "LAST_YEAR", "last_record_year", "is_record_year"}),
    ),
    "Swedish sorting": ("programme/sorting.py", frozenset({"swedish_sort_key"})),
}

# Names the rules had before they were brought to one place; none may come back.
RETIRED_NAMES = frozenset(
    {
        "body_existed_in",
        "bodies_existing_in",
        "body_years",
        "bodies_active_in",
        "FIRST_PLAN_YEAR",
        "FIRST_DUTY_YEAR",
        "last_plan_year",
        "last_duty_year",
        "is_plan_year",
        "is_duty_year",
        "parse_outcome",
        "_decimal",
        "_by",
        "_actor",
        "_in_force",
    }
)

# Text that belongs to one module only: the mechanics a rule hides.
ONLY_IN = {
    r"(?<!\w)_history_user\b": "programme/history.py",
    r"\bInvalidOperation\b": "programme/numbers.py",
    r"\bvalid_(?:from|to)__": "programme/models/bodies.py",
    r"\bDecimalField\(": "programme/models/",
    r"maketrans\(\{\"å\"": "programme/sorting.py",
}


def source_files() -> Iterator[Path]:
    """Every Python module of the runtime code, migrations left out."""
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def top_level_names(tree: ast.Module) -> set[str]:
    """The functions, classes and constants a module defines, methods included."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def used_names(tree: ast.Module) -> set[str]:
    """Every name a module defines, reads, imports or reaches as an attribute."""
    names = top_level_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name)
    return names


@pytest.fixture(scope="module")
def parsed() -> dict[str, ast.Module]:
    return {relative(path): ast.parse(path.read_text()) for path in source_files()}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_is_defined_in_one_module(rule: str, parsed: dict[str, ast.Module]) -> None:
    home, names = RULES[rule]
    assert names <= top_level_names(parsed[home]), f"{home} no longer defines all of {names}"
    elsewhere = {
        path: sorted(names & top_level_names(tree))
        for path, tree in parsed.items()
        if path != home and names & top_level_names(tree)
    }
    assert elsewhere == {}, f"{rule} is defined again outside {home}"


def test_the_old_names_of_the_rules_are_gone(parsed: dict[str, ast.Module]) -> None:
    test_trees = {
        relative(path): ast.parse(path.read_text()) for path in (ROOT / "tests").rglob("*.py")
    }
    found = {
        path: sorted(RETIRED_NAMES & used_names(tree))
        for path, tree in {**parsed, **test_trees}.items()
        if RETIRED_NAMES & used_names(tree) and path != "tests/test_house_plan.py"
    }
    assert found == {}


@pytest.mark.parametrize("text", sorted(ONLY_IN))
def test_what_a_rule_hides_stays_in_its_module(text: str) -> None:
    home = ONLY_IN[text]
    outside = [
        relative(path)
        for path in source_files()
        if re.search(text, path.read_text()) and not relative(path).startswith(home)
    ]
    assert outside == [], f"{text!r} belongs in {home} only"


def test_every_caller_imports_a_rule_from_its_one_place(parsed: dict[str, ast.Module]) -> None:
    homes = {
        name: home.removesuffix(".py").replace("/", ".")
        for home, names in RULES.values()
        for name in names
    }
    wrong = []
    for path, tree in parsed.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    home = homes.get(alias.name)
                    # programme.models re-exports the models of programme.models.bodies.
                    allowed = {home, "programme.models"} if home else set()
                    if home and node.module not in allowed:
                        wrong.append(f"{path}: {alias.name} from {node.module}")
    assert wrong == []


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        relative(path): lines
        for path in source_files()
        if (lines := len(path.read_text().splitlines())) > MODULE_LINE_LIMIT
    }
    assert long == {}


def test_every_module_the_architecture_names_exists() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    table = text.split("## Where does it live", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`((?:programme|remiss|reporting|config|tests)/[\w/]+\.py)`", table))
    assert len(named) >= 15, "the table should name a module for every question"
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert missing == []


def test_every_question_of_the_architecture_table_names_one_module() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    table = text.split("## Where does it live", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    answers = {row.split("|")[1].strip(): row.split("|")[2] for row in rows[1:]}
    for question in (
        "Who may see or change a record?",
        "How is a follow-up submitted, returned and approved?",
        "What does the plan page read?",
        "How does a focus area map to its successor?",
        "How is a Swedish number parsed?",
        "Where do a new app's state changes go?",
        "Where do a new app's page reads go?",
    ):
        assert question in answers, f"the table does not answer {question!r}"
        assert re.search(r"`[\w/]+\.py`", answers[question]), question


def test_browser_tests_live_in_the_browser_folder() -> None:
    outside = [
        relative(path)
        for path in (ROOT / "tests").rglob("test_*.py")
        if "browser" not in path.relative_to(ROOT / "tests").parts[:1]
        and re.search(r"mark\.browser\b", path.read_text())
    ]
    assert outside == []
