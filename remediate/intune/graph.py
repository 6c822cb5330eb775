"""A small Microsoft Graph client over requests: auth header, retries, paging and one-line errors.

Behaviour (DOMAIN.md section 5): 401/403 name the permission the call needs, the permissions Intune lists
inside its nested error message and everything the running command needs; 404 says what was not found.
429 waits the whole Retry-After (seconds or an HTTP date), within the overall deadline of the command.
5xx and connection failures are retried with capped exponential backoff only for requests that are safe to
repeat. A request that is not (an on-demand run, a create) is never re-sent once it may have reached Graph:
a 5xx, a lost connection or a timeout raise ``OutcomeUnknownError`` (exit 7, "check the portal"); only a
connect timeout, where nothing was sent, is retried. Paging follows ``@odata.nextLink`` only to the configured
Graph host, so the token never goes elsewhere. Tokens are never logged.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import structlog

from remediate.errors import OutcomeUnknownError, ServiceError
from remediate.intune import permissions
from remediate.intune.auth import TokenProvider
from remediate.intune.graph_errors import http_error
from remediate.intune.permissions import CommandPermissions

DEFAULT_BASE_URL = "https://graph.microsoft.com/beta"
DEFAULT_DEADLINE_S = 900.0  # the whole command, waits included (--deadline)

log = structlog.get_logger("remediate.intune.graph")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # total tries per request, throttling and server errors together
    base_delay: float = 1.0
    max_delay: float = 30.0  # cap of our own exponential backoff (Graph's Retry-After is never capped)
    deadline_s: float = DEFAULT_DEADLINE_S  # overall budget of one client (one command), waits included


@dataclass(frozen=True)
class Call:
    """What a request is about, for error messages: ``what`` is the object, ``permission`` what it needs."""

    what: str = "the requested object"
    permission: str = permissions.SCRIPTS_READ
    idempotent: bool = True  # False for creates and remote actions: never re-sent once it may have arrived


class GraphClient:
    def __init__(self, token: TokenProvider, base_url: str = DEFAULT_BASE_URL, *,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 retry: RetryPolicy = RetryPolicy(), timeout: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, needs: CommandPermissions | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session or requests.Session()
        self._sleep = sleep
        self._retry = retry
        self._timeout = timeout
        self._clock = clock
        self._deadline = clock() + retry.deadline_s
        self._needs = needs  # the running command's permissions, named in 401/403 messages

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
            self._wait(wait, f"{response.status_code} on {method} {urlsplit(url).path}")
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

    def _remaining(self) -> float:
        return self._deadline - self._clock()

    def _wait(self, seconds: float, why: str) -> None:
        """Sleep ``seconds`` unless that would pass the deadline: then stop with a clear error."""
        left = self._remaining()
        if seconds > left:
            raise ServiceError(f"Graph asked to wait {seconds:.0f} s ({why}) but only {max(left, 0):.0f} s are "
                               f"left of the {self._retry.deadline_s:.0f} s deadline (--deadline)",
                               code="deadline")
        self._sleep(seconds)

    def _send(self, method: str, url: str, params: Mapping[str, str] | None, body: Any, attempt: int,
              call: Call) -> requests.Response | None:
        left = self._remaining()
        if left <= 0:
            raise ServiceError(f"the {self._retry.deadline_s:.0f} s deadline (--deadline) passed before "
                               f"{method} {urlsplit(url).path}", code="deadline")
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")
        try:
            response = self._session.request(method, url, params=params, data=data, headers=headers,
                                             timeout=min(self._timeout, left))
        except requests.RequestException as exc:
            return self._connection_failed(method, url, attempt, call, exc)
        log.debug("graph.request", method=method, path=urlsplit(url).path, status=response.status_code,
                  attempt=attempt)
        return response

    def _connection_failed(self, method: str, url: str, attempt: int, call: Call,
                           exc: requests.RequestException) -> None:
        where = urlsplit(url).netloc
        # A connect timeout means nothing was sent; anything else may have reached Graph.
        unsent = isinstance(exc, requests.ConnectTimeout)
        if not call.idempotent and not unsent:
            raise _unknown(method, url, call, f"{type(exc).__name__} after sending")
        if attempt >= self._retry.max_attempts:
            raise ServiceError(f"cannot reach Microsoft Graph at {where}: {type(exc).__name__} "
                               f"(after {attempt} attempt(s))", code="connection") from None
        log.warning("graph.retry", method=method, reason=type(exc).__name__, attempt=attempt)
        self._wait(self._backoff(attempt), type(exc).__name__)
        return None

    def _backoff(self, attempt: int) -> float:
        return min(self._retry.max_delay, self._retry.base_delay * 2 ** (attempt - 1))

    def _retry_wait(self, response: requests.Response, attempt: int, call: Call) -> float | None:
        """Seconds to wait before retrying, or None when the answer is final (success or a hard error)."""
        status = response.status_code
        if status >= 500 and not call.idempotent:
            raise _unknown(response.request.method or "", response.url, call, f"server error {status}", status)
        if not (status == 429 or status >= 500):
            return None
        if attempt >= self._retry.max_attempts:
            kind = "throttled (429)" if status == 429 else f"server error {status}"
            raise ServiceError(f"Microsoft Graph {kind} on {response.request.method} "
                               f"{urlsplit(response.url).path}; gave up after {attempt} attempts",
                               status=status, code="throttled" if status == 429 else "server")
        wait = retry_after(response)
        wait = self._backoff(attempt) if wait is None else wait  # Graph's own wait is honoured in full
        log.warning("graph.retry", status=status, attempt=attempt, wait_s=wait)
        return wait

    def _decode(self, method: str, path: str, response: requests.Response, call: Call) -> Any:
        status = response.status_code
        if status >= 400:
            raise http_error(method, urlsplit(path).path, response, call.what, call.permission,
                             self._needs)
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


def retry_after(response: requests.Response, now: Callable[[], dt.datetime] | None = None) -> float | None:
    """Retry-After in seconds (a number or an HTTP date), or None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = now() if now else dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _unknown(method: str, url: str, call: Call, why: str, status: int | None = None) -> OutcomeUnknownError:
    return OutcomeUnknownError(f"outcome unknown: {method} {urlsplit(url).path} ({call.what}) got {why}; it may "
                               "or may not have happened and is not sent again: check the Intune portal first",
                               reason=why, status=status)
