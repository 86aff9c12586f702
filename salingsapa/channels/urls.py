from django.urls import URLPattern, URLResolver, path

from salingsapa.channels.whatsapp import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("whatsapp", views.whatsapp_webhook, name="whatsapp_webhook"),
]
