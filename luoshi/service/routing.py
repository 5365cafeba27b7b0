"""Which unit should handle a request: the office's rules as data, and the reason in words.

Order of preference: a rule with both category and keyword, then a keyword rule, then a category rule
(the same kind: higher priority, then longer keyword). A rule without a unit means 属地: the township whose
place keyword appears in the address (or the description). Nothing matches → the office (unowned requests
are the office's to place).
"""
from dataclasses import dataclass

from luoshi.org.models import Unit

from .models import PlaceKeyword, RoutingRule


@dataclass
class Suggestion:
    unit: Unit
    reason: str


def office_unit():
    return Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "pk").first()


def township_of(address, description=""):
    """(township, keyword) from the longest place keyword in the address, else in the description."""
    places = list(PlaceKeyword.objects.select_related("township"))
    for text in (address or "", description or ""):
        found = [p for p in places if p.keyword in text]
        if found:
            best = max(found, key=lambda p: len(p.keyword))
            return best.township, best.keyword
    return None, ""


def _specificity(rule):
    return (bool(rule.category_id and rule.keyword), bool(rule.keyword), rule.priority, len(rule.keyword))


def suggest(category, description, address=""):
    """The suggested handling unit for a request, with the reason."""
    text = f"{description or ''} {address or ''}"
    rules = [r for r in RoutingRule.objects.filter(active=True).select_related("unit", "category")
             if (r.category_id is None or r.category_id == category.pk) and (not r.keyword or r.keyword in text)]
    rules.sort(key=_specificity, reverse=True)
    for rule in rules:
        why = "、".join(x for x in [f"类别“{rule.category.name}”" if rule.category_id else "",
                                     f"关键词“{rule.keyword}”" if rule.keyword else ""] if x)
        if rule.unit is not None:
            return Suggestion(rule.unit, f"{why} → {rule.unit.name}")
        township, place = township_of(address, description)
        if township is not None:
            return Suggestion(township, f"{why} → 属地：地址含“{place}” → {township.name}")
    township, place = township_of(address, description)
    if township is not None:
        return Suggestion(township, f"属地：地址含“{place}” → {township.name}")
    office = office_unit()
    return Suggestion(office, "无匹配规则，由督查室（首接）负责分办")
