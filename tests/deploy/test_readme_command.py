"""The README's third command, run exactly as it is written there, after what ``make demo`` does."""

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.deploy.stack import ROOT


def readme_export_command() -> tuple[dict[str, str], list[str]]:
    """The export line of the README's first code block: its leading VAR=value words and the command."""
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    line = next(line for line in block.splitlines() if "export_mirror" in line)
    words = shlex.split(line.split("#", 1)[0])
    assignments = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        assignments[name] = value
    return assignments, words


def test_the_readme_names_what_the_export_needs_after_make_demo():
    assignments, command = readme_export_command()
    assert assignments == {"SAMIZDAT_ENV": "demo"}
    assert command == [".venv/bin/python", "manage.py", "export_mirror", "OUT"]


def test_the_readme_command_exports_the_demo_database():
    """``make demo`` migrates and loads the demo with SAMIZDAT_ENV=demo (into var/; here a temporary database, media
    and signing key). Then the README's line runs as written, in an environment with no SECRET_KEY of its own."""
    assignments, command = readme_export_command()
    with tempfile.TemporaryDirectory(prefix="samizdat-readme-") as tmp:
        where = {
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "MIRROR_SIGNING_KEY_FILE": f"{tmp}/signing.key",
            "DEMO_MAILBOX_DIR": f"{tmp}/mail",
        }
        bare = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
        demo = {**bare, **where, "SAMIZDAT_ENV": "demo"}
        for step in (["migrate", "--noinput", "-v0"], ["load_demo", "-v0"]):  # what `make demo` runs first
            subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=demo, check=True, timeout=600)

        python = ROOT / command[0]
        program = [str(python) if python.exists() else sys.executable, *command[1:]]
        program = [f"{tmp}/OUT" if word == "OUT" else word for word in program]
        result = subprocess.run(
            program, cwd=ROOT, env={**bare, **where, **assignments}, capture_output=True, text=True, timeout=900
        )

        assert result.returncode == 0, result.stderr[-3000:]
        current = Path(tmp, "OUT", "current")
        assert (current / "index.html").exists() and (current / "manifest.json").exists()
        assert (current / "manifest.json.minisig").exists()
