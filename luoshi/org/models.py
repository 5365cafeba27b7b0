"""Units (townships, departments) and the people who act for them."""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("乡镇")
        STREET = "street", _("街道办事处")
        DEPARTMENT = "department", _("部门")
        OFFICE = "office", _("督查室")
        LEADERSHIP = "leadership", _("县领导")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    aliases = models.CharField(_("别名（逗号分隔）"), max_length=200, blank=True,
                               help_text=_("分解建议里的写法，如“发改委,发展改革委”"))
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model name", "单位")
        verbose_name_plural = pgettext_lazy("model name plural", "单位")
        ordering = ["kind", "order", "name"]

    def __str__(self):
        return self.name

    @property
    def is_township(self):
        return self.kind in (self.Kind.TOWNSHIP, self.Kind.STREET)


def unit_names():
    """Every way a unit is written (full name, short name, aliases) → Unit pk; full names win."""
    names = {}
    units = list(Unit.objects.only("pk", "name", "short_name", "aliases"))
    for unit in units:
        for alias in unit.aliases.replace("，", ",").split(","):
            if alias.strip():
                names.setdefault(alias.strip(), unit.pk)
        if unit.short_name:
            names.setdefault(unit.short_name, unit.pk)
    names.update({unit.name: unit.pk for unit in units})
    return names


class Person(models.Model):
    """A user's role and unit. Permissions follow from these two fields alone."""

    class Role(models.TextChoices):
        LEADER = "leader", _("县领导（分管领导）")
        OFFICE = "office", _("督查室")
        UNIT_HEAD = "unit_head", _("单位负责人")
        UNIT_CLERK = "unit_clerk", _("单位联络员")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="people")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    oversees_all = models.BooleanField(_("主要领导（查看全部任务）"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("model name", "人员")
        verbose_name_plural = pgettext_lazy("model name plural", "人员")
        ordering = ["unit", "role", "name"]

    def __str__(self):
        return f"{self.name}（{self.title or self.get_role_display()}）"

    @property
    def is_office(self):
        return self.role == self.Role.OFFICE

    @property
    def is_leader(self):
        return self.role == self.Role.LEADER

    @property
    def is_unit_staff(self):
        return self.role in (self.Role.UNIT_HEAD, self.Role.UNIT_CLERK)


def new_token_key():
    return secrets.token_hex(20)


class ApiToken(models.Model):
    """Bearer token for the JSON API; acts with its user's role and unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key = models.CharField(max_length=40, unique=True, default=new_token_key)
    name = models.CharField(_("用途"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "API 令牌")
        verbose_name_plural = pgettext_lazy("model name plural", "API 令牌")

    def __str__(self):
        return f"{self.user} · {self.name or self.key[:6]}"
