"""The published tree: the live site's reading pages as files, which nginx serves without asking the app.

``<PUBLISHED_TREE_DIR>/pages/`` holds every public reading page (the transparency page among the support pages), feed,
sitemap and robots.txt exactly as the app answers them (the export's renderer in live mode,
:class:`mirrors.export.render.Renderer`), each with its ``.gz`` and ``.br`` twins. Anything not there — the
support forms, the admin, search, webhooks, ``goal.json``, unknown paths — reaches the app
(``deploy/nginx/samizdat.conf`` falls back to it). Beside ``pages/`` the tree keeps:

* ``index.sqlite3`` — per file: the path, what it belongs to (``page:<id>``, ``topic:<id>``, ``feed:…``), the digest of
  its bytes, the internal paths and images it links to, and whether it shows asks or live figures; what a change
  depends on is read from it (:mod:`mirrors.tree.dependencies`);
* ``headers.conf`` — the response headers every file of the tree is sent with, as the app sends them, for nginx to
  ``include``; and ``languages.map``, each HTML file's ``Content-Language``;
* ``.compress-cache/`` — the twins by digest, shared with nothing else (:mod:`mirrors.export.compress`).

Writers (:mod:`mirrors.tree.publish`) take the tree's lock, write each file under a temporary name and rename it into
place (twins first, then the file), so nginx never sends half a file, and two writers never interleave.
"""
