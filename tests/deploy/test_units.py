"""The systemd units of deploy/systemd: valid for systemd, hardened, and starting commands that exist here."""

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.deploy.stack import DEPLOY, ROOT, SHIPPED_APP_DIR, env_file_values, unit_exec_start

UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
HARDENING = {
    "User": "samizdat",
    "NoNewPrivileges": "yes",
    "PrivateTmp": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "EnvironmentFile": "/etc/samizdat/samizdat.env",
    "Restart": "on-failure",
}


def service(unit: Path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read_string(unit.read_text())
    return parser["Service"]


def test_there_is_a_unit_for_the_web_the_worker_the_scheduler_and_the_mirrors_mailbox():
    assert [unit.name for unit in UNITS] == [
        "samizdat-mirrors-mailbox.service",
        "samizdat-scheduler.service",
        "samizdat-web.service",
        "samizdat-worker.service",
    ]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_units_are_hardened(unit):
    section = service(unit)
    for key, value in HARDENING.items():
        assert section.get(key) == value, (unit.name, key)
    writable = set(section["ReadWritePaths"].split())
    values = env_file_values()
    # The app writes uploads, renditions and the tree; nothing else outside its var/.
    assert writable == {values["MEDIA_ROOT"], values["PUBLISHED_TREE_DIR"], f"{SHIPPED_APP_DIR}/var"}


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_unit_starts_something_this_checkout_has(unit):
    command = unit_exec_start(unit.name)
    program = Path(command[0])
    assert program.parent == ROOT / ".venv" / "bin"
    if "manage.py" in command:
        name = command[command.index("manage.py") + 1]
        assert name in get_commands(), f"{unit.name} runs manage.py {name}, which does not exist"
        assert program.name == "python"
    else:
        assert program.name == "gunicorn"
        config = Path(command[command.index("-c") + 1])
        assert config == ROOT / "deploy" / "gunicorn.conf.py" and config.exists()
        assert command[-1] == "samizdat.wsgi" and (ROOT / "samizdat" / "wsgi.py").exists()


def test_the_worker_runs_the_queue_as_the_settings_name_it_and_the_scheduler_once():
    worker = unit_exec_start("samizdat-worker.service")
    assert worker[worker.index("manage.py") + 1 :] == ["db_worker", "--interval", "0.2", "--no-reload"]
    assert unit_exec_start("samizdat-scheduler.service")[-1] == "run_scheduler"
    mailbox = unit_exec_start("samizdat-mirrors-mailbox.service")
    assert mailbox[mailbox.index("manage.py") + 1 :] == [
        "run_mirrors_responder",
        "--host",
        "127.0.0.1",
        "--port",
        "8026",
    ]


def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` reads each unit as systemd would, with the checkout where the units expect it; it
    fails on an unknown directive, a bad value or a program that is not there."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: apt-get install -y systemd")
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(SHIPPED_APP_DIR, str(ROOT)))
    result = subprocess.run(
        [analyze, "verify", *sorted(str(path) for path in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr
