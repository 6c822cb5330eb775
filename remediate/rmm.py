"""RMM output profiles: one table from a run's outcome to each profile's exit code and text, defined once.

A run's *outcome* is its verdict (``results.Verdict``), except when its package-level reason is one of
``REASON_OUTCOMES`` (``needs_attention``, ``mutex_busy``): those get their own row so that an RMM can tell
"stop and look" and "another run was busy" apart from a plain non-compliance or skip.

The table is used three ways, so the three cannot disagree:

* rendered into every generated script as a PowerShell literal (``output_config`` through
  ``psliteral.ps_value``), where ``Format-RmProfileOutput`` (runtime) applies it;
* applied here in Python (``format_result``) by ``remediate run --format`` and by the golden tests, which
  mirror the PowerShell formatter line for line;
* printed into docs/rmm.md (``mapping_markdown``; ``remediate generate`` writes it, ``--check`` compares it).

This module holds the table and its pure functions only: building RMM scripts is ``remediate.generate``'s,
resetting the backoff state on hosts is ``remediate.fleet``'s. Adding a profile is a row in ``PROFILES``
(docs/architecture.md).

Platform facts encoded (DOMAIN.md section 6): Nagios 0/1/2/3 with one short first line and perfdata after
``|``; Tactical RMM reserves 98 (timeout), 85 and 65, so our codes avoid them; N-able N-sight reserves 1-999
and shows the output text only for codes above 1000; Datto RMM reads one ``KEY=message`` line between its
result markers and alerts on any non-zero exit; NinjaOne matches result conditions on output text.
Each profile also names its vendor's script size limit (remediate/limits.py) and, where the vendor has one a
script can reach, its custom-field mechanism (``CustomField``). docs/rmm.md lists every vendor fact with its
source and the test that holds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remediate import limits
from remediate.errors import ConfigError
from remediate.results import FLEET_STATUS, Phase, Verdict, script_exit_code

# Reasons that are outcomes of their own; a reason in this tuple wins over the verdict.
REASON_OUTCOMES = ("needs_attention", "mutex_busy")
# The verdict each reason outcome comes with (the runtime sets them together); used for phase-exit profiles.
REASON_VERDICT = {"needs_attention": Verdict.NON_COMPLIANT, "mutex_busy": Verdict.SKIPPED}

# Every outcome, mildest first. The order is also the precedence when several hosts are combined
# (``remediate run --format``): the last outcome present decides, as in the fleet's own exit code.
OUTCOMES = ("compliant", "skipped", "remediated", "mutex_busy", "deferred", "non_compliant", "failed",
            "needs_attention", "error")

# The severity word every profile's status line starts with (Nagios service states).
SEVERITY = {
    "compliant": "OK",
    "skipped": "OK",
    "remediated": "OK",
    "mutex_busy": "UNKNOWN",
    "deferred": "WARNING",
    "non_compliant": "WARNING",
    "failed": "CRITICAL",
    "needs_attention": "CRITICAL",
    "error": "UNKNOWN",
}

MEANING = {
    "compliant": "nothing wrong was found",
    "skipped": "not applicable here (product absent, wrong context, no interactive user)",
    "remediated": "a problem was fixed and the re-detection passed",
    "mutex_busy": "another run of the same package was running; this run changed nothing",
    "deferred": "a fix was postponed (for example a Teams call in progress); the next run retries",
    "non_compliant": "a problem is present and was not fixed (fix off, opt-in, cooldown, dry-run)",
    "failed": "a fix ran and failed, or the problem came back at once",
    "needs_attention": "a fix failed the configured number of times; fixes stop until the state is reset",
    "error": "the run itself failed (a check errored, unreadable output, launcher problem)",
}

_STATUS = "{label}: {package} {outcome} on {computer}; failing: {failing}"


@dataclass(frozen=True)
class CustomField:
    """Where a script can store its status line on the RMM's device record, named at run time by an input.

    ``ninja``: the agent's ``Ninja-Property-Set FIELD VALUE`` command (the input names the field).
    ``datto_udf``: the agent reads ``HKLM\\SOFTWARE\\CentraStage\\Custom<N>`` (the input gives N, 1-30) and
    uploads it as user-defined field N; the value is cut to the UDF's 255 characters.
    """

    kind: str
    input: str
    max_chars: int = 0  # 0: no cut


@dataclass(frozen=True)
class Profile:
    """How one consumer reads a run: exit code per outcome (None: by phase and verdict, as Intune) and lines."""

    name: str
    title: str
    lines: tuple[str, ...]  # templates; {name} placeholders from TEMPLATE_FIELDS
    exits: Mapping[str, int] | None
    custom_field: CustomField | None = None
    limit: limits.ScriptLimit = limits.INTUNE_LIMIT  # the vendor's script size limit
    packed: bool = False  # deliver as a short loader around the gzip + base64 of the script (to fit ``limit``)

    @property
    def phase_exit(self) -> bool:
        return self.exits is None

    @property
    def host_exit(self) -> bool:
        """Whether the script must also hand its exit code to the host ($host.SetShouldExit) before ``exit``.

        An agent that starts ``powershell.exe ... <file>`` without ``-File`` runs the file through ``-Command``
        (Tactical RMM does), and then ``exit N`` reaches the process as 0 or 1 only; the host's exit code does
        survive. Needed by every profile with a code other than 0 and 1; harmless under ``-File``.
        """
        return self.exits is not None and any(code not in (0, 1) for code in self.exits.values())


def _codes(*values: int) -> dict[str, int]:
    return dict(zip(OUTCOMES, values, strict=True))


#                                 compliant skipped remediated busy deferred non_compl failed needs_att error
PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("intune", "Intune Remediations (default)", ("{json}",), None),
    Profile("json", "generic: our JSON result line (Atera, custom tools)", ("{json}",), None),
    Profile("nagios", "Nagios / Icinga plugin convention",
            ("{label} - {package} {outcome} on {computer}; failing: {failing} | failing={count};;;0 "
             "duration={duration_ms}ms",),
            _codes(0, 0, 0, 3, 1, 1, 2, 2, 3)),
    Profile("tactical", "Tactical RMM script check", ("{json}", _STATUS),
            _codes(0, 11, 10, 12, 21, 20, 30, 31, 32), limit=limits.UNDOCUMENTED_LIMIT),
    Profile("datto", "Datto RMM monitor component",
            ("<-Start Diagnostic->", "{json}", "<-End Diagnostic->", "<-Start Result->",
             "Status=" + _STATUS, "<-End Result->"),
            _codes(0, 0, 0, 0, 1, 1, 1, 1, 1),
            custom_field=CustomField("datto_udf", "REMEDIATE_DATTO_UDF", limits.DATTO_UDF_MAX_CHARS),
            limit=limits.UNDOCUMENTED_LIMIT),
    Profile("ninjaone", "NinjaOne script / condition", ("{json}", _STATUS),
            _codes(0, 0, 0, 0, 1, 1, 2, 2, 3), custom_field=CustomField("ninja", "REMEDIATE_NINJA_FIELD"),
            limit=limits.UNDOCUMENTED_LIMIT),
    Profile("nsight", "N-able N-sight script check", ("{json}", _STATUS),
            _codes(0, 0, 0, 0, 1002, 1001, 1003, 1004, 1005), limit=limits.NSIGHT_LIMIT, packed=True),
)}
DEFAULT_PROFILE = "intune"

# Tactical RMM: the codes to enter on the script check (everything else, and its reserved codes, is failing).
TACTICAL_RESERVED = (98, 85, 65)
# Tactical RMM 1.2.0+ "success return codes" pass the check; "informational" and "warning" codes still mark it
# failing (with that severity). So the OK outcomes are success codes; a busy mutex is informational.
TACTICAL_SUCCESS = tuple(sorted({PROFILES["tactical"].exits[o] for o in OUTCOMES if SEVERITY[o] == "OK"} - {0}))
TACTICAL_INFO = tuple(sorted({PROFILES["tactical"].exits[o] for o in ("mutex_busy",)}))
TACTICAL_WARNING = tuple(sorted({PROFILES["tactical"].exits[o] for o in ("deferred", "non_compliant")}))

TEMPLATE_FIELDS = ("label", "outcome", "package", "computer", "failing", "count", "duration_ms", "json")

# Inputs of the RMM scripts: environment variables (RMMs pass script variables that way) or NAME=VALUE
# script arguments. Strings; a switch is on only for one of TRUE_WORDS, so an unset or odd value is safe.
INPUTS: dict[str, tuple[str, str]] = {
    "Fix": ("REMEDIATE_FIX", "run the remediation (re-detect, fix, verify) instead of detection only"),
    "DryRun": ("REMEDIATE_DRY_RUN", "with REMEDIATE_FIX: describe the fixes, change nothing"),
    "ResetState": ("REMEDIATE_RESET_STATE", "delete the package's backoff state first (clears needs_attention)"),
}
TRUE_WORDS = ("1", "true", "yes", "on")
# NinjaOne sends an empty script variable as this literal text: it means "not set".
EMPTY_WORDS = ("null",)


def camel_alias(name: str) -> str:
    """NinjaOne's environment variable for a script variable displayed as ``name`` in words: camelCase
    (``REMEDIATE_FIX`` -> ``remediateFix``); a display name keeps no underscores (DOMAIN.md section 6)."""
    head, *rest = name.lower().split("_")
    return head + "".join(word.capitalize() for word in rest)


def input_names(name: str) -> list[str]:
    """Every environment variable an input may arrive in, canonical name first."""
    return [name, camel_alias(name)]

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")
_NON_ASCII = re.compile(r"[^\x20-\x7e]")
_TOKEN = re.compile(r"(\{[a-z_]+\})")


@dataclass(frozen=True)
class Rendered:
    lines: tuple[str, ...]
    exit_code: int
    outcome: str


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown RMM profile {name!r} (known: {', '.join(PROFILES)})") from None


def outcome_of(result: Mapping[str, Any]) -> str:
    """The outcome of a result dict: a mapped reason first, else the verdict; anything unknown is an error."""
    reason = str(result.get("reason") or "")
    if reason in REASON_OUTCOMES:
        return reason
    verdict = str(result.get("verdict") or "")
    return verdict if verdict in SEVERITY else "error"


def exit_code(profile: Profile, outcome: str, phase: Phase | str, verdict: str | None = None) -> int:
    if profile.exits is not None:
        return profile.exits[outcome]
    if verdict not in {v.value for v in Verdict}:
        verdict = REASON_VERDICT[outcome].value if outcome in REASON_VERDICT else outcome
    return script_exit_code(phase, verdict)


def _fields(result: Mapping[str, Any], outcome: str, json_line: str) -> dict[str, str]:
    """Mirror of Get-RmTemplateValue (powershell/profiles/mapped/), the values Format-RmProfileOutput fills in."""
    ids = [_UNSAFE_ID.sub("_", str(x)) for x in (result.get("failing") or [])]
    values = {
        "label": SEVERITY[outcome],
        "outcome": outcome,
        "package": str(result.get("package") or "-"),
        "computer": str(result.get("computer") or "-"),
        "failing": ",".join(ids) or "none",
        "count": str(len(ids)),
        "duration_ms": str(int(result.get("duration_ms") or 0)),
        "json": json_line,
    }
    return {k: _NON_ASCII.sub("?", v) for k, v in values.items()}


def expand(template: str, values: Mapping[str, str]) -> str:
    """One pass over ``{name}`` tokens (a value is never expanded again); unknown tokens stay as written."""
    return "".join(values.get(part[1:-1], part) if _TOKEN.fullmatch(part) else part
                   for part in _TOKEN.split(template))


def format_result(profile: Profile | str, result: Mapping[str, Any], json_line: str | None = None,
                  phase: Phase | str | None = None) -> Rendered:
    """The lines and exit code a script in ``profile`` writes for ``result`` (a parsed result line)."""
    profile = get_profile(profile) if isinstance(profile, str) else profile
    line = json_line if json_line is not None else json.dumps(result, separators=(",", ":"))
    outcome = outcome_of(result)
    code = exit_code(profile, outcome, phase or result.get("phase") or Phase.DETECT, str(result.get("verdict")))
    values = _fields(result, outcome, line)
    return Rendered(tuple(expand(t, values) for t in profile.lines), code, outcome)


def parse_relayed(line: str, package: str, phase: str) -> dict[str, Any]:
    """Mirror of ConvertFrom-RmResultLine: the summary of a relayed JSON line, an error when unreadable."""
    summary: dict[str, Any] = {"package": package, "phase": phase, "verdict": "error", "reason": "unhandled_error",
                               "computer": "", "failing": [], "duration_ms": 0}
    try:
        data = json.loads(line)
    except ValueError:
        return summary
    if isinstance(data, dict):
        summary.update({k: data[k] for k in summary if k in data})
    return summary


# -- the PowerShell side -------------------------------------------------------------------------------------
def output_config(profile: Profile | str, package: str, phase: Phase | str) -> dict[str, Any]:
    """``$RmOutput`` of a script: the selected profile's rows, templates and fixed fallback (ps_value-ready)."""
    profile = get_profile(profile) if isinstance(profile, str) else profile
    if profile.phase_exit:  # the pass-through formatter reads nothing else
        return {"Profile": profile.name, "PhaseExit": True, "HostExit": False}
    fallback = {"schema_version": 1, "package": package, "phase": Phase(phase).value, "verdict": "error",
                "reason": "unhandled_error", "findings": []}
    rendered = format_result(profile, fallback, phase=phase)
    return {
        "Profile": profile.name,
        "PhaseExit": profile.phase_exit,
        "Reasons": list(REASON_OUTCOMES),
        "Outcomes": {o: {"Exit": None if profile.exits is None else profile.exits[o], "Label": SEVERITY[o]}
                     for o in OUTCOMES},
        "Lines": list(profile.lines),
        "CustomField": _custom_field_config(profile.custom_field),
        "StatusIndex": status_index(profile),
        "HostExit": profile.host_exit,
        "Fallback": list(rendered.lines),
        "FallbackExit": rendered.exit_code,
    }


def status_index(profile: Profile) -> int:
    """Which output line is the human-readable status (the last template with ``{label}``): what a custom
    field receives. Datto's is not its last line (its result block ends with a marker)."""
    return max((i for i, template in enumerate(profile.lines) if "{label}" in template), default=0)


def _custom_field_config(field: CustomField | None) -> dict[str, Any]:
    if field is None:
        return {"Kind": "", "MaxChars": 0, "Count": 0}
    return {"Kind": field.kind, "MaxChars": field.max_chars, "Count": limits.DATTO_UDF_COUNT}


def inputs_config(profile: Profile | str = DEFAULT_PROFILE) -> dict[str, Any]:
    """``$RmRmm`` of an RMM script: the input names (with the profile's custom-field input as 'CustomField'),
    every name each may arrive in, and the words that turn a switch on or mean "not set"."""
    profile = get_profile(profile) if isinstance(profile, str) else profile
    names = {key: input_names(name) for key, (name, _) in INPUTS.items()}
    if profile.custom_field is not None:
        names["CustomField"] = input_names(profile.custom_field.input)
    return {"Inputs": {key: name for key, (name, _) in INPUTS.items()}, "Names": names,
            "TrueWords": list(TRUE_WORDS), "EmptyWords": list(EMPTY_WORDS)}


# -- remediate run --format ----------------------------------------------------------------------------------
_STATUS_VERDICT = {status: verdict.value for status, (verdict, _) in FLEET_STATUS.items()}


def record_result(record: Mapping[str, Any]) -> dict[str, Any]:
    """A fleet record (``remediate run``) as a result dict for ``format_result``."""
    reasons = [str(p.get("reason")) for p in record.get("phases") or [] if p.get("reason") in REASON_OUTCOMES]
    return {"package": record.get("package"), "computer": record.get("host"),
            "verdict": _STATUS_VERDICT.get(str(record.get("status")), "error"),
            "reason": reasons[-1] if reasons else "", "failing": list(record.get("failing") or []),
            "duration_ms": int(float(record.get("duration_s") or 0) * 1000)}


def format_records(profile: Profile | str, records: Sequence[Mapping[str, Any]], package: str,
                   phase: Phase | str) -> Rendered:
    """Hosts of one ``remediate run`` in a profile: one host as its script would answer; several hosts as
    one block whose status line names the worst outcome and the hosts not OK, and one JSON line per host."""
    profile = get_profile(profile) if isinstance(profile, str) else profile
    ordered = sorted(records, key=lambda r: str(r.get("host", "")).lower())
    results = [record_result(r) for r in ordered]
    lines = [json.dumps(r, sort_keys=True, separators=(",", ":")) for r in ordered]
    if len(results) == 1:
        return format_result(profile, results[0], lines[0], phase)
    outcomes = [outcome_of(r) for r in results]
    worst = max(outcomes, key=OUTCOMES.index, default="compliant")
    bad = [r["computer"] for r, o in zip(results, outcomes, strict=True) if SEVERITY[o] != "OK"]
    combined = {"package": package, "computer": f"{len(results)} hosts", "failing": bad,
                "duration_ms": max((r["duration_ms"] for r in results), default=0),
                "verdict": worst if worst not in REASON_OUTCOMES else REASON_VERDICT[worst].value,
                "reason": worst if worst in REASON_OUTCOMES else ""}
    values = _fields(combined, worst, "")
    out: list[str] = []
    for template in profile.lines:
        out += [_NON_ASCII.sub("?", x) for x in lines] if template == "{json}" else [expand(template, values)]
    code = max((exit_code(profile, o, phase, r["verdict"]) for o, r in zip(outcomes, results, strict=True)),
               default=0) if profile.exits is None else profile.exits[worst]
    return Rendered(tuple(out), code, worst)


# -- docs ----------------------------------------------------------------------------------------------------
def _exit_cell(profile: Profile, outcome: str) -> str:
    if profile.exits is not None:
        return str(profile.exits[outcome])
    return f"{exit_code(profile, outcome, Phase.DETECT)} / {exit_code(profile, outcome, Phase.REMEDIATE)}"


def mapping_markdown() -> str:
    """The mapping table of docs/rmm.md (between its generated-table markers)."""
    names = list(PROFILES)
    rows = ["| outcome | text | " + " | ".join(f"`{n}`" for n in names) + " | meaning |",
            "|---|---|" + "---|" * len(names) + "---|"]
    for outcome in OUTCOMES:
        cells = " | ".join(_exit_cell(PROFILES[n], outcome) for n in names)
        rows.append(f"| `{outcome}` | {SEVERITY[outcome]} | {cells} | {MEANING[outcome]} |")
    lines = rows + [
        "",
        "`intune` and `json` exit by phase and verdict (detection / remediation, as in docs/results.md); the "
        "RMM script's phase is `remediate` when REMEDIATE_FIX is on, else `detect`.",
        "",
        "Output lines per profile (`{json}` is the result line of docs/results.md):",
        "",
    ]
    for name in names:
        lines.append(f"- `{name}`: " + " / ".join(f"`{t}`" for t in PROFILES[name].lines))
    lines += ["", "Inputs (environment variables or `NAME=VALUE` script arguments; on = "
              + ", ".join(f"`{w}`" for w in TRUE_WORDS) + ", anything else or unset = off):", ""]
    lines += [f"- `{name}` (NinjaOne: `{camel_alias(name)}`): {text}" for name, text in INPUTS.values()]
    for name in names:
        field = PROFILES[name].custom_field
        if field is not None:
            alias = f"NinjaOne: `{camel_alias(field.input)}`; " if field.kind == "ninja" else ""
            lines.append(f"- `{field.input}` ({alias}`{name}` only): "
                         + CUSTOM_FIELD_HELP[field.kind] + "; empty or `null` = no write")
    lines += ["", "Script size limit per profile (characters; every script is ASCII, so also bytes):", ""]
    lines += [f"- `{name}`: {PROFILES[name].limit.max_chars:,} ({PROFILES[name].limit.what})"
              + ("; delivered as a compressed loader" if PROFILES[name].packed else "") for name in names]
    return "\n".join(lines)


CUSTOM_FIELD_HELP = {
    "ninja": "the NinjaOne custom field to receive the status line",
    "datto_udf": f"the Datto RMM UDF number (1-{limits.DATTO_UDF_COUNT}) to receive the status line, "
                 f"cut to {limits.DATTO_UDF_MAX_CHARS} characters",
}


MARK_START = "<!-- generated: rmm mapping (remediate generate); do not edit by hand -->"
MARK_END = "<!-- end of generated rmm mapping -->"
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "rmm.md"


def splice_doc(text: str) -> str:
    """``text`` (docs/rmm.md) with the generated block replaced by the current table."""
    head, sep, rest = text.partition(MARK_START)
    _, sep2, tail = rest.partition(MARK_END)
    if not sep or not sep2:
        raise ConfigError("docs/rmm.md lacks the generated-table markers", file=str(DOC_PATH))
    return f"{head}{MARK_START}\n{mapping_markdown()}\n{MARK_END}{tail}"


def known_profiles() -> Iterable[str]:
    return PROFILES.keys()
