"""Which unit should handle a request: the office's rules as data, and the reason in words.

Order of preference: a rule with both category and keyword, then a keyword rule, then a category rule
(the same kind: higher priority, then longer keyword). A rule without a unit means 属地: the township whose
place keyword appears in the address (or the description). Nothing matches → the office (unowned requests
are the office's to place).
"""
from dataclasses import dataclass

from luoshi.org.models import Unit

from . import rules as rule_cache


@dataclass
class Suggestion:
    unit: Unit
    reason: str


def office_unit():
    return rule_cache.current().office


def township_of(address, description=""):
    """(township, keyword) from the longest place keyword in the address, else in the description."""
    return rule_cache.current().township_of(address, description)


def suggest(category, description, address=""):
    """The suggested handling unit for a request, with the reason."""
    rules = rule_cache.current()
    text = f"{description or ''} {address or ''}"
    for rule in rules.routing:  # most specific first
        if (rule.category_id is not None and rule.category_id != category.pk) or (rule.keyword and
                                                                                  rule.keyword not in text):
            continue
        why = "、".join(x for x in [f"类别“{rule.category.name}”" if rule.category_id else "",
                                     f"关键词“{rule.keyword}”" if rule.keyword else ""] if x)
        if rule.unit is not None:
            return Suggestion(rule.unit, f"{why} → {rule.unit.name}")
        township, place = rules.township_of(address, description)
        if township is not None:
            return Suggestion(township, f"{why} → 属地：地址含“{place}” → {township.name}")
    township, place = rules.township_of(address, description)
    if township is not None:
        return Suggestion(township, f"属地：地址含“{place}” → {township.name}")
    return Suggestion(rules.office, "无匹配规则，由督查室（首接）负责分办")
