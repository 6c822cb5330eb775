"""Signing: version gate and command line (with a fake osslsigncode), and real signatures when the tool is here."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
from pathlib import Path

import pytest

from remediate.intune import signing
from remediate.intune.bundle import ScriptMeta, make_bundle
from remediate.intune.signing import Signer, SigningConfig, SigningError

SCRIPT = b"$ErrorActionPreference = 'Stop'\r\nWrite-Output '{\"verdict\":\"compliant\"}'\r\nexit 0\r\n"

FAKE_TOOL = """#!{python}
import os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(args) + "\\n")
if args[:1] == ["--version"]:
    print(os.environ.get("FAKE_VERSION", "osslsigncode 2.9, using:"))
    sys.exit(0)
if os.environ.get("FAKE_FAIL"):
    print("Failed to read key", file=sys.stderr)
    sys.exit(1)
if "-readpass" in args:
    with open(args[args.index("-readpass") + 1]) as handle:
        open(os.environ["FAKE_LOG"] + ".pass", "w").write(handle.read())
data = open(args[args.index("-in") + 1], "rb").read()
suffix = os.environ.get("FAKE_SUFFIX", "\\r\\n# SIG # Begin signature block\\r\\n# AAAA\\r\\n# SIG # End signature block\\r\\n")
open(args[args.index("-out") + 1], "wb").write(data + suffix.encode())
"""


@pytest.fixture
def fake_tool(tmp_path, monkeypatch) -> Path:
    """A fake osslsigncode first on PATH; it logs its arguments to the file it returns."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "osslsigncode"
    tool.write_text(FAKE_TOOL.format(python=sys.executable))
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


@pytest.fixture
def pem_files(tmp_path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("cert")
    key.write_text("key")
    return cert, key


@pytest.mark.parametrize("text, expected", [
    ("osslsigncode 2.9, using:\n\tOpenSSL 3.0", (2, 9)),
    ("osslsigncode 2.10", (2, 10)),
    ("osslsigncode 2.5, using:", (2, 5)),
    ("something else", None),
], ids=["2.9", "2.10", "2.5", "garbage"])
def test_parse_version(text, expected):
    assert signing.parse_version(text) == expected


def test_missing_tool_names_the_minimum_version(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SigningError, match=r"osslsigncode >= 2\.8 is required .* not found"):
        signing.require_tool()


def test_old_tool_names_the_minimum_and_found_version(fake_tool, monkeypatch):
    monkeypatch.setenv("FAKE_VERSION", "osslsigncode 2.5, using:")
    with pytest.raises(SigningError, match=r">= 2\.8 .*found 2\.5") as info:
        signing.require_tool()
    assert "\n" not in str(info.value)


def test_sign_command_with_pem_and_password_file(fake_tool, pem_files, monkeypatch):
    cert, key = pem_files
    monkeypatch.setenv("SIGN_PASS", "s3cret")
    signer = Signer(SigningConfig(cert=cert, key=key, password_env="SIGN_PASS", sign_time=1700000000))
    signed = signer(SCRIPT, "detect.ps1")
    assert signed.startswith(SCRIPT) and signed.endswith(b"# SIG # End signature block\r\n")
    call = fake_tool.read_text().splitlines()[-1]
    assert call.startswith(f"sign -certs {cert} -key {key} -readpass ")
    assert " -h sha256 -time 1700000000 -in " in call
    assert "s3cret" not in fake_tool.read_text()
    assert Path(str(fake_tool) + ".pass").read_text() == "s3cret"


def test_sign_command_with_pkcs12(fake_tool, tmp_path, monkeypatch):
    pfx = tmp_path / "signer.pfx"
    pfx.write_bytes(b"x")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    Signer(SigningConfig(cert=pfx))(SCRIPT, "detect.ps1")
    call = fake_tool.read_text().splitlines()[-1]
    assert call.startswith(f"sign -pkcs12 {pfx} -h sha256 -in ")
    assert "-time" not in call


@pytest.mark.parametrize("env, message", [
    ({"FAKE_FAIL": "1"}, "signing detect.ps1 failed: Failed to read key"),
    ({"FAKE_SUFFIX": ""}, "unexpected output"),
], ids=["tool-fails", "no-signature-block"])
def test_tool_failures_are_one_line_errors(fake_tool, pem_files, monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SigningError, match=message):
        Signer(SigningConfig(cert=pem_files[0], key=pem_files[1]))(SCRIPT, "detect.ps1")


@pytest.mark.parametrize("kwargs, message", [
    ({"key": None}, "--key is required"),
    ({"key": Path("/nonexistent/key.pem")}, "key file not found"),
    ({"password_env": "REMEDIATE_UNSET_VAR"}, "REMEDIATE_UNSET_VAR"),
], ids=["no-key", "missing-key", "unset-password-env"])
def test_bad_inputs_are_reported_before_signing(fake_tool, pem_files, kwargs, message):
    config = {"cert": pem_files[0], "key": pem_files[1], **kwargs}
    with pytest.raises(SigningError, match=message):
        Signer(SigningConfig(**config))


# --- real signatures -------------------------------------------------------------------------------------

def _real_tool_ok() -> bool:
    try:
        signing.require_tool()
    except SigningError:
        return False
    return True


real_tool = pytest.mark.skipif(not _real_tool_ok(), reason="osslsigncode >= 2.8 not installed")


def make_code_signing_cert(directory: Path, password: bytes | None = None) -> tuple[Path, Path]:
    """A throw-away self-signed code-signing certificate and its key (PEM)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "remediate test signer")])
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(key, hashes.SHA256()))
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    cert_path, key_path = directory / "signer.crt", directory / "signer.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           encryption))
    return cert_path, key_path


@real_tool
def test_real_signature_verifies_and_keeps_the_script_bytes(tmp_path, monkeypatch):
    cert, key = make_code_signing_cert(tmp_path, password=b"pw-123")
    monkeypatch.setenv("SIGN_PASS", "pw-123")
    signer = Signer(SigningConfig(cert=cert, key=key, password_env="SIGN_PASS", sign_time=1700000000))
    signed = signer(SCRIPT, "detect.ps1")
    assert signed.startswith(SCRIPT)
    signed.decode("ascii")
    ok, output = signing.verify(signed, cert)
    assert ok, output
    tampered = signed.replace(b"compliant", b"compliAnt")
    assert not signing.verify(tampered, cert)[0]


@real_tool
def test_real_signing_with_fixed_time_is_deterministic(tmp_path):
    cert, key = make_code_signing_cert(tmp_path)
    meta = ScriptMeta(package_id="p", display_name="P", description="d", publisher="x", run_as="system",
                      enforce_signature_check=True)
    signer = Signer(SigningConfig(cert=cert, key=key, sign_time=1700000000))
    first = make_bundle(meta, SCRIPT, SCRIPT, sign=signer)
    second = make_bundle(meta, SCRIPT, SCRIPT, sign=signer)
    assert first.files() == second.files()
    assert first.payload()["enforceSignatureCheck"] is True

