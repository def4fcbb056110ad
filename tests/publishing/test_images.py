import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from wagtail.images.forms import get_image_form

from publishing.demo.artwork import make_image
from publishing.models import Licence, NewsImage

pytestmark = pytest.mark.django_db


def upload(**fields):
    form_class = get_image_form(NewsImage)
    data = {"title": "Protest", **fields}
    files = {"file": SimpleUploadedFile("protest.jpg", make_image(3, "crowd", 320, 180), content_type="image/jpeg")}
    return form_class(data=data, files=files)


def test_alt_caption_credit_and_licence_are_required_at_upload():
    form = upload()
    assert not form.is_valid()
    for name in ("alt_text", "caption", "credit", "licence"):
        assert name in form.errors, name


def test_a_complete_upload_is_accepted():
    licence = Licence.objects.get(name="CC BY 4.0")
    form = upload(
        alt_text="People in a square", caption="A square at noon", credit="A. Photographer", licence=licence.pk
    )
    assert form.is_valid(), form.errors


def test_original_uploads_are_never_served(article):
    original = article.lead_image.file.name
    assert original.startswith("original_images/")
    assert Client().get(f"/media/{original}").status_code == 404
    rendition = article.lead_image.get_rendition("width-640")
    response = Client().get(rendition.url)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert Client().get("/media/images/../original_images/x.jpg").status_code == 404
