"""The platform limits of a delivered script file, defined once (DOMAIN.md section 5).

The renderer produces files within them (``render.to_script_bytes``: ASCII, CRLF, no BOM); the Intune bundle and
the RMM script writer check every file against them before it leaves (``check_script``); ``lint`` reports files
on disk that break them. All three read these constants, so the limits cannot drift apart.
"""

from __future__ import annotations

from remediate.errors import ConfigError

# The Intune portal accepts scripts up to 200,000 bytes.
MAX_SCRIPT_BYTES = 200_000
# A UTF-8 byte order mark: Intune rejects it when the signature check is enforced.
UTF8_BOM = b"\xef\xbb\xbf"


def check_script(data: bytes, name: str) -> None:
    """The delivery rules for a script file: ASCII, no BOM, within the portal's size limit."""
    if data.startswith(UTF8_BOM):
        raise ConfigError("starts with a UTF-8 BOM (not allowed when the signature check is enforced)", file=name)
    if len(data) > MAX_SCRIPT_BYTES:
        raise ConfigError(f"{len(data)} bytes exceeds the portal limit of {MAX_SCRIPT_BYTES}", file=name)
    try:
        data.decode("ascii")
    except UnicodeDecodeError as exc:
        # Without a BOM Windows PowerShell 5.1 reads the file as ANSI: only ASCII survives.
        raise ConfigError(f"non-ASCII byte at offset {exc.start}", file=name) from None
