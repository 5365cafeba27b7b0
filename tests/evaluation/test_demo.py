"""The demo county's evaluation loads on top of the other demos: published May and June runs, a draft 2021 run."""
import pytest

from luoshi.evaluation import documents
from luoshi.evaluation.models import Run


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from luoshi.evaluation import demo as evaluation_demo
    from luoshi.org import demo as org_demo
    from luoshi.projects import demo as projects_demo
    from luoshi.service import demo as service_demo
    with django_db_blocker.unblock():
        from django.db import transaction
        with transaction.atomic():
            org_demo.load()
            projects_demo.load()
            service_demo.load()
            summary = evaluation_demo.load()
            yield summary
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_runs_and_review(demo):
    assert demo == {"indicators": 22, "runs": 6}
    june = Run.objects.get(group="township", period="2021-06")
    assert june.is_published and june.scores.count() == 11
    assert june.scores.exclude(previous_rank=None).count() == 11  # change since May shows
    annual = Run.objects.get(group="department", period="2021")
    assert annual.status == "draft" and str(annual.as_of) == "2021-07-15"
    md = documents.review_markdown(annual)
    for part in ("有亮点", "有变化", "有后劲", "有差距"):
        assert f"、{part}" in md
    assert "与2021年6月县直部门考核相比" in md and "期内签约招商项目" in md
