from dataclasses import fields

from django.core.management import BaseCommand, CommandError

from mirrors.nginx.site import BadValue, Site, defaults, render_site


class Command(BaseCommand):
    help = (
        "Print the origin's nginx site (deploy/nginx/samizdat.conf) with its placeholders filled: paths from the "
        "settings (STATIC_ROOT, MEDIA_ROOT, PUBLISHED_TREE_DIR), HSTS as the app sends it, the onion service's server "
        "when ONION_ADDRESS is set, and these options."
    )

    def add_arguments(self, parser):
        help_texts = {
            "server_name": "host names nginx answers for (default: CANONICAL_URL's host)",
            "tls_cert": "certificate chain (PEM); default: certbot's path for the host",
            "tls_key": "the certificate's private key (PEM)",
            "tree": "the published tree (default: PUBLISHED_TREE_DIR)",
            "static_root": "collectstatic's output (default: STATIC_ROOT)",
            "media_root": "uploads; only images/ (renditions) is served (default: MEDIA_ROOT)",
            "upstream": "where gunicorn listens (default: 127.0.0.1:8000, as deploy/gunicorn.conf.py binds)",
            "http_listen": "nginx's plain-HTTP listen (redirects and certificate challenges), default 80",
            "https_listen": "nginx's TLS listen, default 443",
            "acme_root": "the webroot certbot writes challenges to, default /var/www/acme",
            "onion": "the onion service's address, for its server block (default: ONION_ADDRESS; empty: none)",
            "onion_listen": "where tor hands the onion's requests to nginx: a loopback address or unix:/path "
            "(default 127.0.0.1:8081, as deploy/tor/torrc.example has it)",
        }
        for field in fields(Site):
            parser.add_argument("--" + field.name.replace("_", "-"), dest=field.name, help=help_texts[field.name])
        brotli = parser.add_mutually_exclusive_group()
        brotli.add_argument(
            "--brotli",
            action="store_true",
            default=None,
            help="keep brotli_static (the default where libnginx-mod-http-brotli-static is installed)",
        )
        brotli.add_argument("--no-brotli", dest="brotli", action="store_false", help="drop brotli_static")

    def handle(self, *args, brotli, **options):
        values = defaults()
        for field in fields(Site):
            if options.get(field.name) is not None:
                values[field.name] = options[field.name]
        try:
            site = Site(**values)
            self.stdout.write(render_site(site, brotli=brotli), ending="")
        except BadValue as error:
            raise CommandError(f"{error}.") from None
