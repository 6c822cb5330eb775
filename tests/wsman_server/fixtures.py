"""pytest fixtures for the loopback server; import them into a test module to use them."""

from __future__ import annotations

import pytest

from remediate.runners.base import ConnectionSettings

from .server import LoopbackServer

USER = "LOOPBACK\\admin"
PASSWORD = "Loopback-Pa55word!"


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory):
    """A loopback WS-Man server over plain HTTP (NTLM message encryption)."""
    with LoopbackServer(tmp_path_factory.mktemp("wsman-http")) as server:
        yield server


@pytest.fixture(scope="module")
def loopback_tls(tmp_path_factory: pytest.TempPathFactory):
    """A loopback WS-Man server over HTTPS with a self-signed certificate (``server.ca_file``)."""
    with LoopbackServer(tmp_path_factory.mktemp("wsman-https"), use_ssl=True) as server:
        yield server


def settings_for(server: LoopbackServer, host: str, transport: str = "psrp", **overrides) -> ConnectionSettings:
    values = dict(host=host, transport=transport, port=server.port, ssl=server.ssl, auth="ntlm", username=USER,
                  password=PASSWORD, cert_validation=str(server.ca_file) if server.ssl else True,
                  connect_timeout=5.0, read_timeout=15.0)
    values.update(overrides)
    return ConnectionSettings(**values)
