"""``remediate collect``: the package's support bundle made on each host and brought back here.

First pipeline: the collect script (``render.render_maintenance_script(package, Phase.COLLECT)``; the same one
ships as detection_scripts/<package>/collect.ps1 for Intune and RMM tools) writes
``remediate\\collect\\bundle-<package>.zip`` on the device and answers its path, size and SHA-256. Second
pipeline: ``powershell/probe/Read-RmBundle.ps1`` sends the file back as base64 lines; it is checked against
that size and hash and written to ``<out>/<host>-<package>.zip``. What the bundle holds: remediate/collect_spec.py.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from remediate import collect_spec
from remediate.errors import ExitCode, RunnerError
from remediate.fsutil import write_atomic
from remediate.output import Result
from remediate.runners import make_runner
from remediate.runners.base import ConnectionSettings

# The bundle's zip is at most its items plus zip overhead; anything bigger is not ours.
MAX_TRANSFER_BYTES = collect_spec.MAX_BUNDLE_BYTES + 1024 * 1024


def bundle_path_problem(path: str, package_id: str) -> str | None:
    """Only the collect script's own bundle file may be read back (a host's answer names it)."""
    expected = f"\\remediate\\collect\\bundle-{package_id}.zip"
    if not path.lower().endswith(expected.lower()) or ".." in path or not re.match(r"^[A-Za-z]:\\", path):
        return f"the collect script named {path!r}, not a bundle file ({expected})"
    return None


def read_script(path: str) -> str:
    text = (resources.files("remediate") / "powershell" / "probe" / "Read-RmBundle.ps1").read_text("ascii")
    # As base64 of its UTF-8: the script stays ASCII and no quote in a path can end the literal.
    encoded = base64.b64encode(path.encode("utf-8")).decode("ascii")
    return text.replace("'@@PATH@@'", f"[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('{encoded}'))")


def decode_transfer(stdout: str, size: int, sha256: str) -> bytes:
    """The bytes from the read script's lines; ValueError when they are not the bundle the host announced."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines or json.loads(lines[-1]).get("bytes") != size:
        raise ValueError("the transfer ended early")
    try:
        data = base64.b64decode("".join(lines[:-1]), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"the transfer is not base64 ({exc})") from None
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError("the bundle arrived damaged (size or SHA-256 differ)")
    return data


def collect_host(host: str, settings: ConnectionSettings, script: str, package_id: str, out_dir: Path, *,
                 timeout_s: float) -> dict[str, Any]:
    """Make the bundle on ``host`` and bring it back; one record."""
    from remediate.results import ResultParseError, parse_result_line

    record: dict[str, Any] = {"host": host, "file": None, "bytes": 0, "files": [], "omitted": [], "error": None}
    try:
        with make_runner(settings.with_host(host)) as runner:
            result = parse_result_line(runner.run_script(script, timeout_s=timeout_s).stdout).data
            facts = next((f.get("facts") or {} for f in result.get("findings") or [] if f.get("id") == "bundle"), {})
            if result.get("verdict") != "compliant" or not facts:
                raise ValueError(f"no bundle ({result.get('verdict')}: {result.get('reason') or 'no reason'})")
            problem = bundle_path_problem(str(facts.get("path")), package_id)
            size = int(facts.get("bytes") or 0)
            if problem or size > MAX_TRANSFER_BYTES:
                raise ValueError(problem or f"the bundle is {size} bytes, over the cap")
            outcome = runner.run_script(read_script(str(facts["path"])), timeout_s=timeout_s)
        data = decode_transfer(outcome.stdout, size, str(facts.get("sha256")))
        target = out_dir / f"{re.sub(r'[^A-Za-z0-9._-]', '_', host)}-{package_id}.zip"
        write_atomic(target, data)
        record.update(file=str(target), bytes=size, files=list(facts.get("files") or []),
                      omitted=list(facts.get("omitted") or []))
    except RunnerError as err:
        record["error"] = {"code": err.code, "message": str(err)}
    except (ResultParseError, ValueError) as exc:
        record["error"] = {"code": "bad_output", "message": f"{host}: {exc}"}
    return record


def collect_result(records: list[dict[str, Any]]) -> Result:
    lines = []
    for r in records:
        if r["error"]:
            lines.append(f"{r['host']}: error {r['error']['code']}: {r['error']['message']}")
        else:
            left = f"; left out: {', '.join(r['omitted'])}" if r["omitted"] else ""
            lines.append(f"{r['host']}: {r['file']} ({r['bytes']} bytes, {len(r['files'])} files){left}")
    failed = any(r["error"] for r in records)
    return Result("collect", records, lines, rows=records, exit_code=ExitCode.HOST_ERROR if failed else ExitCode.OK)


def collect_hosts(hosts: list[str], settings: ConnectionSettings, script: str, package_id: str, out_dir: Path, *,
                  concurrency: int, timeout_s: float) -> list[dict[str, Any]]:
    from concurrent.futures import ThreadPoolExecutor

    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(hosts)))) as pool:
        return list(pool.map(lambda h: collect_host(h, settings, script, package_id, out_dir, timeout_s=timeout_s),
                             hosts))
