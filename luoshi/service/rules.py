"""The rules the office edits (categories, routing rules, place keywords, deadline rules, the policy, and the
units they name), cached per process so an intake does not read them from the database each time; with them,
the Open311 API keys found valid (a key or its user changed or deleted drops them like a rule edit).

Invalidation: every save or delete of those models replaces RuleVersion's random stamp in the same transaction
(signals, connected in apps.py) and drops this process's copy at once. Other processes compare the stamp with
their copy's at most every CHECK_SECONDS outside a transaction (so an edit reaches every gunicorn worker within
a second; rules change a few times a month), and on every use inside one (a transaction may hold its own
uncommitted edit). The stamp is read before the rules, so a copy is never newer-stamped than its contents.
Bulk writes (queryset.update, bulk_create) send no signals: call `changed()` after them.
"""
import random
import threading
import time
from dataclasses import dataclass, field

import ahocorasick
from django.contrib.auth import get_user_model
from django.db import connection

from luoshi.org.models import ApiToken, Unit

from .models import DeadlineRule, PlaceKeyword, RequestPolicy, RoutingRule, RuleVersion, ServiceCategory

CHECK_SECONDS = 1.0
WATCHED = (ServiceCategory, RoutingRule, PlaceKeyword, DeadlineRule, RequestPolicy, Unit, ApiToken)


def specificity(rule):
    """Category and keyword, then keyword, then category; then priority; then the longer keyword."""
    return (bool(rule.category_id and rule.keyword), bool(rule.keyword), rule.priority, len(rule.keyword))


@dataclass
class Rules:
    stamp: int
    categories: list  # active ones, in their order
    routing: list  # active rules, most specific first (ties: priority, then id, as the table orders them)
    places: object  # Aho-Corasick automaton: keyword → (keyword, township); None when there are none
    deadlines: dict  # (category id or None, urgency or "") → DeadlineRule
    policy: RequestPolicy
    office: Unit
    by_code: dict = field(default_factory=dict)
    by_pk: dict = field(default_factory=dict)
    api_users: dict = field(default_factory=dict)  # API key → user id, filled as valid keys are seen

    def __post_init__(self):
        self.by_code = {c.service_code: c for c in self.categories}
        self.by_pk = {c.pk: c for c in self.categories}

    def township_of(self, address, description=""):
        """(township, keyword) from the longest place keyword in the address, else in the description."""
        if self.places is None:
            return None, ""
        for text in (address or "", description or ""):
            found = [value for _, value in self.places.iter(text)]
            if found:
                keyword, township = min(found, key=lambda v: (-len(v[0]), v[0]))
                return township, keyword
        return None, ""


_lock = threading.Lock()  # gthread workers: one load at a time, and a consistent (rules, checked) pair
_rules = None
NEVER = float("-inf")  # not 0.0: time.monotonic() can be below CHECK_SECONDS soon after boot
_checked = NEVER


def _stamp():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {RuleVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def _load(stamp):
    places = list(PlaceKeyword.objects.select_related("township"))
    automaton = None
    if places:
        automaton = ahocorasick.Automaton()
        for place in places:
            automaton.add_word(place.keyword, (place.keyword, place.township))
        automaton.make_automaton()
    routing = sorted(RoutingRule.objects.filter(active=True).select_related("unit", "category"),
                     key=specificity, reverse=True)
    return Rules(
        stamp=stamp, categories=list(ServiceCategory.objects.filter(active=True)), routing=routing,
        places=automaton, deadlines={(r.category_id, r.urgency): r for r in DeadlineRule.objects.all()},
        policy=RequestPolicy.current(),
        office=Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "pk").first())


def current():
    """The rules in force, as this process last loaded them if they are still current."""
    global _rules, _checked
    with _lock:
        in_transaction = connection.in_atomic_block
        if _rules is not None and not in_transaction and time.monotonic() - _checked < CHECK_SECONDS:
            return _rules
        stamp = _stamp()
        if _rules is None or _rules.stamp != stamp:
            _rules = _load(stamp)
            if in_transaction:
                _checked = NEVER  # it may hold this transaction's uncommitted edit: check again outside
        if not in_transaction:
            _checked = time.monotonic()
        return _rules


def api_user_id(key):
    """The id of the active user an API key belongs to, else None. Valid keys are remembered (until the next
    stamp change: a key deleted, a user saved or deleted); unknown ones are looked up each time."""
    rules = current()
    user_id = rules.api_users.get(key)
    if user_id is None and key:
        user_id = ApiToken.objects.filter(key=key[:40], user__is_active=True).values_list("user_id", flat=True).first()
        if user_id is not None and not connection.in_atomic_block:  # nothing uncommitted in the shared copy
            rules.api_users[key] = user_id
    return user_id


def _user_changed(update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every login saves the user: not a change to whether its keys work
    changed(**kwargs)


def forget():
    """Drop this process's copy (tests: a flushed database sends no signals)."""
    global _rules, _checked
    with _lock:
        _rules, _checked = None, NEVER


def changed(**kwargs):
    """A rule changed: a new stamp for every process (in the caller's transaction), and drop ours now."""
    global _rules
    with _lock:
        _rules = None
    value = random.getrandbits(62)
    updated = RuleVersion.objects.filter(pk=1).update(value=value)
    if not updated:
        RuleVersion.objects.update_or_create(pk=1, defaults={"value": value})


def connect():
    from django.db.models.signals import post_delete, post_save
    for model in WATCHED:
        post_save.connect(changed, sender=model, dispatch_uid=f"service-rules-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"service-rules-delete-{model.__name__}")
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="service-rules-save-user")
    post_delete.connect(changed, sender=user, dispatch_uid="service-rules-delete-user")
