def test_a_missing_page_shows_the_govuk_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_missing_page_for_a_signed_in_user_keeps_the_navigation(client, owner):
    client.force_login(owner)
    response = client.get("/kpis/export.pdf", follow=True)
    assert response.status_code == 404
    assert "KPI register" in response.content.decode()


def test_a_refused_page_says_so_in_words(client, owner):
    client.force_login(owner)
    response = client.get("/kpis/new/")
    assert response.status_code == 403
    assert "You do not have permission to view this page" in response.content.decode()


def test_the_health_check_answers(client, db):
    assert client.get("/healthz/").json() == {"status": "ok"}


def test_a_server_error_page_needs_no_database(rf, settings):
    from pmf.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert settings.COUNCIL_NAME in body
