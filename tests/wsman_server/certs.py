"""A self-signed certificate for the loopback HTTPS server, made at test time.

It is its own CA (so a test can pass it as ``--ca-bundle``) and names every loopback address the server
hands out (127.0.1.1 - 127.0.4.250), because urllib3 checks IP SANs for IP hosts.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
from pathlib import Path


def _addresses() -> list[str]:
    return ["127.0.0.1"] + [f"127.0.{a}.{b}" for a in range(1, 5) for b in range(1, 251)]


def make_self_signed(workdir: Path) -> tuple[Path, Path]:
    cert_path, key_path = workdir / "loopback-cert.pem", workdir / "loopback-key.pem"
    try:
        _with_cryptography(cert_path, key_path)
    except ImportError:
        _with_openssl(cert_path, key_path)
    return cert_path, key_path


def _with_cryptography(cert_path: Path, key_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "remediate loopback WS-Man")])
    now = datetime.datetime.now(datetime.timezone.utc)
    sans = [x509.DNSName("localhost")] + [x509.IPAddress(ipaddress.ip_address(a)) for a in _addresses()]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))


def _with_openssl(cert_path: Path, key_path: Path) -> None:
    if shutil.which("openssl") is None:
        raise RuntimeError("neither the cryptography package nor the openssl command is available")
    san = ",".join(["DNS:localhost"] + [f"IP:{a}" for a in _addresses()])
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key_path), "-out", str(cert_path), "-days", "1", "-subj", "/CN=remediate loopback WS-Man",
         "-addext", f"subjectAltName={san}", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True,
    )
