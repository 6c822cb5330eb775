"""Bearer tokens for Microsoft Graph through azure-identity. The only module that imports azure.identity.

A person signs in with a device code through the tenant's own app registration (``--client-id``; the Azure
CLI's public client has no Intune permissions, so going without is refused up front); automation uses a client
secret or a certificate. Settings come from flags or the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
AZURE_CLIENT_CERTIFICATE_PATH, AZURE_CLIENT_CERTIFICATE_PASSWORD). Tokens are never logged or printed; the
device-code prompt goes to stderr because stdout carries results only.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from remediate.errors import ConfigError, ServiceError

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# Renew a cached token this long before it expires, so a long paging run does not hit a 401 mid-way.
_RENEW_MARGIN_S = 300

TokenProvider = Callable[[], str]


@dataclass(frozen=True)
class AuthSettings:
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    certificate_path: str | None = None
    certificate_password: str | None = None
    device_code: bool = False

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **flags: Any) -> AuthSettings:
        """Flags win over the environment; ``None`` flags fall back to the AZURE_* variables."""
        env = os.environ if env is None else env
        names = {"tenant_id": "AZURE_TENANT_ID", "client_id": "AZURE_CLIENT_ID",
                 "client_secret": "AZURE_CLIENT_SECRET", "certificate_path": "AZURE_CLIENT_CERTIFICATE_PATH",
                 "certificate_password": "AZURE_CLIENT_CERTIFICATE_PASSWORD"}
        values = {key: flags.get(key) or env.get(var) or None for key, var in names.items()}
        return cls(**values, device_code=bool(flags.get("device_code")))

    @property
    def mode(self) -> str:
        if self.certificate_path:
            return "certificate"
        if self.client_secret:
            return "client-secret"
        if self.device_code:
            return "device-code"
        return "none"

    def __repr__(self) -> str:  # never show secrets, even in a traceback
        return f"AuthSettings(mode={self.mode!r}, tenant_id={self.tenant_id!r}, client_id={self.client_id!r})"


def _prompt_to_stderr(verification_uri: str, user_code: str, expires_on: Any) -> None:
    print(f"To sign in, open {verification_uri} and enter the code {user_code}", file=sys.stderr, flush=True)


def check_device_code(settings: AuthSettings) -> None:
    """Device-code sign-in works only through the tenant's own app registration.

    Without a client id azure-identity signs in through the Azure CLI's public client, whose token carries no
    Intune permission, so every call would fail with 403 after the user signed in (DOMAIN.md section 5). The
    app is usually single-tenant, so the tenant id is needed for its authority too.
    """
    missing = [flag for flag, value in (("--tenant-id", settings.tenant_id), ("--client-id", settings.client_id))
               if not value]
    if missing:
        raise ConfigError(f"--device-code needs {' and '.join(missing)} (or AZURE_TENANT_ID/AZURE_CLIENT_ID): "
                          "your tenant's own app registration with public client flows enabled and the "
                          "delegated permissions in docs/intune.md; the Azure CLI's client has no Intune "
                          "permissions")


def make_credential(settings: AuthSettings) -> Any:
    """The azure-identity credential for these settings; ConfigError when nothing is configured."""
    from azure import identity  # imported here so offline commands do not pay for it

    mode = settings.mode
    if mode in {"certificate", "client-secret"} and not (settings.tenant_id and settings.client_id):
        raise ConfigError(f"{mode} authentication needs a tenant id and a client id "
                          "(--tenant-id/--client-id or AZURE_TENANT_ID/AZURE_CLIENT_ID)")
    if mode == "certificate":
        return identity.CertificateCredential(settings.tenant_id, settings.client_id,
                                              certificate_path=settings.certificate_path,
                                              password=settings.certificate_password)
    if mode == "client-secret":
        return identity.ClientSecretCredential(settings.tenant_id, settings.client_id, settings.client_secret)
    if mode == "device-code":
        check_device_code(settings)
        return identity.DeviceCodeCredential(tenant_id=settings.tenant_id, client_id=settings.client_id,
                                             prompt_callback=_prompt_to_stderr)
    raise ConfigError("no Graph credentials: use --device-code, or set AZURE_TENANT_ID and AZURE_CLIENT_ID with "
                      "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH")


class CredentialTokenProvider:
    """Callable returning a bearer token from an azure-identity credential, cached until near expiry."""

    def __init__(self, credential: Any, scope: str = GRAPH_SCOPE, clock: Callable[[], float] = time.time) -> None:
        self._credential = credential
        self._scope = scope
        self._clock = clock
        self._token: str | None = None
        self._expires_on = 0.0

    def __call__(self) -> str:
        if self._token is None or self._clock() > self._expires_on - _RENEW_MARGIN_S:
            self._token, self._expires_on = self._fetch()
        return self._token

    def _fetch(self) -> tuple[str, float]:
        from azure.core.exceptions import ClientAuthenticationError

        try:
            access = self._credential.get_token(self._scope)
        except ClientAuthenticationError as exc:
            first = (str(exc.message or exc).strip().splitlines() or ["no detail"])[0]
            raise ServiceError(f"authentication failed: {first[:300]}", code="auth") from None
        return access.token, float(access.expires_on)

    def __repr__(self) -> str:
        return f"CredentialTokenProvider(scope={self._scope!r})"


def token_provider(settings: AuthSettings) -> TokenProvider:
    return CredentialTokenProvider(make_credential(settings))
