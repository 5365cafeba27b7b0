"""The evaluation pages in English; Chinese stays the default."""
from tests.evaluation.test_pages_api import june  # noqa: F401  (fixture)


def test_ranking_and_breakdown_in_english(client, county, june):  # noqa: F811
    client.force_login(county.clerk_a)
    ranking = f"/evaluation/runs/{june.pk}/"
    assert "计分方法" in client.get(ranking).content.decode()
    client.post("/i18n/setlang/", {"language": "en"})
    html = client.get(ranking).content.decode()
    assert "Scoring method" in html and "Data as of" in html and "计分方法" not in html
    html = client.get(f"/evaluation/runs/{june.pk}/units/{county.town_a.pk}/").content.decode()
    assert "Back to the ranking" in html and "Raw value" in html and "原始值" not in html
