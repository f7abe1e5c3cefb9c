"""The server's defences over real HTTP: uvicorn on a loopback port, as `python app.py` runs it
(`server_config`), on the session's index of the real corpus. Closed upload routes, security headers,
host names and proxies believed, origins as written by an operator, client errors that are not crashes,
methods, and start-up with a bad setting."""

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.assistant import Assistant
from assistant.server import AnnouncingServer, create_app, server_config
from assistant.settings import Settings, normal_host
from assistant.wording import message
from tests.helpers import free_port, serving

PROJECT = Path(__file__).resolve().parents[2]
ALLOWED = "http://allowed.example"
PROXY = "127.0.0.2"  # a second loopback address: the reverse proxy the server is told to believe
PUBLIC = "assistant.example.fr"



@pytest.fixture(scope="module")
def server(indexed, tmp_path_factory):
    port = free_port()
    settings = Settings(
        corpus_dir=indexed.corpus_dir, index_dir=indexed.index_dir, data_dir=tmp_path_factory.mktemp("security-data"),
        port=port,
        allowed_origins=["HTTP://Allowed.Example:80/"],  # as an operator may write it: capitals, port, slash
        trusted_hosts=["127.0.0.1", "localhost", PUBLIC],
        trusted_proxies=[PROXY],
        rate_limit_per_minute=10_000,
    )
    # log_config=None: uvicorn's records reach the root logger, where caplog reads them.
    with serving(server_config(create_app(settings, Assistant(settings)), settings, log_config=None)):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


@pytest.fixture
def proxy(server):
    """A client connecting from the proxy's address."""
    with httpx.Client(base_url=server, timeout=60, transport=httpx.HTTPTransport(local_address=PROXY)) as client:
        yield client


# Upload routes (the chat has no file input)

@pytest.mark.parametrize("method, path", [
    ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/upload_progress?upload_id=1"),
    ("GET", "/gradio_api/file=/etc/hostname"), ("GET", "/gradio_api/file/etc/hostname"),
    ("GET", "/gradio_api/proxy=http://127.0.0.1:9/"),
])
def test_the_upload_and_file_routes_are_closed(http, method, path):
    files = {"files": ("dossier.txt", b"x" * 60_000)} if method == "POST" else None
    response = http.request(method, path, files=files)
    assert response.status_code == 404
    assert response.json() == {"detail": message("fr", "status_404")}


# Security headers

def test_the_chat_page_has_a_csp_forbids_framing_and_sniffing_and_is_not_cached(http):
    response = http.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert "img-src 'self' data: blob:" in policy  # no image from elsewhere: a document cannot plant a beacon
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers


def test_an_answer_is_not_cached_and_nothing_carries_a_server_banner(http):
    answer = http.post("/api/ask", json={"question": "Qu'est-ce que READYNOV ?"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    refused = http.post("/api/ask", json={"question": ""})
    widget = http.get("/widget.js")
    assert widget.headers["cache-control"] == "public, max-age=300"  # the same for everyone: cached
    for response in (answer, refused, widget, http.get("/api/health"), http.get("/docs")):
        assert "server" not in response.headers and response.headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_get_the_policy_swagger_ui_needs(http):
    assert "https://cdn.jsdelivr.net" in http.get("/docs").headers["content-security-policy"]


# Host names and proxies

@pytest.mark.parametrize("path", ["/", "/config", "/gradio_api/info"])
def test_a_host_name_the_server_does_not_serve_is_refused(http, path):
    response = http.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.json() == {"detail": message("fr", "host_refused", host="evil.example")}


def test_a_dns_rebinding_request_with_host_and_origin_both_foreign_is_refused(http, server):
    port = server.rsplit(":", 1)[1]
    response = http.post("/api/ask", json={"question": "Qu'est-ce que READYNOV ?"},
                         headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Origine non autorisée")


def test_a_host_with_userinfo_before_a_foreign_name_is_refused(http, server):
    port = server.rsplit(":", 1)[1]
    tricky = f"127.0.0.1:{port}@evil.example"  # a URL parser reads evil.example as the host
    page = http.get("/config", headers={"Host": tricky})
    assert page.status_code == 400 and page.json()["detail"].startswith("Nom d'hôte non servi")
    ask = http.post("/api/ask", json={"question": "Qu'est-ce que READYNOV ?"},
                    headers={"Host": tricky, "Origin": f"http://{tricky}"})
    assert ask.status_code == 403 and ask.json()["detail"].startswith("Origine non autorisée")
    for value in (f"127.0.0.1:{port}@evil.example", "localhost/evil", "local host", "127.0.0.1:80#x"):
        assert normal_host(value) == "", value
    assert normal_host("Example.FR:8443") == "example.fr" and normal_host("[::1]:80") == "::1"


def test_forwarded_headers_from_a_client_that_is_not_a_proxy_are_ignored(http, server):
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    config = http.get("/config", headers=headers)
    assert config.status_code == 200 and config.json()["root"] == server
    assert "evil.example" not in http.get("/", headers=headers).text


def test_the_configured_proxy_is_believed_for_the_host_names_the_server_serves(proxy):
    config = proxy.get("/config", headers={"X-Forwarded-Host": PUBLIC, "X-Forwarded-Proto": "https"})
    assert config.status_code == 200 and config.json()["root"] == f"https://{PUBLIC}"
    foreign = proxy.get("/config", headers={"X-Forwarded-Host": "evil.example"})
    assert foreign.status_code == 400


def test_by_default_the_server_answers_to_its_bound_host_and_localhost():
    assert set(Settings(host="10.1.2.3").served_hosts()) == {"10.1.2.3", "localhost", "127.0.0.1", "::1"}
    assert Settings(host="0.0.0.0").served_hosts() == ["localhost", "127.0.0.1", "::1"]
    assert Settings(trusted_hosts=f"{PUBLIC.upper()}:443, localhost").served_hosts() == [PUBLIC, "localhost"]


# Origins as an operator writes them

def test_an_origin_written_with_capitals_its_default_port_and_a_slash_gets_its_cors_headers(http):
    preflight = http.options("/api/ask", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == ALLOWED
    answer = http.post("/api/ask", json={"question": "Qu'est-ce que READYNOV ?"}, headers={"Origin": ALLOWED})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == ALLOWED


@pytest.mark.parametrize("request_headers", [{"Access-Control-Request-Method": "PUT"},
                                             {"Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "x-secret"}])
def test_a_preflight_for_what_the_api_does_not_take_is_refused_in_french(http, request_headers):
    response = http.options("/api/ask", headers={"Origin": ALLOWED, **request_headers})
    assert response.status_code == 400
    assert response.json() == {"detail": message("fr", "preflight_refused")}


@pytest.mark.parametrize("value, expected", [
    ("https://www.example.fr", ["https://www.example.fr"]),
    ("https://www.example.fr/, HTTP://Partner.Example:8080", ["https://www.example.fr", "http://partner.example:8080"]),
    ('["https://www.example.fr:443"]', ["https://www.example.fr"]),
    ("", []),
])
def test_allowed_origins_are_read_as_one_origin_a_comma_list_or_json(monkeypatch, value, expected):
    monkeypatch.setenv("ASSISTANT_ALLOWED_ORIGINS", value)
    assert Settings().allowed_origins == expected


@pytest.mark.parametrize("variable, value, expected", [
    ("ASSISTANT_ALLOWED_ORIGINS", "*", "'*' would let every site use the API"),
    ("ASSISTANT_ALLOWED_ORIGINS", "www.example.fr", "one origin such as https://www.example.fr"),
    ("ASSISTANT_TRUSTED_PROXIES", "nginx", "not an IP address or network"),
    ("ASSISTANT_PORT", "septante", "valid integer"),
])
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(variable, value, expected):
    env = {**os.environ, variable: value, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "app.py"], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Invalid setting: {variable}: ") and expected in lines[0]


# Client errors and methods

def test_an_unknown_chat_session_is_a_client_error_not_a_crash_in_the_log(http, caplog):
    server_log = logging.getLogger("uvicorn.error")  # also when uvicorn stops it propagating (another server)
    server_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO):
            response = http.get("/gradio_api/queue/data", params={"session_hash": "nobody"})
            time.sleep(0.3)
    finally:
        server_log.removeHandler(caplog.handler)
    assert response.status_code == 200 and '"session_not_found":true' in response.text  # Gradio's own answer
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text
    assert "Traceback" not in caplog.text and len(caplog.text) < 1000


@pytest.mark.parametrize("method, path, allow", [
    ("PUT", "/api/ask", "POST"), ("DELETE", "/api/ask", "POST"), ("GET", "/api/ask", "POST"),
    ("PATCH", "/api/feedback", "POST"), ("POST", "/api/health", "GET"), ("DELETE", "/api/ask/stream", "POST"),
])
def test_a_wrong_method_on_an_api_path_is_a_french_405(http, method, path, allow):
    response = http.request(method, path)
    assert response.status_code == 405
    assert response.json() == {"detail": message("fr", "status_405")}
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_unknown_api_path_is_a_french_404_whatever_the_method(http, method):
    response = http.request(method, "/api/nothing-here")
    assert response.status_code == 404 and response.json() == {"detail": message("fr", "status_404")}


# HEAD and start-up

@pytest.mark.parametrize("path", ["/widget.js", "/", "/docs", "/api/health"])
def test_head_is_served_wherever_get_is_with_the_same_headers_and_no_body(http, path):
    get, head = http.get(path), http.head(path)
    assert get.status_code == 200, path
    assert head.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if path == "/widget.js":
        assert int(head.headers["content-length"]) == (PROJECT / "assistant/static/widget.js").stat().st_size


def test_the_addresses_are_logged_once_the_server_listens_after_the_index_is_ready(indexed, tmp_path, caplog):
    port = free_port()
    settings = Settings(corpus_dir=indexed.corpus_dir, index_dir=indexed.index_dir, data_dir=tmp_path, port=port,
                        admin_token="a-token-of-sixteen-chars")
    config = server_config(create_app(settings, Assistant(settings)), settings, log_config=None)
    with caplog.at_level(logging.INFO):
        with serving(config, server=AnnouncingServer(config, settings)):
            lines = [record.getMessage() for record in caplog.records]
            base = f"http://127.0.0.1:{port}"
            assert [line for line in lines if base in line and not line.startswith("Uvicorn")] == [
                f"Chat: {base}/", f"Console: {base}/admin", f"Widget: {base}/widget.js", f"API docs: {base}/docs"]
            ready = next(i for i, line in enumerate(lines) if line.startswith("Index ready"))
            assert ready < lines.index(f"Chat: {base}/")
            assert httpx.get(f"{base}/widget.js").status_code == 200
