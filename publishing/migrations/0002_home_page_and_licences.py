import uuid

from django.db import migrations

LICENCES = [
    ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    ("CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    ("CC BY-ND 4.0", "https://creativecommons.org/licenses/by-nd/4.0/"),
    ("CC BY-NC-SA 4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    ("CC BY-NC-ND 4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
    ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("Public domain", "https://creativecommons.org/publicdomain/mark/1.0/"),
    ("All rights reserved", ""),
    ("Used with permission", ""),
]


def create_home_page_and_licences(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("publishing.HomePage")
    Licence = apps.get_model("publishing.Licence")

    for name, deed_url in LICENCES:
        Licence.objects.get_or_create(name=name, defaults={"deed_url": deed_url})

    if HomePage.objects.exists():
        return
    # Replace Wagtail's placeholder "Welcome" page with the newsroom's home page.
    placeholder_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=placeholder_type, depth=2, slug="home").delete()
    if Page.objects.filter(depth=2).exists():
        return  # an existing tree: leave it to the editors
    home_type, _ = ContentType.objects.get_or_create(app_label="publishing", model="homepage")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Samizdat",
        draft_title="Samizdat",
        slug="home",
        content_type=home_type,
        path=root.path + "0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale=Locale.objects.order_by("pk").first(),
        translation_key=uuid.uuid4(),
        tagline="Independent journalism, paid for by its readers",
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Samizdat")


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [migrations.RunPython(create_home_page_and_licences, migrations.RunPython.noop)]
