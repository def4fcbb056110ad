"""The static mirror export: the whole public site rendered through the real request handler into files any host can
serve (``manage.py export_mirror``), compressed, listed in a signed manifest and checked
(``manage.py verify_export``)."""
