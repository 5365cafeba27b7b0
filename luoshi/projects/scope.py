"""Who may see and change projects, problems and leads. Pages, API and exports all call these."""
from django.db.models import Q
from django.shortcuts import get_object_or_404

from luoshi.ledger.scope import is_office, person_of, require, sees_all  # noqa: F401  (one place for roles)

from .models import Lead, Problem, Project


def _team_q(person):
    """Projects the person works on: in charge, a team member, the chief service officer, or the lead unit's staff."""
    members = Project.members.through.objects.filter(person=person).values("project")
    q = Q(leader=person) | Q(pk__in=members) | Q(service_officer=person)
    if person.is_unit_staff:
        q |= Q(lead_unit=person.unit_id)
    return q


def projects_for(user):
    if sees_all(user):
        return Project.objects.all()
    person = person_of(user)
    if person is None:
        return Project.objects.none()
    return Project.objects.filter(_team_q(person))


def project_for(user, pk):
    """A project by id, or 404 when it does not exist or the user may not see it (never reveal which)."""
    return get_object_or_404(projects_for(user), pk=pk)


def problems_for(user):
    """Problems on visible projects, and those asked of the user's own unit (it must answer them)."""
    if sees_all(user):
        return Problem.objects.all()
    person = person_of(user)
    if person is None:
        return Problem.objects.none()
    q = Q(project__in=Project.objects.filter(_team_q(person)).values("pk"))
    if person.is_unit_staff:
        q |= Q(unit=person.unit_id)
    return Problem.objects.filter(q)


def leads_for(user):
    if sees_all(user):
        return Lead.objects.all()
    person = person_of(user)
    if person is None:
        return Lead.objects.none()
    if person.is_leader:
        return Lead.objects.filter(leader=person)
    return Lead.objects.filter(unit=person.unit_id)


# --- what a user may do on a visible object -------------------------------------------

def can_edit_project(user, project=None):
    return is_office(user)


def can_report(user, project):
    """The team files the 月调度, ticks the checklist and moves the stage; the office may act for it."""
    if is_office(user):
        return True
    person = person_of(user)
    return bool(person and (
        (person.is_unit_staff and project.lead_unit_id == person.unit_id)
        or project.members.filter(pk=person.pk).exists()))


def can_reply_problem(user, problem):
    person = person_of(user)
    return bool(person and person.is_unit_staff and problem.unit_id == person.unit_id)


def can_work_lead(user, lead=None):
    """The office, or the staff of the unit following the lead (for a new lead: any unit staff)."""
    if is_office(user):
        return True
    person = person_of(user)
    return bool(person and person.is_unit_staff and (lead is None or lead.unit_id == person.unit_id))
