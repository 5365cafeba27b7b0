"""Who may see and change what. The one place permissions live: pages, API and exports all call these."""
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Instruction, SupervisionNotice, Task


def person_of(user):
    """The user's Person, or None (anonymous users and users without a role see nothing)."""
    if not user or not user.is_authenticated:
        return None
    return getattr(user, "person", None)

def sees_all(user):
    person = person_of(user)
    return bool(user and user.is_authenticated and (user.is_superuser or (
        person and (person.is_office or (person.is_leader and person.oversees_all)))))

def is_office(user):
    person = person_of(user)
    return bool(user and user.is_authenticated and (user.is_superuser or (person and person.is_office)))

def tasks_for(user):
    """Tasks the user may see: office and principal leaders all; a leader those in charge; a unit its own."""
    if sees_all(user):
        return Task.objects.all()
    person = person_of(user)
    if person is None:
        return Task.objects.none()
    if person.is_leader:
        return Task.objects.filter(leader=person)
    # a subquery, not a join: no duplicates to remove, and the lead-unit index stays usable
    shared = Task.co_units.through.objects.filter(unit_id=person.unit_id).values("task_id")
    return Task.objects.filter(Q(lead_unit=person.unit_id) | Q(pk__in=shared))

def task_for(user, pk):
    """A task by id, or 404 when it does not exist or the user may not see it (never reveal which)."""
    return get_object_or_404(tasks_for(user), pk=pk)

def notices_for(user):
    if sees_all(user):
        return SupervisionNotice.objects.all()
    person = person_of(user)
    if person is None:
        return SupervisionNotice.objects.none()
    if person.is_leader:
        return SupervisionNotice.objects.filter(task__leader=person)
    return SupervisionNotice.objects.filter(unit=person.unit_id)

def instructions_for(user):
    if sees_all(user):
        return Instruction.objects.all()
    person = person_of(user)
    if person is None:
        return Instruction.objects.none()
    if person.is_leader:
        return Instruction.objects.filter(leader=person)
    return Instruction.objects.filter(unit=person.unit_id)

# --- what a user may do on a visible object -------------------------------------------

def can_report(user, task):
    """Lead and co-units report progress; the office may report on their behalf."""
    person = person_of(user)
    if is_office(user):
        return True
    return bool(person and person.is_unit_staff and (
        task.lead_unit_id == person.unit_id or task.co_units.filter(pk=person.unit_id).exists()))

def can_fill_targets(user, task):
    person = person_of(user)
    return is_office(user) or bool(person and person.is_unit_staff and task.lead_unit_id == person.unit_id)

def can_edit_task(user, task=None):
    return is_office(user)

def can_instruct(user, task=None):
    person = person_of(user)
    return bool(person and person.is_leader) and (task is None or tasks_for(user).filter(pk=task.pk).exists())

def can_reply_notice(user, notice):
    person = person_of(user)
    return bool(person and person.is_unit_staff and notice.unit_id == person.unit_id)

def can_reply_instruction(user, instruction):
    person = person_of(user)
    return bool(person and person.is_unit_staff and instruction.unit_id == person.unit_id)

def require(allowed):
    if not allowed:
        raise PermissionDenied("您没有此项操作的权限")
