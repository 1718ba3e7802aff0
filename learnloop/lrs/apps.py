from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "learnloop.lrs"
    label = "lrs"
    verbose_name = "Learning records (xAPI)"
