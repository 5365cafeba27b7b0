"""Runs: frozen inputs, reproducibility, breakdowns that add up, publishing, entered values."""
import datetime as dt
import math

import pytest

from luoshi.evaluation import services
from luoshi.evaluation.models import SelfAssessment
from luoshi.ledger.services import LedgerError

ANSWERS = [("业务上还需加强学习", 15), ("攻坚没有停歇", 18), ("个别部署未落实到位", 14), ("群众冷暖放在心上", 17),
           ("作风扎实", 16)]


def run_june(county, **kw):
    return services.create_run(county.office, "township", "2021-06", as_of=dt.date(2021, 6, 30), **kw)


def test_computed_values_and_records(county, graded):
    run = run_june(county)
    values = {(v.unit_id, v.code): v for v in run.values.all()}
    a, b = county.town_a.pk, county.town_b.pk
    assert values[(a, "tasks")].raw == 100 and values[(b, "tasks")].raw == 0
    assert values[(b, "tasks")].detail["records"]["tasks"] == [[graded["late"].pk, f"{graded['late'].code} 西虢镇六月任务"]]
    assert values[(a, "notices")].raw == 0 and values[(b, "notices")].raw == 1
    assert values[(b, "notices")].detail["records"]["notices"][0][1] == graded["notice"].number
    assert values[(a, "rating")].raw == 90
    assert values[(a, "self")].raw is None  # no self-assessment: scored at the mean, shown as such
    scores = {s.unit_id: s for s in run.scores.all()}
    # tasks 40·1, notices 20·1, rating 20·1, self (both imputed → constant column) 20·1
    assert scores[a].score == pytest.approx(100) and scores[a].rank == 1
    assert scores[b].score == pytest.approx(20) and scores[b].rank == 2
    red = scores[b].facts["red_tasks"]
    assert red and red[0][0] == graded["late"].pk
    assert scores[b].facts["open_notices"][0][1] == graded["notice"].number


def test_breakdown_adds_up_to_the_score(county, graded, indicators):
    services.save_values(county.office, "2021-06", [(indicators["honours"], county.town_b, 2, "")])
    run = run_june(county)
    for unit in (county.town_a, county.town_b):
        score, lines = services.breakdown(run, unit.pk)
        assert sum(line.value.contribution for line in lines) == pytest.approx(score.score)
    score, lines = services.breakdown(run, county.town_b.pk)
    bonus = next(line for line in lines if line.item["code"] == "honours")
    assert bonus.value.contribution == 3  # 2 honours × 2 points, capped at 3
    late = next(line for line in lines if line.item["code"] == "tasks")
    assert late.links == [(f"{graded['late'].code} 西虢镇六月任务", f"/tasks/{graded['late'].pk}/")]


def test_topsis_breakdown_adds_up_to_the_distances(county, graded):
    run = run_june(county, method="topsis")
    for unit in (county.town_a, county.town_b):
        score, lines = services.breakdown(run, unit.pk)
        scored = [line for line in lines if line.item["role"] == "scored"]
        assert math.sqrt(sum(line.value.detail["square_best"] for line in scored)) == pytest.approx(score.distance_best)
        assert math.sqrt(sum(line.value.detail["square_worst"] for line in scored)) == pytest.approx(
            score.distance_worst)
        closeness = score.distance_worst / (score.distance_best + score.distance_worst)
        bonus = sum(line.value.contribution for line in lines if line.item["role"] != "scored")
        assert score.score == pytest.approx(100 * closeness + bonus)


def test_published_run_is_reproducible_and_never_changes(county, graded, make_task, indicators):
    run = run_june(county)
    services.publish_run(run, county.office)
    before = {s.unit_id: (s.score, s.rank) for s in run.scores.all()}
    # the data change afterwards: 西虢镇's task is done, its rating raised, a weight changed
    from luoshi.ledger.models import SupervisionNotice, Task
    Task.objects.filter(pk=graded["late"].pk).update(status="verified")
    SupervisionNotice.objects.all().update(status="replied")
    services.save_ratings(county.office, indicators["rating"], "2021-06", {county.town_b.pk: "100"})
    indicators["tasks"].weight = 5
    indicators["tasks"].save()
    run.refresh_from_db()
    assert {s.unit_id: (s.score, s.rank) for s in run.scores.all()} == before
    assert services.recompute(run) == pytest.approx({u: s for u, (s, _) in before.items()})
    for action in (lambda: services.refresh_run(run, county.office),
                   lambda: services.publish_run(run, county.office), lambda: services.delete_run(run, county.office)):
        with pytest.raises(LedgerError, match="已发布"):
            action()
    # a new run of the same period sees the new data and settings
    again = run_june(county)
    after = {s.unit_id: s.score for s in again.scores.all()}
    assert after != {u: s for u, (s, _) in before.items()}
    assert again.config["previous_run"] is None  # same period: not a previous one


def test_change_since_previous_published_run(county, graded):
    may = services.create_run(county.office, "township", "2021-05", as_of=dt.date(2021, 5, 31))
    services.publish_run(may, county.office)
    june = run_june(county)
    rows = {s.unit_id: s for s in june.scores.all()}
    assert june.config["previous_run"] == may.pk
    assert rows[county.town_a.pk].previous_rank == 1  # May: nothing measured, both tied first
    assert rows[county.town_b.pk].change == -1


def test_only_the_office_runs(county, indicators):
    from django.core.exceptions import PermissionDenied
    for user in (county.clerk_a, county.head, county.leader):
        with pytest.raises(PermissionDenied):
            services.create_run(user, "township", "2021-06")
    with pytest.raises(LedgerError, match="格式不对"):
        services.create_run(county.office, "township", "2021-13x")
    with pytest.raises(LedgerError, match="尚未开始"):
        services.create_run(county.office, "township", "2030", as_of=dt.date(2021, 6, 1))
    with pytest.raises(LedgerError, match="计分指标"):
        services.create_run(county.office, "department", "2021")


@pytest.mark.parametrize("period", ["0001", "0001Q1", "0001-01", "1999"])
def test_periods_outside_2000_2100_are_refused(county, indicators, period):
    """Year 1 was a 500: the metrics' day and time arithmetic went below the calendar."""
    with pytest.raises(LedgerError, match="2000–2100") as refused:
        services.create_run(county.office, "township", period)
    assert refused.value.field == "period"


@pytest.mark.parametrize("period", ["0001", "9999Q4", "1999-12", "2101"])
def test_entered_values_outside_2000_2100_are_refused(county, indicators, period):
    """Ratings, self-assessments and imports took year 1, which no run can ever score (check_run refuses it)."""
    for enter in (lambda: services.save_ratings(county.office, indicators["rating"], period, {county.town_a.pk: "90"}),
                  lambda: services.save_self_assessment(county.clerk_a, county.town_a, period, ANSWERS),
                  lambda: services.check_period(period)):
        with pytest.raises(LedgerError, match="考核期间应在 2000–2100 年之间") as refused:
            enter()
        assert refused.value.field == "period"


def test_self_assessment(county, indicators):
    row = services.save_self_assessment(county.clerk_a, county.town_a, "2021-06", ANSWERS)
    assert row.score == 80
    with pytest.raises(LedgerError, match="第2问"):
        services.save_self_assessment(county.clerk_a, county.town_a, "2021-06", [ANSWERS[0], ("", 3), *ANSWERS[2:]])
    with pytest.raises(LedgerError, match="0–20"):
        services.save_self_assessment(county.clerk_a, county.town_a, "2021-06", [("x", 21)] + ANSWERS[1:])
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.save_self_assessment(county.clerk_b, county.town_a, "2021-06", ANSWERS)
    assert SelfAssessment.objects.count() == 1
    run = run_june(county)
    assert run.values.get(unit=county.town_a, code="self").raw == 80
