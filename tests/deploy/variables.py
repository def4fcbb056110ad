"""Which environment variables the code reads, and which the files that document them name."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "samizdat" / "settings.py"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
ENV_EXAMPLE = ROOT / "deploy" / "samizdat.env.example"
README = ROOT / "README.md"
READERS = frozenset({"env", "env_bool", "env_list"})
ENV_LINE = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=")


def settings_variables() -> set[str]:
    """Every name passed to ``env(…)``, ``env_bool(…)`` or ``env_list(…)`` in samizdat/settings.py."""
    found = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in READERS:
            first = node.args[0]
            assert isinstance(first, ast.Constant), f"settings.py line {node.lineno} reads a computed name"
            found.add(first.value)
    return found


def gunicorn_variables() -> set[str]:
    """Every name deploy/gunicorn.conf.py reads with ``os.environ.get(…)``."""
    found = set()
    for node in ast.walk(ast.parse(GUNICORN_CONF.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and ast.unparse(node.func.value) == "os.environ"
        ):
            found.add(node.args[0].value)
    return found


def env_example_lines() -> list[tuple[int, str, str]]:
    """(line number, name, the line) for each ``NAME=`` or ``# NAME=`` line of the env file."""
    rows = []
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        if match := ENV_LINE.match(line):
            rows.append((number, match.group(1), line))
    return rows


def readme_variables() -> set[str]:
    """The names in the first column of the README's configuration table."""
    text = README.read_text()
    table = text[text.index("| variable | default | meaning |") :].split("\n\n", 1)[0]
    names = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first))
    return names
