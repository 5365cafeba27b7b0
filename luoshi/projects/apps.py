from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "luoshi.projects"
    label = "projects"
    verbose_name = "重点项目与招商"
