from django.urls import path, re_path

from support.dunning import views as dunning_views
from support.views import asks, card, checkout, manage, remind, stripe_webhook, transparency, ways

app_name = "support"

urlpatterns = [
    # Checkout and how to pay
    path("", checkout.checkout, name="landing"),
    path("pay/<uuid:public_id>/", checkout.pay, name="pay"),
    path("qr/<slug:asset>.png", checkout.qr_code, name="qr"),
    # Giving without a server, JavaScript or a card: public instructions (also on static mirrors)
    path("bank-transfer/", ways.bank_transfer, name="bank_transfer"),
    path("crypto/", ways.crypto, name="crypto"),
    re_path(r"^(?P<language>[a-z]{2})/bank-transfer/$", ways.bank_transfer, name="bank_transfer"),
    re_path(r"^(?P<language>[a-z]{2})/crypto/$", ways.crypto, name="crypto"),
    # Where the money comes from and where it goes (a reading page, also on static mirrors)
    path("transparency/", transparency.transparency, name="transparency"),
    re_path(r"^(?P<language>[a-z]{2})/transparency/$", transparency.transparency, name="transparency"),
    # What the reader script talks to, and "I already support"
    path("goal.json", asks.goal_json, name="goal"),
    path("events/", asks.ask_events, name="events"),
    path("already/", asks.already_supporting, name="already"),
    re_path(r"^(?P<language>[a-z]{2})/already/$", asks.already_supporting, name="already"),
    # “Remind me later”
    path("remind/", remind.remind, name="remind"),
    path("remind/confirm/<str:token>/", remind.confirm, name="remind_confirm"),
    path("remind/cancel/<str:token>/", remind.cancel, name="remind_cancel"),
    path("remind/forget/<str:token>/", remind.forget, name="remind_forget"),
    # Self-service by magic link
    path("manage/", manage.manage, name="manage"),
    path("notice/<str:token>/", dunning_views.notice_link, name="notice_link"),
    path("manage/<str:token>/", manage.manage_link, name="manage_link"),
    path("manage/<str:token>/card/<int:contribution_id>/", manage.manage_card, name="manage_card"),
    path(
        "manage/<str:token>/card/<int:contribution_id>/prepare/",
        manage.manage_card_prepare,
        name="manage_card_prepare",
    ),
    path(
        "manage/<str:token>/card/<int:contribution_id>/confirm/",
        manage.manage_card_confirm,
        name="manage_card_confirm",
    ),
    # Card provider
    path("webhooks/stripe/", stripe_webhook.stripe_webhook, name="stripe_webhook"),
    path("pay/<uuid:public_id>/card/prepare/", card.prepare, name="card_prepare"),
    path("pay/<uuid:public_id>/card/charge/", card.charge, name="card_charge"),
]
