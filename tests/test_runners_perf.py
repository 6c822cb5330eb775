"""The runners' per-run shortcuts (issue 16) change nothing on the wire that a host could tell apart.

NTLM hashes derived once per password still authenticate (NTLM and Negotiate, every transport); a right
hash of a wrong password still fails; the cached CREATE_PIPELINE body is byte for byte the one pypsrp
builds unaided, for every host. Speed itself is measured in bench/fleet.py, not here.
"""

from __future__ import annotations

import base64

import pytest
from pypsrp.messages import Message, MessageType
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1
from tests.wsman_server.fixtures import PASSWORD, loopback, loopback_tls, settings_for  # noqa: F401  (fixtures)

from remediate.errors import RunnerError
from remediate.runners import make_runner
from remediate.runners import psrp as psrp_module
from remediate.runners.ntlm import negotiate_credentials, ntlm_hash_password

HEADER = 4 + 4 + 16 + 16  # destination, message type, pool id, pipeline id ([MS-PSRP] 2.2.1)


def test_hash_password_is_pyspnegos_own_derivation():
    lm, nt = ntlm_hash_password("S3cret-ÄÖ!").split(":")
    assert base64.b16decode(lm) == lmowfv1("S3cret-ÄÖ!")
    assert base64.b16decode(nt) == ntowfv1("S3cret-ÄÖ!")
    assert ntlm_hash_password(f"{lm}:{nt}") == f"{lm}:{nt}"  # a hash given stays a hash


def test_negotiate_keeps_the_password_for_kerberos():
    hashed, password = negotiate_credentials("DOM\\admin", "pw")
    assert (hashed.username, password.username, password.password) == ("DOM\\admin", "DOM\\admin", "pw")
    assert f"{hashed.lm_hash}:{hashed.nt_hash}" == ntlm_hash_password("pw")


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
@pytest.mark.parametrize("auth", ["ntlm", "negotiate"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_precomputed_hashes_authenticate(loopback, loopback_tls, transport, auth, tls):  # noqa: F811
    server = loopback_tls if tls else loopback
    host = server.add_host()
    with make_runner(settings_for(server, host, transport, auth=auth)) as runner:
        outcome = runner.run_script("Write-Output 'in'\nexit 0", timeout_s=20)
    assert (outcome.exit_code, outcome.stdout.strip()) == (0, "in")


@pytest.mark.parametrize("transport", ["psrp", "winrm"])
def test_wrong_password_still_fails_once(loopback, transport):  # noqa: F811
    host = loopback.add_host()
    with make_runner(settings_for(loopback, host, transport, password=PASSWORD + "x")) as runner:
        with pytest.raises(RunnerError) as caught:
            runner.run_script("exit 0", timeout_s=20)
    assert caught.value.code == "auth_failed"
    assert loopback.host(host).auth_attempts == 1


def _pipeline_bodies(monkeypatch, server, hosts: list[str], script: str) -> list[bytes]:
    """The CREATE_PIPELINE message bodies the client packed, one per host, hosts run one after the other."""
    bodies: list[bytes] = []
    pack = Message.pack

    def recording(self):
        data = pack(self)
        if self.message_type == MessageType.CREATE_PIPELINE:
            bodies.append(data[HEADER:])
        return data

    monkeypatch.setattr(Message, "pack", recording)
    for host in hosts:
        with make_runner(settings_for(server, host, "psrp")) as runner:
            outcome = runner.run_script(script, timeout_s=30)
        assert outcome.stdout.strip() == "cached"
        assert server.host(host).scripts[-1].replace("\r\n", "\n").strip() == script.replace("\r\n", "\n").strip()
    return bodies


def test_cached_pipeline_body_is_what_pypsrp_builds(loopback, monkeypatch):  # noqa: F811
    script = "Write-Output 'cached'\r\n" + "".join(f"# line {i:05d}\t\x01 <&>\r\n" for i in range(4000))
    hosts = [loopback.add_host() for _ in range(3)]
    psrp_module._PipelineCache._bodies.clear()
    with monkeypatch.context() as m:
        cached = _pipeline_bodies(m, loopback, hosts, script)
    assert list(psrp_module._PipelineCache._bodies) == [script]
    with monkeypatch.context() as m:
        m.setattr(psrp_module._PipelineCache, "wrap", classmethod(lambda cls, serializer, runner: None))
        built = _pipeline_bodies(m, loopback, [loopback.add_host()], script)
    assert len(cached) == 3 and len(built) == 1
    assert set(cached) == set(built)


def test_pipeline_cache_is_bounded(loopback):  # noqa: F811
    psrp_module._PipelineCache._bodies.clear()
    host = loopback.add_host()
    with make_runner(settings_for(loopback, host, "psrp")) as runner:
        for i in range(psrp_module.PIPELINE_CACHE_SIZE + 3):
            runner.run_script(f"Write-Output 'cached'\n# {i}\nexit 0", timeout_s=20)
    assert len(psrp_module._PipelineCache._bodies) == psrp_module.PIPELINE_CACHE_SIZE
