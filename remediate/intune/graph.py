"""A small Microsoft Graph client over requests: auth header, retries, paging and one-line errors.

Behaviour (issue 5, DOMAIN.md section 5): 401/403 name the permission the call needs; 404 says what was not
found; 429 waits for Retry-After (capped); 5xx and connection failures are retried with capped exponential
backoff, but only for requests that are safe to repeat (a create is not); paging follows ``@odata.nextLink``
only to the configured Graph host, so the token never goes elsewhere. Tokens are never logged.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import structlog

from remediate.errors import ServiceError
from remediate.intune.auth import TokenProvider

DEFAULT_BASE_URL = "https://graph.microsoft.com/beta"
SCRIPTS_PERMISSION = "DeviceManagementScripts.ReadWrite.All (or DeviceManagementConfiguration.ReadWrite.All)"
DEVICES_READ_PERMISSION = "DeviceManagementManagedDevices.Read.All"
PRIVILEGED_PERMISSION = "DeviceManagementManagedDevices.PrivilegedOperations.All"

log = structlog.get_logger("remediate.intune.graph")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # total tries per request, throttling and server errors together
    base_delay: float = 1.0
    max_delay: float = 30.0  # cap of the exponential backoff
    max_retry_after: float = 120.0  # cap of a server-requested wait (Retry-After)


@dataclass(frozen=True)
class Call:
    """What a request is about, for error messages: ``what`` is the object, ``permission`` what it needs."""

    what: str = "the requested object"
    permission: str = SCRIPTS_PERMISSION
    idempotent: bool = True  # False for creates: a 5xx may have created it, so do not repeat


class GraphClient:
    def __init__(self, token: TokenProvider, base_url: str = DEFAULT_BASE_URL, *,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 retry: RetryPolicy = RetryPolicy(), timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session or requests.Session()
        self._sleep = sleep
        self._retry = retry
        self._timeout = timeout

    # -- public verbs ------------------------------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, str] | None = None, call: Call = Call()) -> dict[str, Any]:
        return self._expect_object(self.request("GET", path, params=params, call=call), "GET", path)

    def get_all(self, path: str, params: Mapping[str, str] | None = None,
                call: Call = Call()) -> Iterator[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink`` page by page."""
        url: str | None = self._url(path)
        while url is not None:
            page = self._expect_object(self.request("GET", url, params=params, call=call), "GET", path)
            items = page.get("value")
            if not isinstance(items, list):
                raise ServiceError(f"Graph answered GET {path} without a 'value' list", code="bad_response")
            yield from (item for item in items if isinstance(item, dict))
            url, params = self._next_link(page, path), None

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                body: Any = None, call: Call = Call()) -> Any:
        """Send one request with retries; the decoded JSON answer, or None for 204."""
        url = self._url(path)
        for attempt in range(1, self._retry.max_attempts + 1):
            response = self._send(method, url, params, body, attempt, call)
            if response is None:
                continue
            wait = self._retry_wait(response, attempt, call)
            if wait is None:
                return self._decode(method, path, response, call)
            self._sleep(wait)
        raise AssertionError("unreachable")  # _send/_retry_wait raise on the last attempt

    # -- internals --------------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _next_link(self, page: Mapping[str, Any], path: str) -> str | None:
        link = page.get("@odata.nextLink")
        if link is None:
            return None
        base = urlsplit(self.base_url)
        target = urlsplit(str(link))
        if (target.scheme, target.netloc) != (base.scheme, base.netloc):
            raise ServiceError(f"Graph paging link for {path} points to another host ({target.netloc}); "
                               "not following it", code="bad_response")
        return str(link)

    def _send(self, method: str, url: str, params: Mapping[str, str] | None, body: Any, attempt: int,
              call: Call) -> requests.Response | None:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")
        try:
            response = self._session.request(method, url, params=params, data=data, headers=headers,
                                             timeout=self._timeout)
        except requests.RequestException as exc:
            return self._connection_failed(method, url, attempt, call, exc)
        log.debug("graph.request", method=method, path=urlsplit(url).path, status=response.status_code,
                  attempt=attempt)
        return response

    def _connection_failed(self, method: str, url: str, attempt: int, call: Call,
                           exc: requests.RequestException) -> None:
        where = urlsplit(url).netloc
        if not call.idempotent or attempt >= self._retry.max_attempts:
            raise ServiceError(f"cannot reach Microsoft Graph at {where}: {type(exc).__name__} "
                               f"(after {attempt} attempt(s))", code="connection") from None
        log.warning("graph.retry", method=method, reason=type(exc).__name__, attempt=attempt)
        self._sleep(self._backoff(attempt))
        return None

    def _backoff(self, attempt: int) -> float:
        return min(self._retry.max_delay, self._retry.base_delay * 2 ** (attempt - 1))

    def _retry_wait(self, response: requests.Response, attempt: int, call: Call) -> float | None:
        """Seconds to wait before retrying, or None when the answer is final (success or a hard error)."""
        status = response.status_code
        retryable = status == 429 or (status >= 500 and call.idempotent)
        if not retryable:
            return None
        if attempt >= self._retry.max_attempts:
            kind = "throttled (429)" if status == 429 else f"server error {status}"
            raise ServiceError(f"Microsoft Graph {kind} on {response.request.method} "
                               f"{urlsplit(response.url).path}; gave up after {attempt} attempts",
                               status=status, code="throttled" if status == 429 else "server")
        wait = _retry_after(response)
        wait = self._backoff(attempt) if wait is None else min(wait, self._retry.max_retry_after)
        log.warning("graph.retry", status=status, attempt=attempt, wait_s=wait)
        return wait

    def _decode(self, method: str, path: str, response: requests.Response, call: Call) -> Any:
        status = response.status_code
        if status >= 400:
            raise _http_error(method, path, response, call)
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown type")
            raise ServiceError(f"Graph answered {method} {path} with {status} but not JSON ({kind})",
                               status=status, code="bad_response") from None

    @staticmethod
    def _expect_object(value: Any, method: str, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ServiceError(f"Graph answered {method} {path} without a JSON object", code="bad_response")
        return value


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff


def _graph_message(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
        text = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        text = ""
    return " ".join(text.split())[:200]


def _http_error(method: str, path: str, response: requests.Response, call: Call) -> ServiceError:
    status = response.status_code
    detail = _graph_message(response)
    suffix = f" ({detail})" if detail else ""
    short = urlsplit(path).path
    if status == 401:
        message = (f"Graph rejected the credentials (401) on {method} {short}: sign in again; "
                   f"the app needs {call.permission}{suffix}")
        return ServiceError(message, status=status, code="unauthorized")
    if status == 403:
        message = f"missing permission {call.permission} (403 on {method} {short}){suffix}"
        return ServiceError(message, status=status, code="forbidden")
    if status == 404:
        return ServiceError(f"not found: {call.what} (404 on {method} {short})", status=status, code="not_found")
    return ServiceError(f"Graph answered {status} on {method} {short}{suffix}", status=status, code="http")


# -- the Intune remediations collection, read by publish, results and trigger ---------------------------------
SCRIPTS_PATH = "/deviceManagement/deviceHealthScripts"


def find_script(client: GraphClient, display_name: str) -> dict[str, Any] | None:
    """The deviceHealthScript with this displayName (matched exactly), or None. Two matches is an error."""
    call = Call(what="deviceHealthScripts")
    matches = [s for s in client.get_all(SCRIPTS_PATH, {"$select": "id,displayName"}, call=call)
               if s.get("displayName") == display_name]
    if len(matches) > 1:
        ids = ", ".join(str(s.get("id")) for s in matches)
        raise ServiceError(f"{len(matches)} remediations are named {display_name!r} ({ids}); rename or delete "
                           "all but one", code="ambiguous")
    if matches and not isinstance(matches[0].get("id"), str):
        raise ServiceError(f"Graph listed {display_name!r} without an id", code="bad_response")
    return matches[0] if matches else None
