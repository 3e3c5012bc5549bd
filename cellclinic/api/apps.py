from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cellclinic.api"
    label = "api"
