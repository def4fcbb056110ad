from django.urls import path

from support import views, views_remind

app_name = "support"

urlpatterns = [
    path("", views.support_landing, name="landing"),
    path("goal.json", views.goal_json, name="goal"),
    path("events/", views.ask_events, name="events"),
    path("already/", views.already_supporting, name="already"),
    # “Remind me later”
    path("remind/", views_remind.remind, name="remind"),
    path("remind/confirm/<str:token>/", views_remind.confirm, name="remind_confirm"),
    path("remind/cancel/<str:token>/", views_remind.cancel, name="remind_cancel"),
    path("remind/forget/<str:token>/", views_remind.forget, name="remind_forget"),
]
