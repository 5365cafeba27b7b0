"""Who may see and do what in the evaluation. Pages, API and downloads all call these.

- The office (and superusers) set indicators, import statistics, run, publish; principal leaders see everything.
- A published ranking table is visible to every signed-in user with a role.
- A unit sees only its own breakdown and review; another unit's breakdown is a 404, like a missing one.
- Drafts exist only for those who see everything.
"""
from django.http import Http404

from luoshi.ledger.scope import is_office, person_of, require, sees_all  # noqa: F401  (one place for roles)

from .models import Run


def can_manage(user):
    return is_office(user)


def may_sign_in(user):
    return bool(user and user.is_authenticated and (user.is_superuser or person_of(user) is not None))


def runs_for(user):
    if sees_all(user):
        return Run.objects.all()
    if may_sign_in(user):
        return Run.objects.filter(status=Run.Status.PUBLISHED)
    return Run.objects.none()


def run_for(user, pk):
    run = runs_for(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def own_unit(user):
    person = person_of(user)
    return person.unit_id if person and person.is_unit_staff else None


def may_see_unit(user, unit_id):
    """A unit's breakdown and review: everything for the office and principal leaders, else only one's own unit."""
    return sees_all(user) or (unit_id is not None and own_unit(user) == unit_id)


def require_unit(user, unit_id):
    if not may_see_unit(user, unit_id):
        raise Http404


def can_rate(user):
    """Leader ratings are entered by the office (collected from the leaders) or by a principal leader."""
    return sees_all(user)


def can_self_assess(user, unit_id=None):
    unit = own_unit(user)
    return unit is not None and (unit_id is None or unit == unit_id)
