"""Who may see and do what with requests, enterprises and officers. Pages, API, exports and Open311 call these.

- The office (and superusers) see every request and every requester's contact.
- County leaders see every request, contacts masked.
- Unit staff see the requests their unit handles (contacts in clear) and the requests of enterprises they serve
  as chief service officer (contacts masked unless their unit handles it).
- Everyone else sees nothing; a request outside one's scope is a 404, exactly like a missing one.
"""
from django.db.models import Q
from django.shortcuts import get_object_or_404

from luoshi.ledger.scope import is_office, person_of, require  # noqa: F401 (require is part of this module's API)

from .models import Enterprise, ServiceOfficer, ServiceRequest


def requests_for(user):
    if is_office(user):
        return ServiceRequest.objects.all()
    person = person_of(user)
    if person is None:
        return ServiceRequest.objects.none()
    if person.is_leader:
        return ServiceRequest.objects.all()
    return ServiceRequest.objects.filter(Q(unit=person.unit_id) | Q(enterprise__officer__person=person))


def request_for(user, pk):
    return get_object_or_404(requests_for(user), pk=pk)


def can_see_contact(user, service_request):
    """A requester's name and phone: the handling unit and the office only."""
    if is_office(user):
        return True
    person = person_of(user)
    return bool(person and service_request.unit_id and person.unit_id == service_request.unit_id)


def can_handle(user, service_request):
    """Sign, return, contact, reply, ask for more time: the staff of the handling unit (the office, when it
    holds an unowned request itself)."""
    person = person_of(user)
    return bool(person and service_request.unit_id and person.unit_id == service_request.unit_id
                and (person.is_unit_staff or person.is_office))


def can_conclude(user, service_request):
    return can_handle(user, service_request) or is_office(user)


def can_dispatch(user):
    """Dispatch, decide returns and extensions, merge duplicates, take phone calls: the office."""
    return is_office(user)


def officer_of(user):
    person = person_of(user)
    return ServiceOfficer.objects.filter(person=person).first() if person else None


def officers_for(user):
    if is_office(user):
        return ServiceOfficer.objects.all()
    person = person_of(user)
    if person is None:
        return ServiceOfficer.objects.none()
    if person.is_leader:
        return ServiceOfficer.objects.all()
    return ServiceOfficer.objects.filter(person=person)


def can_visit(user, officer):
    person = person_of(user)
    return is_office(user) or bool(person and officer.person_id == person.pk)


def enterprises_for(user):
    """Enterprise names and codes are public registry facts; any signed-in role may list them."""
    return Enterprise.objects.all() if person_of(user) or is_office(user) else Enterprise.objects.none()
