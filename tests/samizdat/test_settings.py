import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SAMIZDAT_ENV", "DEBUG", "CACHE_URL"}}
    code = (
        "import samizdat.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, s.CACHES['default']['BACKEND'], s.SERVE_MEDIA)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(SAMIZDAT_ENV="production")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_defaults_are_safe():
    result = load_settings(SAMIZDAT_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="news.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['news.example']",
        "django.core.cache.backends.locmem.LocMemCache",
        "False",
    ]


def test_redis_cache_by_setting():
    result = load_settings(SAMIZDAT_ENV="production", SECRET_KEY="k" * 50, CACHE_URL="redis://127.0.0.1:6379/3")
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout


def test_unknown_environment_names_are_refused():
    result = load_settings(SAMIZDAT_ENV="staging")
    assert result.returncode != 0 and "SAMIZDAT_ENV" in result.stderr


def mail_addresses(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SAMIZDAT_ENV", "CANONICAL_URL"}}
    code = "import samizdat.settings as s; print(s.MIRROR_REMINDER_MAILTO, s.MIRROR_RESPONDER_ADDRESS)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SAMIZDAT_ENV": "test", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_addresses_made_from_the_canonical_address_carry_no_port():
    assert mail_addresses(CANONICAL_URL="https://news.example:8443/") == ["remind@news.example", "mirrors@news.example"]
    assert mail_addresses(CANONICAL_URL="http://127.0.0.1:8000") == ["remind@[127.0.0.1]", "mirrors@[127.0.0.1]"]
    assert mail_addresses(CANONICAL_URL="https://news.example", MIRROR_REMINDER_MAILTO="later@other.example")[0] == (
        "later@other.example"
    )
