from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "luoshi.service"
    label = "service"
    verbose_name = "企业与群众诉求"

    def ready(self):
        from . import rules
        rules.connect()  # rule edits invalidate every process's cached copy
