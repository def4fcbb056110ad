"""``{% same_on_every_page "name" %}…{% end_same_on_every_page %}``: template markup that every page of one snapshot
shares (the site's header and footer, say), rendered once per language in a batch render of the snapshot
(:mod:`core.snapshot`) and as usual anywhere else.

Only markup that depends on nothing but the language and what every page of the snapshot shares may go inside: no
page, no request path, nothing of one page's context. ``tests/mirrors/test_snapshot_memo.py`` renders every page with
and without the memo and requires the same bytes.
"""

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from core import snapshot

register = template.Library()


class SameOnEveryPageNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        key = ("same-on-every-page", self.name, translation.get_language())
        # the markup a template rendered, kept as it was (already escaped where it needed to be)
        return mark_safe(snapshot.remember(key, lambda: self.nodelist.render(context)))  # noqa: S308


@register.tag("same_on_every_page")
def same_on_every_page(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f'{bits[0]} takes one quoted name: {{% {bits[0]} "header" %}}')
    nodelist = parser.parse(("end_same_on_every_page",))
    parser.delete_first_token()
    return SameOnEveryPageNode(bits[1][1:-1], nodelist)
