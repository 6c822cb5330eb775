"""The Graph client against the local emulator: headers, paging, throttling, retries, one-line errors; auth."""

from __future__ import annotations

import datetime as dt
import socket
from types import SimpleNamespace

import pytest
import structlog
from azure.core.exceptions import ClientAuthenticationError
from graph_emulator import TOKEN, graph  # noqa: F401  (fixture)

import requests
from remediate.errors import ConfigError, ExitCode, OutcomeUnknownError, ServiceError
from remediate.intune import auth
from remediate.intune.graph import Call, GraphClient, RetryPolicy, retry_after
from remediate.intune.permissions import DEVICES_PRIVILEGED, SCRIPTS_WRITE, for_command

SCRIPTS = "/deviceManagement/deviceHealthScripts"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(graph, sleeps) -> GraphClient:  # noqa: F811
    return GraphClient(lambda: TOKEN, graph.base_url, sleep=sleeps.append)


def test_requests_carry_the_bearer_token_and_json_headers(graph, client):  # noqa: F811
    body = {"displayName": "x", "detectionScriptContent": "eA=="}
    client.request("POST", SCRIPTS, body=body, call=Call(idempotent=False))
    sent = graph.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("POST", "/beta/deviceManagement/deviceHealthScripts", body)
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


@pytest.mark.parametrize("value, expected_wait", [("7", 7.0), ("600", 600.0), ("", 1.0)],
                         ids=["honoured", "long-wait-honoured-in-full", "absent-uses-backoff"])
def test_throttling_honours_retry_after(graph, client, sleeps, value, expected_wait):  # noqa: F811
    headers = {"Retry-After": value} if value else {}
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


def test_a_retry_after_beyond_the_deadline_stops_with_a_clear_error(graph, sleeps):  # noqa: F811
    now = [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    client = GraphClient(lambda: TOKEN, graph.base_url, sleep=sleep, retry=RetryPolicy(deadline_s=100),
                         clock=lambda: now[0])
    graph.fail("GET", SCRIPTS, 429, times=2, headers={"Retry-After": "60"})
    with pytest.raises(ServiceError, match=r"asked to wait 60 s .* only 40 s are left of the 100 s deadline") as info:
        client.get(SCRIPTS)
    assert sleeps == [60.0] and info.value.code == "deadline"


def test_retry_after_as_an_http_date_is_honoured():
    response = requests.Response()
    response.headers["Retry-After"] = "Wed, 01 Oct 2025 08:01:30 GMT"
    now = dt.datetime(2025, 10, 1, 8, 0, 0, tzinfo=dt.timezone.utc)
    assert retry_after(response, now=lambda: now) == 90.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_non_idempotent_call_is_not_repeated_after_a_server_error(graph, client, sleeps, status):  # noqa: F811
    graph.fail("POST", SCRIPTS, status, headers={"Retry-After": "1"})
    with pytest.raises(OutcomeUnknownError, match=rf"outcome unknown: POST .* got server error {status}; .*"
                                                  "check the Intune portal") as info:
        client.request("POST", SCRIPTS, body={}, call=Call(idempotent=False))
    assert sleeps == [] and len(graph.writes()) == 1 and info.value.exit_code == ExitCode.OUTCOME_UNKNOWN == 7


def test_a_non_idempotent_call_is_repeated_after_429_because_graph_refused_it(graph, client, sleeps):  # noqa: F811
    graph.fail("POST", SCRIPTS, 429, headers={"Retry-After": "3"})
    client.request("POST", SCRIPTS, body={"detectionScriptContent": "eA=="}, call=Call(idempotent=False))
    assert sleeps == [3.0] and len(graph.writes()) == 2


class FlakySession(requests.Session):
    """Raises ``error`` on the first request, then behaves."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error: Exception | None = error

    def request(self, *args, **kwargs):
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return super().request(*args, **kwargs)


@pytest.mark.parametrize("error, idempotent, outcome", [
    (requests.ReadTimeout("read timed out"), False, "unknown"),
    (requests.ConnectionError("reset"), False, "unknown"),
    (requests.ConnectTimeout("connect timed out"), False, "retried"),
    (requests.ReadTimeout("read timed out"), True, "retried"),
], ids=["read-timeout-remote-action", "reset-remote-action", "connect-timeout-nothing-sent", "read-timeout-get"])
def test_timeouts_repeat_only_what_is_safe(graph, sleeps, error, idempotent, outcome):  # noqa: F811
    client = GraphClient(lambda: TOKEN, graph.base_url, sleep=sleeps.append, session=FlakySession(error))
    call = Call(idempotent=idempotent)
    if outcome == "unknown":
        with pytest.raises(OutcomeUnknownError, match=type(error).__name__):
            client.request("POST", SCRIPTS, body={"detectionScriptContent": "eA=="}, call=call)
        assert graph.requests == []
    else:
        client.request("POST", SCRIPTS, body={"detectionScriptContent": "eA=="}, call=call)
        assert sleeps == [1.0] and len(graph.writes()) == 1


NESTED_403 = (b'{"error": {"code": "Forbidden", "message": "{\\r\\n  \\"_version\\": 3,\\r\\n  \\"Message\\": '
              b'\\"Application is not authorized to perform this operation. Application must have one of the '
              b'following scopes: DeviceManagementScripts.Read.All, DeviceManagementScripts.ReadWrite.All - '
              b'Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: '
              b'9567c8a9-89e5-4fc7-bb4a-3558aa3df883 - Url: https://fef.msua09.manage.microsoft.com/x\\"\\r\\n}"}}')


@pytest.mark.parametrize("status, call, body, pattern", [
    (401, Call(permission=SCRIPTS_WRITE), None,
     r"rejected the credentials \(401\).*this call needs DeviceManagementScripts\.ReadWrite\.All"),
    (403, Call(), NESTED_403, r"^missing permission \(403\) on GET .*: this call needs DeviceManagementScripts"
     r"\.Read\.All; Intune requires one of: DeviceManagementScripts\.Read\.All, DeviceManagementScripts\."
     r"ReadWrite\.All$"),
    (403, Call(permission=DEVICES_PRIVILEGED), None, r"missing permission .*needs .*PrivilegedOperations\.All"),
    (404, Call(what="remediation 'X'"), None, r"not found: remediation 'X' \(404 on GET"),
    (400, Call(), None, r"Graph answered 400 on GET .*\(BadRequest: bad thing\)"),
], ids=["401", "403-intune-nested-list", "403-privileged", "404", "400-graph-message"])
def test_http_errors_are_one_line_and_name_the_cause(graph, client, status, call, body, pattern):  # noqa: F811
    graph.fail("GET", SCRIPTS, status, headers={"Content-Type": "application/json"},
               body=body or b'{"error": {"code": "BadRequest", "message": "bad\\nthing"}}')
    with pytest.raises(ServiceError, match=pattern) as info:
        client.get(SCRIPTS, call=call)
    assert "\n" not in str(info.value) and info.value.exit_code == ExitCode.SERVICE
    assert TOKEN not in str(info.value)


def test_a_403_names_what_the_whole_command_needs(graph):  # noqa: F811
    client = GraphClient(lambda: TOKEN, graph.base_url, needs=for_command("trigger"))
    graph.scopes = {"DeviceManagementScripts.Read.All"}
    graph.devices = [{"id": "d-1", "deviceName": "PC"}]
    with pytest.raises(ServiceError) as info:
        client.get("/deviceManagement/managedDevices/d-1")
    assert str(info.value).endswith(
        "Intune requires one of: DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All"
        "; 'remediate trigger' needs DeviceManagementScripts.Read.All, DeviceManagementManagedDevices.Read.All, "
        "DeviceManagementManagedDevices.PrivilegedOperations.All (docs/intune.md, Permissions)")


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
    ({"device_code": True, "tenant_id": "t"}, r"^--device-code needs --client-id \(or AZURE_TENANT_ID/AZURE_CLIENT_ID\)"
                                              r": your tenant's own app registration .* the Azure CLI's client has no"),
    ({"device_code": True}, r"^--device-code needs --tenant-id and --client-id"),
], ids=["nothing", "secret-without-ids", "device-code-without-client-id", "device-code-without-ids"])
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
