"""Org API: units, the signed-in user, and people to pick from (e.g. leaders in charge)."""
from typing import List, Optional

from django.db.models import Q
from ninja import Field, Router, Schema

from luoshi.ledger import scope

from .models import Person, Unit

router = Router(tags=["单位与人员"])


class UnitOut(Schema):
    id: int
    name: str = Field(description="单位名称")
    short_name: str = Field(description="简称")
    kind: Unit.Kind = Field(description="类型")
    parent_id: Optional[int] = Field(description="上级单位")


class UnitRef(Schema):
    id: int
    name: str


class PersonOut(Schema):
    """No phone numbers or logins here: this list is for choosing people, not contacting them."""

    id: int
    name: str = Field(description="姓名")
    title: str = Field(description="职务")
    role: Person.Role = Field(description="角色")
    unit: UnitRef = Field(description="所属单位")


class MeOut(Schema):
    username: str
    person: Optional[PersonOut] = Field(description="角色与单位；没有角色的账号为空，看不到任何任务")
    oversees_all: bool = Field(description="可查看全部任务（督查室、主要领导）")
    is_office: bool = Field(description="督查室（可交办、修改、核销、督办）")


@router.get("/units", response=List[UnitOut], summary="单位列表")
def list_units(request, kind: Optional[Unit.Kind] = None):
    units = Unit.objects.all()
    return units.filter(kind=kind) if kind else units


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.auth
    return {"username": user.get_username(), "person": scope.person_of(user),
            "oversees_all": scope.sees_all(user), "is_office": scope.is_office(user)}


@router.get("/people", response=List[PersonOut], summary="人员（督查室看全部；其他人看县领导和本单位）")
def list_people(request, role: Optional[Person.Role] = None):
    people = Person.objects.select_related("unit")
    if not scope.is_office(request.auth):
        person = scope.person_of(request.auth)
        people = people.filter(Q(role=Person.Role.LEADER) | Q(unit=person.unit_id if person else None))
    return people.filter(role=role) if role else people
