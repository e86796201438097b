"""An index atkb cannot use is named in one line, by the CLI and by the app, never a traceback."""
import copy

from whoosh import index as whoosh_index

from kb import engine, settings
from search_app import create_app
from tests.conftest import ROOT, run_kb

SOURCE = ROOT / "corpus" / "documents" / "2022-10-18-joint-statement-ukraine.txt"


def index_of_an_older_version(home):
    """Write an empty index whose fields are those of an atkb without the `strength` field."""
    schema = copy.deepcopy(engine.SCHEMA)
    schema.remove("strength")
    folder = settings.index_dir(home)
    folder.mkdir(parents=True)
    whoosh_index.create_in(str(folder), schema).writer().commit()


def test_an_index_from_another_version_is_refused_by_the_cli_in_one_line(tmp_path):
    index_of_an_older_version(tmp_path)
    done = run_kb("search", "impunity", home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {settings.index_dir(tmp_path)}: this index was built by another version of atkb: "
        "delete the folder and run `kb ingest`"
    ]


def test_an_index_from_another_version_gets_a_message_from_the_app_not_a_server_error(tmp_path):
    index_of_an_older_version(tmp_path)
    client = create_app({"TESTING": True, "KB_HOME": str(tmp_path)}).test_client()
    page = client.get("/search?q=impunity")
    assert page.status_code == 503
    assert "another version of atkb" in page.get_data(as_text=True)
    answer = client.get("/api/search?q=impunity")
    assert answer.status_code == 503
    assert "another version of atkb" in answer.get_json()["error"]


def test_a_first_add_that_fails_names_its_file_and_search_says_there_is_no_index(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a PDF")
    home = tmp_path / "home"
    added = run_kb("add", str(broken), "--title", "T", "--issuer", "I", "--doc-type", "report", home=home)
    assert added.returncode == 1
    assert f"error: {broken}: " in added.stderr
    assert "Traceback" not in added.stderr
    searched = run_kb("search", "impunity", home=home)
    assert searched.returncode == 1
    assert "run `kb ingest`" in searched.stderr and "Traceback" not in searched.stderr
    # A good document added afterwards is found.
    run_kb("add", str(SOURCE), "--title", "T", "--issuer", "I", "--doc-type", "declaration", home=home)
    assert "Ukraine" in run_kb("search", "Ukraine", home=home).stdout


def test_the_app_never_builds_a_missing_drafting_store_it_says_how_to_build_it(home_copy):
    store = home_copy / "drafting.sqlite"
    store.unlink()
    client = create_app({"TESTING": True, "KB_HOME": str(home_copy)}).test_client()
    answer = client.post("/api/precedents", json={"text": "formal compensation mechanisms for victims"})
    assert answer.status_code == 503
    assert "drafting store has not been built" in answer.get_json()["error"]
    assert "run `kb ingest`" in client.get("/precedents?text=formal+compensation+mechanisms+for+victims").get_data(as_text=True)
    assert client.get("/api/search?q=compensation").status_code == 200  # search does not need it
    assert not store.exists()
    # The command line builds it again on its next read.
    assert run_kb("precedents", "formal compensation mechanisms for victims", home=home_copy).returncode == 0
    assert store.exists()
