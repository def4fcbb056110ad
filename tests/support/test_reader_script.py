"""The reader script stays small: every reading page loads it, readers on slow or metered connections included."""

from pathlib import Path

import support

READER_SCRIPT = Path(support.__file__).parent / "static" / "support" / "reader.js"
BUDGET_BYTES = 10_500  # uncompressed; about 4 kB gzipped (10,000 until win-back asks came)


def test_the_reader_script_keeps_its_size_budget():
    size = READER_SCRIPT.stat().st_size
    assert size <= BUDGET_BYTES, f"reader.js is {size} bytes, over its budget of {BUDGET_BYTES}: shorten something"


def test_static_mirrors_find_the_goal_snapshot_two_folders_above_the_script(settings):
    # On a static mirror the script reads ../../support/goal.json from its own address, which holds while it is served
    # as /static/support/reader.js: the copy's root is two folders up, at the origin, under a sub-path and on disk.
    from django.templatetags.static import static

    assert settings.STATIC_URL == "/static/"
    assert static("support/reader.js") == "/static/support/reader.js"
    assert 'new URL("../../support/goal.json", document.currentScript.src)' in READER_SCRIPT.read_text(encoding="utf-8")
