from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.support_landing, name="landing"),
    path("goal.json", views.goal_json, name="goal"),
    path("events/", views.ask_events, name="events"),
    path("already/", views.already_supporting, name="already"),
]
