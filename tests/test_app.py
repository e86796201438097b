"""The Flask application: factory, search page, escaping, bad queries."""
from search_app import create_app


def test_home_page_shows_an_empty_search_box(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b'name="q"' in page.data and b'value=""' in page.data


def test_search_page_lists_passages_with_highlights(client):
    page = client.get("/search", query_string={"q": "compensation"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "3 passages" in html
    assert "<mark>compensation</mark>" in html
    assert "Brdo pri Kranju" not in html or "2018-03-16" in html


def test_query_text_is_escaped(client):
    page = client.get("/search", query_string={"q": '<script>alert(1)</script>'})
    html = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_bad_query_shows_its_error_not_a_500(client):
    page = client.get("/search", query_string={"q": '"unclosed'})
    assert page.status_code == 400
    assert "a quotation mark is not closed" in page.get_data(as_text=True)


def test_without_an_index_the_page_says_how_to_build_one(tmp_path):
    client = create_app({"TESTING": True, "KB_HOME": str(tmp_path)}).test_client()
    page = client.get("/search", query_string={"q": "impunity"})
    assert page.status_code == 503
    assert "run `kb ingest` to build it" in page.get_data(as_text=True)
