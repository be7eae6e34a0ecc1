from django.urls import path

from readership import views

app_name = "readership"

urlpatterns = [
    path("<int:article_id>/", views.read_beacon, name="beacon"),
]
