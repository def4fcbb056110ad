"""deploy/samizdat.env.example and the README's table name exactly the variables the code reads."""

import subprocess

from tests.deploy.stack import env_file_values
from tests.deploy.variables import (
    ENV_EXAMPLE,
    env_example_lines,
    gunicorn_variables,
    readme_variables,
    settings_variables,
)


def test_the_env_file_names_every_variable_the_settings_and_gunicorn_read():
    named = {name for _, name, _ in env_example_lines()}
    read = settings_variables() | gunicorn_variables()

    assert not read - named, f"read by the code but missing from {ENV_EXAMPLE.name}: {sorted(read - named)}"
    assert not named - read, f"in {ENV_EXAMPLE.name} but read by nothing: {sorted(named - read)}"


def test_each_variable_appears_once_with_a_comment_above():
    lines = ENV_EXAMPLE.read_text().splitlines()
    seen = {}
    for number, name, _ in env_example_lines():
        assert name not in seen, f"{name} is on lines {seen[name]} and {number}"
        seen[name] = number
        above = number - 2
        while above >= 0 and any(above + 1 == other for other, _, _ in env_example_lines()):
            above -= 1  # a group of variables under one comment
        assert above >= 0 and lines[above].startswith("#"), f"{name} (line {number}) has no comment above it"


def test_what_the_file_sets_is_what_production_needs_and_secrets_are_placeholders():
    values = env_file_values()

    assert values["SAMIZDAT_ENV"] == "production"
    assert values["SECRET_KEY"] == "CHANGE-ME"
    assert "CHANGE-ME" in values["DATABASE_URL"]
    assert values["CACHE_URL"].startswith("redis://")
    assert values["TRUSTED_PROXIES"].split(",")[0] == "127.0.0.1"
    for path in ("STATIC_ROOT", "MEDIA_ROOT", "PUBLISHED_TREE_DIR"):
        assert values[path].startswith("/srv/samizdat/"), path


def test_the_readme_table_names_every_variable_of_the_settings():
    in_table, read = readme_variables(), settings_variables()

    assert not read - in_table, f"read by samizdat/settings.py but not in the README's table: {sorted(read - in_table)}"
    assert not in_table - read, f"in the README's table but not read by the settings: {sorted(in_table - read)}"


def test_the_shell_reads_the_file_as_systemd_does():
    """docs/production.md sources the file in /bin/sh for management commands; systemd reads it for the services."""
    script = f"set -a; . {ENV_EXAMPLE}; set +a; env -0"
    result = subprocess.run(["/bin/sh", "-c", script], env={"PATH": "/usr/bin:/bin"}, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    from_shell = dict(item.split("=", 1) for item in result.stdout.decode().split("\0") if "=" in item)
    for name, value in env_file_values().items():
        assert from_shell.get(name) == value, name
