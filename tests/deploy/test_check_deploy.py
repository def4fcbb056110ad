"""``manage.py check --deploy`` passes with the documented production environment (deploy/samizdat.env.example)."""

import secrets
import subprocess
import sys

from tests.deploy.stack import ROOT, env_file_values


def check_deploy(**overrides):
    """``check --deploy --fail-level WARNING`` in a clean environment: the env file's values, a real secret filled in."""
    values = {**env_file_values(), "SECRET_KEY": secrets.token_urlsafe(64), **overrides}
    assert values["SAMIZDAT_ENV"] == "production"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **values},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_environment():
    result = check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_hsts_or_the_redirect_it_would_not():
    """The production defaults are what make it pass: turned off, Django names what is missing."""
    result = check_deploy(SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_the_fallback_keys_are_checked_too():
    result = check_deploy(SECRET_KEY_FALLBACKS="short")

    assert result.returncode != 0 and "security.W025" in result.stderr
