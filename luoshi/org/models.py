"""Units (townships, departments) and the people who act for them."""
import secrets

from django.conf import settings
from django.db import models


class Unit(models.Model):
    class Kind(models.TextChoices):
        TOWNSHIP = "township", "乡镇"
        STREET = "street", "街道办事处"
        DEPARTMENT = "department", "部门"
        OFFICE = "office", "督查室"
        LEADERSHIP = "leadership", "县领导"

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    aliases = models.CharField("别名（逗号分隔）", max_length=200, blank=True,
                               help_text="分解建议里的写法，如“发改委,发展改革委”")
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
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
        LEADER = "leader", "县领导（分管领导）"
        OFFICE = "office", "督查室"
        UNIT_HEAD = "unit_head", "单位负责人"
        UNIT_CLERK = "unit_clerk", "单位联络员"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="people")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    phone = models.CharField("手机", max_length=20, blank=True)
    oversees_all = models.BooleanField("主要领导（查看全部任务）", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
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
    name = models.CharField("用途", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self):
        return f"{self.user} · {self.name or self.key[:6]}"
