"""The service client against the local fake service: tokens, headers, every error code, retries."""

from __future__ import annotations

import os
import stat

import pytest

from lipgate.submit import errors
from lipgate.submit.client import Attribution, ServiceClient
from lipgate.submit.token import Token, TokenCache
from tests.submit.fake_service import FakeService, closed_port_url


def bearer(request) -> str:
    return request.headers["authorization"].removeprefix("Bearer ")


# -- token --------------------------------------------------------------------------------------

def test_anonymous_token_is_fetched_once_cached_0600_and_reused(service, make_client, tmp_path):
    first = make_client()
    assert first.credits() == {"available": 100, "frozen": 5, "total": 105}
    second = make_client()
    second.credits()
    (token_call,) = service.calls("token")
    assert token_call.headers["x-client-id"]
    cache_file = TokenCache(service.base_url, tmp_path / "cache" / "lipgate").path
    assert stat.S_IMODE(os.stat(cache_file).st_mode) == 0o600
    used = {bearer(call) for call in service.calls("credits")}
    assert len(used) == 1 and used <= service.tokens


def test_cache_defaults_to_xdg_cache_home(service, tmp_path):
    with ServiceClient(service.base_url) as client:
        client.credits()
    assert list((tmp_path / "cache" / "lipgate").glob("token-*.json"))


def test_expired_cached_token_is_replaced(service, make_client, tmp_path):
    cache = TokenCache(service.base_url, tmp_path / "cache" / "lipgate")
    cache.save(Token(service.issue_token(), client_id="old", expires_at=1.0))
    make_client().credits()
    assert len(service.calls("token")) == 1


def test_registered_token_is_used_without_anonymous_call(service, make_client):
    token = service.issue_token()
    make_client(token=token).credits()
    assert service.calls("token") == []
    assert bearer(service.calls("credits")[0]) == token


def test_attribution_headers_default_and_from_env(service, make_client):
    make_client().credits()
    env = {"LIPGATE_SKILL_SOURCE": "studio", "LIPGATE_SKILL_VERSION": "9",
           "LIPGATE_SKILL_PLATFORM": "ci"}
    make_client(attribution=Attribution.from_env(env)).credits()
    first, second = service.calls("credits")
    assert (first.headers["x-skill-source"], first.headers["x-skill-version"],
            first.headers["x-skill-platform"]) == ("lipgate", "0.1.0", "cli")
    assert (second.headers["x-skill-source"], second.headers["x-skill-version"],
            second.headers["x-skill-platform"]) == ("studio", "9", "ci")


# -- error codes --------------------------------------------------------------------------------

def test_1001_gets_a_new_anonymous_token_and_retries(service, make_client):
    client = make_client()
    client.credits()
    service.fault("credits", code=1001)
    assert client.credits()["available"] == 100
    token_calls = service.calls("token")
    assert len(token_calls) == 2
    assert token_calls[0].headers["x-client-id"] != token_calls[1].headers["x-client-id"]
    credits_calls = service.calls("credits")
    assert len(credits_calls) == 3
    assert bearer(credits_calls[1]) != bearer(credits_calls[2])


def test_1001_on_upload_resends_the_whole_files(service, make_client, sources):
    client = make_client()
    session = client.create_session("fr")
    service.fault("upload", code=1001)
    client.upload(session.session_id, list(sources))
    first, second = service.calls("upload")
    assert second.file_names == ["talk.mp4", "talk-fr.wav"]
    assert len(second.body) == len(first.body) > sum(path.stat().st_size for path in sources)


def test_1001_as_http_401_with_code_under_data(service, make_client):
    client = make_client()
    service.fault("credits", status=401, body={"data": {"code": 1001}})
    client.credits()
    assert len(service.calls("token")) == 2


def test_1001_with_a_registered_token_stops_without_leaking_it(service, make_client):
    token = "registered-" + "s3cret" * 4
    with pytest.raises(errors.AuthError) as caught:
        make_client(token=token).credits()
    assert "NEMO_TOKEN" in str(caught.value)
    assert token not in str(caught.value) and token not in repr(caught.value)
    assert service.calls("token") == []


def test_2001_anonymous_gets_registration_link_with_client_id(service, make_client):
    client = make_client()
    service.fault("credits", code=2001)
    with pytest.raises(errors.NoCredits) as caught:
        client.credits()
    client_id = service.calls("token")[0].headers["x-client-id"]
    assert f"?bind={client_id}" in str(caught.value)


def test_2001_registered_user_is_told_to_top_up(service, make_client):
    service.fault("credits", body={"data": {"code": 2001}})
    with pytest.raises(errors.NoCredits, match="top up") as caught:
        make_client(token=service.issue_token()).credits()
    assert "bind=" not in str(caught.value)


def test_2001_uses_the_services_own_registration_url(service, make_client):
    service.fault("credits", body={"code": 2001, "register_url": "https://example.org/join?x=1"})
    client = make_client()
    with pytest.raises(errors.NoCredits) as caught:
        client.credits()
    assert f"https://example.org/join?x=1&bind={client.anonymous_client_id}" in str(caught.value)


@pytest.mark.parametrize("code, kind, advice", [
    (4001, errors.UnsupportedFile, "supported formats: mp4, mov, avi, webm, mkv, jpg, png"),
    (4002, errors.FileTooLarge, "compress it"),
])
def test_4001_4002_on_upload_name_the_files_and_advise(service, make_client, sources, code, kind,
                                                       advice):
    client = make_client()
    session = client.create_session("fr")
    service.fault("upload", code=code)
    with pytest.raises(kind, match=advice) as caught:
        client.upload(session.session_id, list(sources))
    assert "talk.mp4, talk-fr.wav" in str(caught.value)
    assert service.calls("upload")[0].file_names == ["talk.mp4", "talk-fr.wav"]
    assert len(service.calls("upload")) == 1


def test_1002_is_raised_as_session_not_found(service, make_client):
    with pytest.raises(errors.SessionNotFound):
        make_client().session_state("no-such-session")


def test_http_400_on_token_call_retries_with_a_new_client_id(service, make_client):
    service.fault("token", status=400, body={"message": "missing X-Client-Id"})
    make_client().credits()
    first, second = service.calls("token")
    assert first.headers["x-client-id"] != second.headers["x-client-id"]
    assert len(service.calls("credits")) == 1


def test_http_400_twice_on_token_call_is_an_error(service, make_client):
    service.fault("token", times=2, status=400, body={})
    with pytest.raises(errors.MissingClientId):
        make_client().credits()


def test_http_402_on_export_gives_the_plan_message(service, make_client):
    client = make_client()
    session = client.create_session("en")
    service.fault("export", status=402, body={"message": "free plan"})
    with pytest.raises(errors.PlanBlocked, match="register or upgrade your plan to unlock export"):
        client.export(session.session_id, {"t": []}, "render_1")


def test_missing_attribution_is_what_makes_the_fake_answer_402(service, make_client):
    client = make_client(attribution=Attribution(source="", version="", platform=""))
    session = client.create_session("en")
    with pytest.raises(errors.PlanBlocked):
        client.export(session.session_id, {"t": []}, "render_1")


def test_429_waits_retry_after_then_retries_once(service, make_client, sleeps):
    client = make_client()
    service.fault("credits", status=429, headers={"Retry-After": "7"}, body={})
    client.credits()
    assert sleeps.calls == [7.0]
    assert len(service.calls("credits")) == 2


def test_429_without_retry_after_waits_30_seconds(service, make_client, sleeps):
    client = make_client()
    service.fault("credits", status=429, body={})
    client.credits()
    assert sleeps.calls == [30.0]


def test_429_twice_is_reported(service, make_client, sleeps):
    client = make_client()
    service.fault("credits", times=2, status=429, headers={"Retry-After": "1"}, body={})
    with pytest.raises(errors.RateLimited, match="rate limiting"):
        client.credits()
    assert len(service.calls("credits")) == 2


def test_429_on_a_post_is_retried_too(service, make_client, sleeps):
    client = make_client()
    service.fault("session", status=429, headers={"Retry-After": "2"}, body={})
    assert client.create_session("en").session_id
    assert len(service.calls("session")) == 2 and sleeps.calls == [2.0]


def test_429_with_a_very_long_retry_after_is_not_waited_for(service, make_client, sleeps):
    client = make_client()
    service.fault("credits", status=429, headers={"Retry-After": "86400"}, body={})
    with pytest.raises(errors.RateLimited):
        client.credits()
    assert sleeps.calls == []


def test_unknown_code_is_a_one_line_protocol_error(service, make_client):
    client = make_client()
    service.fault("credits", status=500, body={"code": 5000, "message": "boom\nagain"})
    with pytest.raises(errors.ProtocolError) as caught:
        client.credits()
    assert "\n" not in str(caught.value) and "boom again" in str(caught.value)


def test_server_message_echoing_the_token_is_redacted(service, make_client):
    token = service.issue_token()
    service.fault("credits", status=500, body={"message": f"bad header Bearer {token}"})
    with pytest.raises(errors.ProtocolError) as caught:
        make_client(token=token).credits()
    assert token not in str(caught.value) and token not in repr(caught.value)
    assert "***" in str(caught.value)


# -- connections --------------------------------------------------------------------------------

def test_unreachable_get_is_retried_with_backoff_then_reported(make_client, sleeps):
    client = make_client(base_url=closed_port_url(), token="tok-test-0000")
    with pytest.raises(errors.ServiceUnreachable, match="cannot reach the lip-sync service"):
        client.credits()
    assert sleeps.calls == [0.5, 1.0]


def test_post_dropped_after_sending_is_not_retried(service, make_client, sleeps):
    client = make_client(token=service.issue_token())
    service.fault("session", hangup=True)
    with pytest.raises(errors.ServiceUnreachable):
        client.create_session("en")
    assert len(service.calls("session")) == 1 and sleeps.calls == []


def test_get_dropped_is_retried(service, make_client, sleeps):
    client = make_client(token=service.issue_token())
    service.fault("credits", hangup=True)
    client.credits()
    assert len(service.calls("credits")) == 2 and sleeps.calls == [0.5]


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:8080"])
def test_plain_http_to_a_remote_host_is_refused(url):
    with pytest.raises(errors.InsecureTransport, match="plain http"):
        ServiceClient(url, token="tok-test-0000")


@pytest.mark.parametrize("url", ["https://example.com", "http://localhost:1", "http://127.8.9.10",
                                 "http://[::1]:8080"])
def test_https_and_loopback_http_are_accepted(url):
    ServiceClient(url, token="tok-test-0000").close()


# -- download -----------------------------------------------------------------------------------

def finished_render(service, client) -> str:
    session = client.create_session("en")
    client.export(session.session_id, {"t": []}, "render_9")
    service.renders["render_9"] = 0
    return client.render_status("render_9").url


def test_download_survives_one_dropped_connection(service, make_client, tmp_path):
    client = make_client()
    url = finished_render(service, client)
    service.drop_downloads = 1
    target = tmp_path / "out.mp4"
    client.download(url, target)
    assert target.read_bytes() == service.render_bytes
    assert len(service.calls("download")) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache", "out.mp4"]


def test_download_that_keeps_dropping_leaves_no_file(service, make_client, tmp_path):
    client = make_client()
    url = finished_render(service, client)
    service.drop_downloads = 5
    target = tmp_path / "dl" / "out.mp4"
    target.parent.mkdir()
    with pytest.raises(errors.DownloadFailed, match="no partial file"):
        client.download(url, target)
    assert list(target.parent.iterdir()) == []
    assert len(service.calls("download")) == 3


def test_download_from_another_host_gets_no_token(service, make_client, tmp_path):
    storage = FakeService().start()
    try:
        service.download_base = storage.base_url
        client = make_client()
        url = finished_render(service, client)
        client.download(url, tmp_path / "out.mp4")
        assert "authorization" not in storage.calls("download")[0].headers
        assert (tmp_path / "out.mp4").read_bytes() == storage.render_bytes
    finally:
        storage.stop()


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x.mp4", "file:///etc/passwd"])
def test_download_refuses_non_http_urls(make_client, tmp_path, url):
    with pytest.raises(errors.ProtocolError, match="refusing to download"):
        make_client(token="tok-test-0000").download(url, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_token_never_in_repr():
    client = ServiceClient("https://example.com", token="tok-abcdef")
    token = Token("tok-abcdef", client_id="c", expires_at=1.0)
    assert "tok-abcdef" not in repr(client) + repr(token) + str(token)
    client.close()
