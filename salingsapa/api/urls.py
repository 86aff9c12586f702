from django.urls import path

from salingsapa.api.v1 import api

urlpatterns = [path("", api.urls)]
