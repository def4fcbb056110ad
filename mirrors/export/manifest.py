"""The export's manifest: every file with its size and SHA-256 (and its compressed twins'), signed with our key.

``manifest.json`` lets anyone check a mirror, even one run by a stranger: fetch it and its ``manifest.json.minisig``,
check the signature with the published key, then hash any file. Its ``tree_hash`` covers only the files that are the
same on every mirror and in every export of the same database, which makes exports comparable (two exports of one
database give one tree hash):

    tree_hash = sha256("".join(f"{path}\\0{sha256}\\n" for each file, sorted by path))

leaving out *overlay* files (feeds, sitemaps, robots.txt: they name the host a mirror serves) and *volatile* ones
(``export.json``, which carries the export id, and the mirror list's files, which each signing changes). The
signature's trusted comment repeats the export id and tree hash::

    export:<id>\\ttree:<hash>\\ttimestamp:<unix>
"""

import hashlib
import json
import mimetypes
import os
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from mirrors.export.compress import TWIN_SUFFIXES
from mirrors.signing import BadSignature, verify

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.minisig"
OWN_FILES = frozenset({MANIFEST, SIGNATURE})
CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def remembered_digest(path: Path, digests: dict | None) -> str:
    """``file_digest(path)``, looked up in ``digests`` (kept by the caller across steps of one export) while the file
    is the same one, of the same size, untouched since it was hashed."""
    if digests is None:
        return file_digest(path)
    status = path.stat()
    key = (str(path), status.st_ino, status.st_size, status.st_mtime_ns)
    if key not in digests:
        digests[key] = file_digest(path)
    return digests[key]


def _is_twin(root: Path, relative: str) -> bool:
    """A ``.gz``/``.br`` is a twin when its uncompressed sibling is in the tree; otherwise it is a file of its own."""
    return relative.endswith(TWIN_SUFFIXES) and (root / relative[:-3]).is_file()


def listed_files(root: Path) -> list[str]:
    """The paths the manifest lists: every file under ``root`` except compressed twins and the manifest itself."""
    root = Path(root)
    found = []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            relative = (Path(directory, name)).relative_to(root).as_posix()
            if relative not in OWN_FILES and not _is_twin(root, relative):
                found.append(relative)
    return sorted(found)


def tree_hash(entries: dict[str, str]) -> str:
    """The tree hash of ``{path: sha256}`` (only the host-agnostic, non-volatile files should be passed)."""
    digest = hashlib.sha256()
    for path in sorted(entries):
        digest.update(f"{path}\0{entries[path]}\n".encode())
    return digest.hexdigest()


def tree_hash_of(root: Path, *, exclude: set[str], digests: dict | None = None) -> str:
    """The tree hash of the files under ``root``, leaving out the paths in ``exclude`` (overlay and volatile files).
    ``digests``: see :func:`remembered_digest` (the export hashes each file once for this and the manifest)."""
    root = Path(root)
    return tree_hash(
        {path: remembered_digest(root / path, digests) for path in listed_files(root) if path not in exclude}
    )


def _twin_entry(path: Path) -> dict | None:
    if not path.is_file():
        return None
    return {"size": path.stat().st_size, "sha256": file_digest(path)}


def _timestamp(generated_at: str) -> int:
    """Unix seconds of an ISO 8601 time (UTC when it names no zone)."""
    moment = datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def build_manifest(
    root: Path,
    *,
    export_id: str,
    canonical: str,
    generated_at: str,
    overlay: set[str],
    volatile: set[str],
    digests: dict | None = None,
) -> dict:
    """The manifest of the tree under ``root`` as a dict (files sorted by path)."""
    root = Path(root)
    files = []
    for relative in listed_files(root):
        path = root / relative
        files.append(
            {
                "path": relative,
                "size": path.stat().st_size,
                "sha256": remembered_digest(path, digests),
                "type": mimetypes.guess_type(relative)[0] or "application/octet-stream",
                "gz": _twin_entry(path.with_name(path.name + ".gz")),
                "br": _twin_entry(path.with_name(path.name + ".br")),
                "overlay": relative in overlay,
                "volatile": relative in volatile,
            }
        )
    hashed = {entry["path"]: entry["sha256"] for entry in files if not entry["overlay"] and not entry["volatile"]}
    return {
        "export_id": export_id,
        "generated_at": generated_at,
        "canonical": canonical,
        "tree_hash": tree_hash(hashed),
        "files": files,
    }


def manifest_bytes(manifest: dict) -> bytes:
    """The one serialisation of a manifest: keys sorted, one file a line (so two manifests diff well), UTF-8."""
    members = []
    for key in sorted(manifest):
        if key == "files":
            entries = ",\n".join(json.dumps(entry, sort_keys=True, ensure_ascii=False) for entry in manifest[key])
            members.append(f'"files": [\n{entries}\n]')
        else:
            members.append(f"{json.dumps(key)}: {json.dumps(manifest[key], sort_keys=True, ensure_ascii=False)}")
    return ("{\n" + ",\n".join(members) + "\n}\n").encode()


def trusted_comment(manifest: dict) -> str:
    timestamp = _timestamp(manifest["generated_at"])
    return f"export:{manifest['export_id']}\ttree:{manifest['tree_hash']}\ttimestamp:{timestamp}"


def write_manifest(root: Path, *, signer, **fields) -> dict:
    """Writes ``manifest.json`` and its signature ``manifest.json.minisig`` into ``root``; returns the manifest.
    ``fields`` are :func:`build_manifest`'s.

    Call it last, once every file and twin is in place: anything written afterwards is an unlisted file.
    """
    root = Path(root)
    manifest = build_manifest(root, **fields)
    data = manifest_bytes(manifest)
    signature = signer.sign(
        data, trusted_comment=trusted_comment(manifest), untrusted_comment=f"samizdat export {manifest['export_id']}"
    )
    (root / MANIFEST).write_bytes(data)
    (root / SIGNATURE).write_text(signature)
    return manifest


def _safe(relative: object) -> bool:
    """A manifest from a stranger's mirror must not make us read outside the tree."""
    if not isinstance(relative, str) or not relative or "\\" in relative or "\0" in relative:
        return False
    parts = PurePosixPath(relative).parts
    return not relative.startswith("/") and ".." not in parts and "." not in parts


def _check_file(path: Path, expected: dict, label: str) -> list[str]:
    if not path.is_file():
        return [f"{label}: missing"]
    if path.stat().st_size != expected.get("size"):
        return [f"{label}: size {path.stat().st_size}, manifest says {expected.get('size')}"]
    if file_digest(path) != expected.get("sha256"):
        return [f"{label}: content differs from the manifest (sha256)"]
    return []


def verify_tree(root: Path, public_key: str) -> list[str]:
    """What is wrong with the export under ``root``: [] when the signature verifies and every file matches it.

    Checks the signature and its trusted comment, every listed file and twin (present, size, SHA-256), that no file
    is there which the manifest does not list, and the tree hash.
    """
    root = Path(root)
    try:
        data = (root / MANIFEST).read_bytes()
        signature = (root / SIGNATURE).read_text()
    except FileNotFoundError as missing:
        return [f"{Path(missing.filename).name}: missing"]
    except (OSError, UnicodeDecodeError) as error:
        return [f"{SIGNATURE}: unreadable ({error})"]
    problems = []
    try:
        comment = verify(data, signature, public_key)
    except BadSignature as error:
        problems.append(f"{SIGNATURE}: {error}")
        comment = None
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        if not isinstance(files, list) or not all(isinstance(entry, dict) for entry in files):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return [*problems, f"{MANIFEST}: not a manifest"]
    if comment is not None:
        fields = dict(field.partition(":")[::2] for field in comment.split("\t"))
        if fields.get("export") != manifest.get("export_id") or fields.get("tree") != manifest.get("tree_hash"):
            problems.append(f"{SIGNATURE}: the trusted comment names another export or tree than {MANIFEST}")

    expected_paths = set(OWN_FILES)
    hashed = {}
    for entry in files:
        relative = entry.get("path")
        if not _safe(relative):
            problems.append(f"{MANIFEST}: unsafe path {relative!r}")
            continue
        path = root / relative
        problems += _check_file(path, entry, relative)
        expected_paths.add(relative)
        for encoding in ("gz", "br"):
            twin = f"{relative}.{encoding}"
            if isinstance(entry.get(encoding), dict):
                problems += _check_file(root / twin, entry[encoding], twin)
                expected_paths.add(twin)
            elif entry.get(encoding) is not None:
                problems.append(f"{MANIFEST}: {relative} has a malformed {encoding!r} entry")
        if not entry.get("overlay") and not entry.get("volatile"):
            hashed[relative] = entry.get("sha256")
    if tree_hash(hashed) != manifest.get("tree_hash"):
        problems.append(f"{MANIFEST}: tree_hash does not match the files it lists")

    for directory, _dirs, names in os.walk(root):
        for name in names:
            relative = Path(directory, name).relative_to(root).as_posix()
            if relative not in expected_paths:
                problems.append(f"{relative}: not listed in {MANIFEST}")
    return sorted(problems)
