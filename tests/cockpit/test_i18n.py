"""The cockpit in English: its labels follow the chosen language, Chinese stays the default."""
from django.urls import reverse

from tests.cockpit.test_cockpit import ledger_county  # noqa: F401  (fixture)


def test_cockpit_in_english(client, ledger_county):  # noqa: F811
    client.force_login(ledger_county.head)
    assert "领导驾驶舱" in client.get(reverse("cockpit")).content.decode()
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get(reverse("cockpit")).content.decode()
    assert "Leaders&#x27; cockpit" in page or "Leaders' cockpit" in page
    assert "By key area" in page and "Red-light tasks" in page
    assert "领导驾驶舱" not in page and "按重点领域" not in page
    units = client.get(reverse("cockpit-units")).content.decode()
    assert "Status lights by unit" in units and "各单位红黄绿灯" not in units
