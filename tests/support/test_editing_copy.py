"""Editors change ask copy in the Wagtail admin: a misspelt placeholder is refused by name; a good change is live."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from support.models import AskVariant

pytestmark = pytest.mark.django_db


def edit_form_data(client, url):
    """The edit form as the admin renders it, with every field's current value."""
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    form = soup.find("form", attrs={"method": "POST"})
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.find_all("option", selected=True)
            values = [option.get("value", "") for option in chosen]
            data[name] = values if field.has_attr("multiple") else (values[0] if values else "")
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.get("type") == "radio":
            if field.has_attr("checked"):
                data[name] = field.get("value")
        else:
            data[name] = field.get("value", "")
    return data


@pytest.fixture
def editor(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.get(username="editor"))
    return client


def test_an_unknown_placeholder_is_refused_and_named(editor):
    variant = AskVariant.objects.get(key="panel-gap")
    url = f"/admin/snippets/support/askvariant/edit/{variant.pk}/"
    data = edit_form_data(editor, url)
    data["body"] = "We still need {gapp} this month."
    response = editor.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "Unknown placeholder {gapp}" in response.content.decode()
    variant.refresh_from_db()
    assert "{gapp}" not in variant.body


def test_a_valid_change_is_live_on_the_next_request(editor, article, django_capture_on_commit_callbacks):
    reader = Client()
    assert "Every euro counts" not in reader.get(article.url).content.decode()
    variant = AskVariant.objects.get(key="panel-gap")
    url = f"/admin/snippets/support/askvariant/edit/{variant.pk}/"
    data = edit_form_data(editor, url)
    data["body"] = "Every euro counts: {gap} to go."
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = BeautifulSoup(reader.get(article.url).content, "html.parser")
    assert "Every euro counts: €48,000 to go." in page.select_one("[data-ask-surface=panel]").get_text(" ", strip=True)
