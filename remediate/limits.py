"""The platform limits of a delivered script file, defined once (DOMAIN.md sections 5 and 6).

The renderer produces files within them (``render.to_script_bytes``: ASCII, CRLF, no BOM); the Intune bundle and
the RMM script writer check every file against them before it leaves (``check_script``); ``lint`` reports files
on disk that break them. All three read these constants, so the limits cannot drift apart. The RMM profiles
(remediate/rmm.py) name the limit of their vendor; docs/rmm.md lists each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from remediate.errors import ConfigError

# The Intune portal accepts scripts up to 200,000 bytes.
MAX_SCRIPT_BYTES = 200_000
# A UTF-8 byte order mark: Intune rejects it when the signature check is enforced.
UTF8_BOM = b"\xef\xbb\xbf"

# N-able N-sight: "scripts up to a maximum of 65,535 characters in size and script output up to 10000 characters".
NSIGHT_MAX_SCRIPT_CHARS = 65_535
NSIGHT_MAX_OUTPUT_CHARS = 10_000
# Datto RMM: 30 user-defined fields per device, 255 characters each.
DATTO_UDF_COUNT = 30
DATTO_UDF_MAX_CHARS = 255


@dataclass(frozen=True)
class ScriptLimit:
    """The most a platform accepts for one script file. Our files are pure ASCII: characters = bytes."""

    max_chars: int
    what: str  # who sets the limit, for messages: "the portal limit"


INTUNE_LIMIT = ScriptLimit(MAX_SCRIPT_BYTES, "the portal limit")
NSIGHT_LIMIT = ScriptLimit(NSIGHT_MAX_SCRIPT_CHARS, "N-able N-sight's script limit")
# Tactical RMM, Datto RMM and NinjaOne document no script size limit that we could find: the Intune ceiling
# keeps their scripts within a size we know a real upload path accepts.
UNDOCUMENTED_LIMIT = ScriptLimit(MAX_SCRIPT_BYTES, "our ceiling, as the vendor documents no limit")


def check_script(data: bytes, name: str, limit: ScriptLimit = INTUNE_LIMIT) -> None:
    """The delivery rules for a script file: ASCII, no BOM, within its platform's size limit."""
    if data.startswith(UTF8_BOM):
        raise ConfigError("starts with a UTF-8 BOM (not allowed when the signature check is enforced)", file=name)
    if len(data) > limit.max_chars:
        raise ConfigError(f"{len(data)} bytes exceeds {limit.what} of {limit.max_chars}", file=name)
    try:
        data.decode("ascii")
    except UnicodeDecodeError as exc:
        # Without a BOM Windows PowerShell 5.1 reads the file as ANSI: only ASCII survives.
        raise ConfigError(f"non-ASCII byte at offset {exc.start}", file=name) from None
