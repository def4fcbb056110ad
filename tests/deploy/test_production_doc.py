"""docs/production.md shows commands that exist and files that are shipped."""

import re

from django.core.management import get_commands

from tests.deploy.stack import DEPLOY, ROOT

DOC = (ROOT / "docs" / "production.md").read_text()


def test_every_management_command_the_guide_runs_exists():
    named = set(re.findall(r"samizdat-manage ([a-z_]+)", DOC))
    assert {"migrate", "collectstatic", "createsuperuser", "publish_tree", "nginx_site", "check"} <= named
    assert not named - set(get_commands()), sorted(named - set(get_commands()))


def test_every_deploy_file_the_guide_names_is_shipped():
    for path in re.findall(r"(?<![\w/])(deploy/[\w./-]+\.(?:service|conf|py|example))", DOC):
        assert (ROOT / path).exists(), path
    for unit in (DEPLOY / "systemd").glob("*.service"):
        assert unit.stem in DOC


def test_the_backup_is_made_and_restored_as_the_backup_test_does():
    test = (ROOT / "tests" / "deploy" / "test_backup_restore.py").read_text()
    for words in ("pg_dump", "-Fc"), ("pg_restore", "--no-owner", "--exit-on-error"):
        assert all(word in DOC for word in words) and all(f'"{word}"' in test for word in words), words
