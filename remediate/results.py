"""The result contract, defined once.

Every generated script ends by writing one compact JSON line that follows ``RESULT_SCHEMA`` and exits with
the code ``script_exit_code`` gives for its phase and verdict. The CLI, the Intune results reader and the RMM
profiles all parse that line with ``parse_result_line``. The enums below are rendered into the PowerShell
runtime, so the scripts and Python cannot disagree.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from remediate.errors import ExitCode

SCHEMA_VERSION = 1

# Intune keeps only the last line of output and only its last 2,048 characters (DOMAIN.md section 5).
MAX_RESULT_CHARS = 2048


class Phase(str, enum.Enum):
    DETECT = "detect"
    REMEDIATE = "remediate"
    # The package's maintenance scripts (remediate/undo.py, remediate/collect.py) answer in the same contract;
    # they exit like a remediation: 0 done (or nothing to do), 1 failed.
    UNDO = "undo"
    COLLECT = "collect"


class Verdict(str, enum.Enum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    REMEDIATED = "remediated"
    FAILED = "failed"
    DEFERRED = "deferred"
    SKIPPED = "skipped"
    ERROR = "error"


# The one mapping between the outcome vocabularies. A fleet status (``remediate run``: one host's whole cycle)
# -> the verdict it amounts to, which is also its RMM outcome (remediate/rmm.py adds the package-level reasons
# ``needs_attention`` and ``mutex_busy`` as outcomes of their own), and the exit code it gives the CLI
# (remediate/fleet.py: the highest among the hosts wins).
FLEET_STATUS: dict[str, tuple[Verdict, ExitCode]] = {
    "compliant": (Verdict.COMPLIANT, ExitCode.OK),
    "fixed": (Verdict.REMEDIATED, ExitCode.OK),
    "skipped": (Verdict.SKIPPED, ExitCode.OK),
    "non_compliant": (Verdict.NON_COMPLIANT, ExitCode.NON_COMPLIANT),
    "would_remediate": (Verdict.NON_COMPLIANT, ExitCode.NON_COMPLIANT),
    "deferred": (Verdict.DEFERRED, ExitCode.NON_COMPLIANT),
    "remediation_failed": (Verdict.FAILED, ExitCode.REMEDIATION_FAILED),
    "error": (Verdict.ERROR, ExitCode.HOST_ERROR),
    "interrupted": (Verdict.ERROR, ExitCode.HOST_ERROR),
}


class State(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    FIXED = "fixed"
    # A fix ran and failed, or did not verify (remediation only); it feeds the backoff state.
    FAILED = "failed"
    DEFERRED = "deferred"
    ADVISORY = "advisory"
    ERROR = "error"
    SKIPPED = "skipped"


# Detection: 0 = compliant (nothing to do), 1 = remediation needed. An error also answers 1, because Intune
# treats any non-zero exit as "run the remediation", and the remediation re-detects before it acts.
# Remediation: 0 = done (or deferred, or nothing it may fix), 1 = failed. Intune marks non-zero as scriptError.
_DETECT_EXIT = {
    Verdict.COMPLIANT: 0,
    Verdict.SKIPPED: 0,
    Verdict.NON_COMPLIANT: 1,
    Verdict.ERROR: 1,
    # A detection never produces these, but the table is total so the mapping is defined for every verdict.
    Verdict.REMEDIATED: 0,
    Verdict.DEFERRED: 1,
    Verdict.FAILED: 1,
}
_REMEDIATE_EXIT = {
    Verdict.COMPLIANT: 0,
    Verdict.REMEDIATED: 0,
    Verdict.DEFERRED: 0,
    Verdict.SKIPPED: 0,
    Verdict.NON_COMPLIANT: 0,
    Verdict.FAILED: 1,
    Verdict.ERROR: 1,
}


def script_exit_code(phase: Phase | str, verdict: Verdict | str) -> int:
    """The exit code a generated script uses for this phase and verdict."""
    table = _DETECT_EXIT if Phase(phase) is Phase.DETECT else _REMEDIATE_EXIT
    return table[Verdict(verdict)]


# Reason codes used by the runtime itself (checks add their own, short snake_case words).
RUNTIME_REASONS = {
    "wrong_context": "the package runs in a context it was not built for (user package as SYSTEM, device package without admin)",
    "mutex_busy": "another run of the same package holds its mutex; this run changed nothing",
    "needs_attention": "the fix failed the configured number of times; fixes stop until the state is reset",
    "backoff": "the last attempt is recent; the fix waits for its cooldown",
    "dry_run": "dry-run: the change was described, not made",
    "not_enabled": "an opt-in fix that this package does not enable",
    "advisory_only": "reported only; nothing local may fix it",
    "no_evidence": "no sign-in failure evidence for this user in the window; the fix is gated on evidence",
    "no_interactive_user": "no user is signed in interactively; the user package cannot run",
    "user_task_no_result": "the interactive-user launcher's task ended without the user package's result line (the exit code and last output are in the finding)",
    "user_task_timeout": "the interactive-user launcher's task did not finish within its deadline (the user package's result is unknown)",
    "unhandled_error": "an unexpected error; the message is in the finding and the log",
    "truncated": "the result was shortened to fit the 2,048-character output limit",
}

RESULT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "remediate script result",
    "type": "object",
    "required": ["schema_version", "package", "phase", "verdict", "findings"],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "tool": {"type": "string", "description": "remediate version that generated the script"},
        "package": {"type": "string"},
        "phase": {"enum": [p.value for p in Phase]},
        "verdict": {"enum": [v.value for v in Verdict]},
        "reason": {"type": "string", "description": "package-level reason code (e.g. wrong_context)"},
        "context": {"type": "string", "description": "system | user | other: who the script ran as"},
        "computer": {"type": "string"},
        "dry_run": {"type": "boolean"},
        "duration_ms": {"type": "integer"},
        "failing": {"type": "array", "items": {"type": "string"}, "description": "ids of checks not ok"},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "state"],
                "properties": {
                    "id": {"type": "string"},
                    "state": {"enum": [s.value for s in State]},
                    "reason": {"type": "string"},
                    "facts": {"type": "object"},
                },
            },
        },
        "evidence": {
            "type": "object",
            "properties": {
                "codes": {"type": "object", "description": "code (0xXXXXXXXX or AADSTSnnnn) -> count"},
                "layers": {"type": "object", "description": "layer name -> count"},
                "events": {"type": "integer"},
                "window_hours": {"type": "integer"},
            },
        },
        "truncated": {"type": "boolean"},
        "cycle_step": {"enum": ["detect", "remediate", "verify"],
                       "description": "only in a remote one-pipeline cycle (remediate run --remediate): "
                                      "which step of detect -> remediate -> verify this line reports"},
    },
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "detect, non-compliant": {
        "schema_version": 1,
        "tool": "0.1.0",
        "package": "caa20002-device",
        "phase": "detect",
        "verdict": "non_compliant",
        "context": "system",
        "computer": "PC-0042",
        "dry_run": False,
        "duration_ms": 812,
        "failing": ["tls12_machine"],
        "findings": [
            {"id": "aad_evidence", "state": "advisory", "reason": "evidence_found", "facts": {"events": 4}},
            {"id": "tls12_machine", "state": "fail", "reason": "schannel_client_disabled",
             "facts": {"reboot_required": True}},
        ],
        "evidence": {"codes": {"0xCAA20002": 3, "AADSTS50155": 1}, "layers": {"oauth": 3}, "events": 4,
                     "window_hours": 72},
    },
    "remediate, deferred": {
        "schema_version": 1,
        "tool": "0.1.0",
        "package": "caa20002-user",
        "phase": "remediate",
        "verdict": "deferred",
        "context": "user",
        "computer": "PC-0042",
        "dry_run": False,
        "duration_ms": 301,
        "failing": ["teams_cache"],
        "findings": [{"id": "teams_cache", "state": "deferred", "reason": "call_in_progress", "facts": {}}],
    },
}


class ResultParseError(ValueError):
    """The output is not one of our result lines."""


@dataclass(frozen=True)
class ScriptResult:
    """A parsed result line."""

    data: dict[str, Any]

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.data["verdict"])

    @property
    def phase(self) -> Phase:
        return Phase(self.data["phase"])

    @property
    def package(self) -> str:
        return str(self.data["package"])

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.data.get("findings", []))

    @property
    def failing(self) -> list[str]:
        return [str(x) for x in self.data.get("failing", [])]


def validate_result(data: Any) -> list[str]:
    """Problems with a decoded result object; an empty list means it follows the schema.

    Hand-written rather than a JSON-schema library: the shape is small and this keeps a dependency out.
    """
    if not isinstance(data, dict):
        return ["result is not a JSON object"]
    problems: list[str] = []
    for key in RESULT_SCHEMA["required"]:
        if key not in data:
            problems.append(f"missing key {key!r}")
    if problems:
        return problems
    if data["schema_version"] != SCHEMA_VERSION:
        problems.append(f"schema_version {data['schema_version']!r} is not {SCHEMA_VERSION}")
    if data["phase"] not in {p.value for p in Phase}:
        problems.append(f"phase {data['phase']!r} is unknown")
    if data["verdict"] not in {v.value for v in Verdict}:
        problems.append(f"verdict {data['verdict']!r} is unknown")
    if not isinstance(data["findings"], list):
        problems.append("findings is not a list")
        return problems
    states = {s.value for s in State}
    for i, finding in enumerate(data["findings"]):
        if not isinstance(finding, dict) or "id" not in finding or "state" not in finding:
            problems.append(f"findings[{i}] lacks id or state")
        elif finding["state"] not in states:
            problems.append(f"findings[{i}].state {finding['state']!r} is unknown")
    return problems


def _non_strict(word: str) -> Any:
    """NaN, Infinity and -Infinity are not JSON (RFC 8259); Python would accept them and later write them
    where other parsers fail. A line that carries them is not a result."""
    raise json.JSONDecodeError("a non-finite number is not strict JSON", word, 0)


def parse_result_line(output: str) -> ScriptResult:
    """Parse the last non-empty line of a script's output as a result.

    Raises ResultParseError with a one-line reason when it is not ours (foreign output, truncation, garbage).
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        raise ResultParseError("no output")
    last = lines[-1]
    try:
        data = json.loads(last, parse_constant=_non_strict)
    except json.JSONDecodeError as exc:
        raise ResultParseError(f"last line is not JSON ({exc.msg} at column {exc.colno})") from None
    problems = validate_result(data)
    if problems:
        raise ResultParseError("not a remediate result: " + "; ".join(problems[:3]))
    return ScriptResult(data)
