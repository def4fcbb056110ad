"""An export that would serve something wrongly fails, names each path and publishes nothing (R1 checks 7, 15)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from mirrors.export.manifest import verify_tree
from mirrors.export.run import ExportFailed, ExportOptions, export_site
from mirrors.signing import Signer

pytestmark = pytest.mark.django_db


def test_a_planted_extensionless_feed_and_a_cookie_fail_the_export(tmp_path, django_db_blocker):
    planted = ExportOptions(jobs=1, extra_paths=("/planted-feed/", "/planted-cookie/"))
    with (
        override_settings(ROOT_URLCONF="tests.mirrors.planted_urls"),
        django_db_blocker.unblock(),
        pytest.raises(ExportFailed) as failure,
    ):
        export_site(tmp_path, planted)
    problems = dict(failure.value.problems)
    assert "application/rss+xml" in problems["/planted-feed/"]
    assert "a static host would serve planted-feed/index.html as text/html" in problems["/planted-feed/"]
    assert "sets a cookie (planted)" in problems["/planted-cookie/"]
    assert "/planted-feed/" in failure.value.report()
    # nothing was published, and the partial tree is gone
    assert not (tmp_path / "current").exists()
    assert list((tmp_path / "exports").iterdir()) == []


def test_an_exception_halfway_leaves_the_previous_export_serving(demo_export, django_db_blocker):
    out = demo_export.out
    before = (out / "current").resolve()
    exports_before = sorted(path.name for path in (out / "exports").iterdir())

    def fail_halfway(done, total):
        if done >= total / 2:
            raise RuntimeError("the machine went away")

    with django_db_blocker.unblock(), pytest.raises(RuntimeError, match="went away"):
        export_site(out, ExportOptions(jobs=1, brotli_quality=5, progress=fail_halfway))
    assert (out / "current").resolve() == before
    assert sorted(path.name for path in (out / "exports").iterdir()) == exports_before
    assert verify_tree(out / "current", Signer.from_settings().public_key) == []


def test_the_command_refuses_bad_numbers(tmp_path):
    with pytest.raises(CommandError, match="--jobs"):
        call_command("export_mirror", str(tmp_path), "--jobs", "0")
    with pytest.raises(CommandError, match="--keep"):
        call_command("export_mirror", str(tmp_path), "--keep", "0")
    assert not (tmp_path / "exports").exists()
