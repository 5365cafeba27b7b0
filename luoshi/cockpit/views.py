"""领导驾驶舱: one screen of figures for county leaders and the office; every number links to its records."""
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext

from luoshi.ledger import scope

from . import services

UNITS_ON_COCKPIT = 15


def _chart(rows):
    """Lights rows as chart data: labels, one series per light, and the link behind every bar."""
    return {"labels": [r.label for r in rows],
            "series": {light: [getattr(r, light) for r in rows] for light in services.LIGHTS},
            "links": {light: [r.links.get(light) for r in rows] for light in services.LIGHTS}}


@login_required
def cockpit(request):
    user = request.user
    scope.require(services.may_view(user))
    areas = services.lights_by_area(user)
    units, unit_count = services.lights_by_unit(user, limit=UNITS_ON_COCKPIT)
    totals = services.Lights("all", gettext("全部任务"), **{light: sum(getattr(r, light) for r in areas)
                                                 for light in services.LIGHTS})
    services.with_links(totals)
    context = {
        "totals": totals, "areas": areas, "units": units, "unit_count": unit_count,
        "reddest": services.reddest(user), "follow_ups": services.follow_ups(user),
        "area_chart": _chart([r for r in areas if r.key]),
        "today": services.today(),
    }
    # the projects and requests sections appear with their modules
    if apps.is_installed("luoshi.projects"):
        context["projects"] = services.projects(user)
    if apps.is_installed("luoshi.service"):
        context["requests"] = services.requests(user)
    return render(request, "cockpit/cockpit.html", context)


@login_required
def units(request):
    """Every unit's lights (the cockpit shows the reddest few)."""
    scope.require(services.may_view(request.user))
    rows, count = services.lights_by_unit(request.user)
    return render(request, "cockpit/units.html", {"units": rows, "unit_count": count})


@login_required
def records(request, kind):
    """The rows behind a follow-up count on the cockpit."""
    scope.require(services.may_view(request.user))
    if kind not in services.RECORDS:
        raise Http404
    title, rows = services.records(request.user, kind, request.GET)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cockpit/records.html", {
        "kind": kind, "title": title, "page": page, "query": query.urlencode(), "today": services.today(),
    })
