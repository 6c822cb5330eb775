"""The Graph client against the local emulator: headers, paging, throttling, retries, one-line errors; auth."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
import structlog
from azure.core.exceptions import ClientAuthenticationError
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

from remediate.errors import ConfigError, ExitCode, ServiceError
from remediate.intune import auth
from remediate.intune.graph import PRIVILEGED_PERMISSION, Call, GraphClient, RetryPolicy

SCRIPTS = "/deviceManagement/deviceHealthScripts"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(graph, sleeps) -> GraphClient:  # noqa: F811
    return GraphClient(lambda: TOKEN, graph.base_url, sleep=sleeps.append)


def test_requests_carry_the_bearer_token_and_json_headers(graph, client):  # noqa: F811
    client.request("POST", SCRIPTS, body={"displayName": "x"}, call=Call(idempotent=False))
    sent = graph.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("POST", "/beta/deviceManagement/deviceHealthScripts",
                                                   {"displayName": "x"})
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["Accept"] == "application/json"


def test_paging_follows_next_link(graph, client):  # noqa: F811
    script_id = graph.add_script("s")
    graph.run_states[script_id] = [{"id": str(i)} for i in range(250)]
    items = list(client.get_all(f"{SCRIPTS}/{script_id}/deviceRunStates", {"$top": "100"}))
    assert [i["id"] for i in items] == [str(i) for i in range(250)]
    pages = [r for r in graph.requests if r.path.endswith("/deviceRunStates")]
    assert [r.query for r in pages] == [{"$top": "100"}, {"$skiptoken": "100"}, {"$skiptoken": "200"}]


def test_next_link_to_another_host_is_not_followed(graph, client):  # noqa: F811
    graph.fail("GET", SCRIPTS, 200, headers={"Content-Type": "application/json"},
               body=b'{"value": [], "@odata.nextLink": "https://elsewhere.invalid/beta/x"}')
    with pytest.raises(ServiceError, match="another host"):
        list(client.get_all(SCRIPTS))


@pytest.mark.parametrize("retry_after, expected_wait", [("7", 7.0), ("1000", 120.0), ("", 1.0)],
                         ids=["honoured", "capped", "absent-uses-backoff"])
def test_throttling_honours_retry_after(graph, client, sleeps, retry_after, expected_wait):  # noqa: F811
    headers = {"Retry-After": retry_after} if retry_after else {}
    graph.fail("GET", SCRIPTS, 429, headers=headers)
    assert client.get(SCRIPTS) == {"value": []}
    assert sleeps == [expected_wait]


def test_throttling_gives_up_after_the_attempt_limit(graph, client, sleeps):  # noqa: F811
    graph.fail("GET", SCRIPTS, 429, times=99, headers={"Retry-After": "2"})
    with pytest.raises(ServiceError, match=r"throttled \(429\).*gave up after 5 attempts") as info:
        client.get(SCRIPTS)
    assert sleeps == [2.0] * 4 and info.value.status == 429


def test_server_errors_back_off_exponentially_with_a_cap(graph, sleeps):  # noqa: F811
    client = GraphClient(lambda: TOKEN, graph.base_url, sleep=sleeps.append,
                         retry=RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=5.0))
    graph.fail("GET", SCRIPTS, 503, times=5)
    assert client.get(SCRIPTS) == {"value": []}
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_a_create_is_not_repeated_after_a_server_error(graph, client, sleeps):  # noqa: F811
    graph.fail("POST", SCRIPTS, 500)
    with pytest.raises(ServiceError, match="Graph answered 500 on POST"):
        client.request("POST", SCRIPTS, body={}, call=Call(idempotent=False))
    assert sleeps == [] and len(graph.writes()) == 1


@pytest.mark.parametrize("status, call, pattern", [
    (401, Call(), r"rejected the credentials \(401\).*DeviceManagementScripts\.ReadWrite\.All"),
    (403, Call(), r"missing permission DeviceManagementScripts\.ReadWrite\.All .*DeviceManagementConfiguration"),
    (403, Call(permission=PRIVILEGED_PERMISSION), r"missing permission .*PrivilegedOperations\.All"),
    (404, Call(what="remediation 'X'"), r"not found: remediation 'X' \(404 on GET"),
    (400, Call(), r"Graph answered 400 on GET .*\(BadRequest: bad thing\)"),
], ids=["401", "403-scripts", "403-privileged", "404", "400-graph-message"])
def test_http_errors_are_one_line_and_name_the_cause(graph, client, status, call, pattern):  # noqa: F811
    graph.fail("GET", SCRIPTS, status, headers={"Content-Type": "application/json"},
               body=b'{"error": {"code": "BadRequest", "message": "bad\\nthing"}}')
    with pytest.raises(ServiceError, match=pattern) as info:
        client.get(SCRIPTS, call=call)
    assert "\n" not in str(info.value) and info.value.exit_code == ExitCode.SERVICE
    assert TOKEN not in str(info.value)


def test_a_wrong_token_gets_401(graph):  # noqa: F811
    with pytest.raises(ServiceError, match="401"):
        GraphClient(lambda: "stale", graph.base_url).get(SCRIPTS)


@pytest.mark.parametrize("body, pattern", [
    (b"<html>oops</html>", "not JSON"),
    (b'{"no": "value"}', "without a 'value' list"),
    (b"[1, 2]", "without a JSON object"),
], ids=["html", "no-value", "array"])
def test_malformed_answers_are_one_line_errors(graph, client, body, pattern):  # noqa: F811
    graph.fail("GET", SCRIPTS, 200, headers={"Content-Type": "text/html"}, body=body)
    with pytest.raises(ServiceError, match=pattern):
        list(client.get_all(SCRIPTS))


def test_unreachable_graph_is_retried_then_reported(sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GraphClient(lambda: TOKEN, f"http://127.0.0.1:{port}/beta", sleep=sleeps.append, timeout=2)
    with pytest.raises(ServiceError, match=r"cannot reach Microsoft Graph at 127\.0\.0\.1:\d+: ConnectionError"):
        client.get(SCRIPTS)
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_tokens_are_never_logged(graph, client):  # noqa: F811
    graph.fail("GET", SCRIPTS, 429)
    with structlog.testing.capture_logs() as events:
        client.get(SCRIPTS)
    assert events and TOKEN not in repr(events)


# --- auth -----------------------------------------------------------------------------------------------

def test_settings_come_from_flags_then_environment():
    env = {"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env", "AZURE_CLIENT_SECRET": "s3cret"}
    settings = auth.AuthSettings.resolve(env, tenant_id="t-flag", client_id=None)
    assert (settings.tenant_id, settings.client_id, settings.mode) == ("t-flag", "c-env", "client-secret")
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("flags, expected", [
    ({"certificate_path": "/x.pem", "client_secret": "s"}, "CertificateCredential"),
    ({"client_secret": "s"}, "ClientSecretCredential"),
    ({"device_code": True}, "DeviceCodeCredential"),
], ids=["certificate-wins", "secret", "device-code"])
def test_credential_kind_follows_the_settings(flags, expected, tmp_path, monkeypatch):
    from azure import identity

    made = []
    monkeypatch.setattr(identity, expected, lambda *a, **k: made.append((a, k)) or expected)
    settings = auth.AuthSettings.resolve({}, tenant_id="t", client_id="c", **flags)
    assert auth.make_credential(settings) == expected and made


@pytest.mark.parametrize("flags, message", [
    ({}, "no Graph credentials"),
    ({"client_secret": "s"}, "needs a tenant id and a client id"),
], ids=["nothing", "secret-without-ids"])
def test_missing_auth_settings_are_config_errors(flags, message):
    with pytest.raises(ConfigError, match=message):
        auth.make_credential(auth.AuthSettings.resolve({}, **flags))


def test_token_provider_caches_until_near_expiry():
    now = [1000.0]
    calls = []

    class Credential:
        def get_token(self, scope):
            calls.append(scope)
            return SimpleNamespace(token=f"tok{len(calls)}", expires_on=now[0] + 3600)

    provider = auth.CredentialTokenProvider(Credential(), clock=lambda: now[0])
    assert [provider(), provider()] == ["tok1", "tok1"]
    now[0] += 3400  # inside the renewal margin
    assert provider() == "tok2" and calls == [auth.GRAPH_SCOPE] * 2


def test_authentication_failure_is_a_one_line_service_error():
    class Credential:
        def get_token(self, scope):
            raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.\nTrace ID: 1")

    with pytest.raises(ServiceError, match=r"^authentication failed: AADSTS7000215: Invalid client secret provided\.$"):
        auth.CredentialTokenProvider(Credential())()
