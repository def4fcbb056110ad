from django.urls import path

from support import views, views_checkout, views_manage, views_remind, views_stripe

app_name = "support"

urlpatterns = [
    path("", views_checkout.checkout, name="landing"),
    path("goal.json", views.goal_json, name="goal"),
    path("events/", views.ask_events, name="events"),
    path("already/", views.already_supporting, name="already"),
    # “Remind me later”
    path("remind/", views_remind.remind, name="remind"),
    path("remind/confirm/<str:token>/", views_remind.confirm, name="remind_confirm"),
    path("remind/cancel/<str:token>/", views_remind.cancel, name="remind_cancel"),
    path("remind/forget/<str:token>/", views_remind.forget, name="remind_forget"),
    # Checkout (support/views_checkout.py): the form is "" above
    path("pay/<uuid:public_id>/", views_checkout.pay, name="pay"),
    path("qr/<slug:asset>.png", views_checkout.qr_code, name="qr"),
    # Stripe webhooks (support/views_stripe.py)
    path("webhooks/stripe/", views_stripe.stripe_webhook, name="stripe_webhook"),
]

# “Manage my support” (support/views_manage.py): ask for a link, then the page behind it
urlpatterns += [
    path("manage/", views_manage.manage, name="manage"),
    path("manage/<str:token>/", views_manage.manage_link, name="manage_link"),
]
