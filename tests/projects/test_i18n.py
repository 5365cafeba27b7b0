"""The key projects pages in English; Chinese stays the default."""


def test_project_pages_in_english(client, county, project):
    client.force_login(county.office)
    assert "项目名称" in client.get("/projects/").content.decode()
    client.post("/i18n/setlang/", {"language": "en"})
    html = client.get("/projects/").content.decode()
    assert "Project name" in html and "New project" in html and "总投资（万元）" not in html
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Project details" in html and "Project progress" in html and "项目信息" not in html
