"""A simulated Windows behind the loopback WS-Management endpoint: the machine a ``remediate run`` reaches.

    sim = RemoteSim(tmp_path, healthy())          # the machine as plain data (machine.py)
    host = server.add_host(HostProgram(pwsh=sim.pwsh_config()))
    ... remediate run <host> --port N ...          # every script the host receives is spliced (splice.py)
    sim.sync(); sim.machine.value(...)             # what the runs changed, carried over to the machine

The host's PowerShell is real (``pwsh -s`` over PSRP, ``pwsh`` for WinRS cmd shells); the script text it is
sent is rewritten by splice.py before it runs, exactly as tests/simwin/run.py does for a local run, and the
machine (state file, folders, culture) reaches it through the environment. Before each script, what the
previous one changed (SIMWIN_AFTER) is folded into the state file, so the verify after a remediation in its
own pipeline sees the fix, as on a real machine.
"""

from __future__ import annotations

import json
import os
import re
import uuid
import threading
from pathlib import Path

from simwin.machine import Machine
from simwin.run import LOCALES, machine_paths
from simwin.splice import splice


class RemoteSim:
    def __init__(self, tmp: Path, machine: Machine, *, stall_s: float = 0.0) -> None:
        """``stall_s``: every script first sleeps this long (a host whose scripts hang, for deadlines)."""
        self.tmp, self.machine, self.stall_s = Path(tmp), machine, stall_s
        self.root = self.tmp / "root"
        self.state_file, self.after_file = self.tmp / "machine.json", self.tmp / "after.json"
        self.machine_id = uuid.uuid4().hex[:12]
        self.journal: list[str] = []
        self.scripts: list[str] = []  # the script texts the host was sent (before splicing)
        self._lock = threading.Lock()
        for folder in machine_paths(self.root, machine).values():
            folder.mkdir(parents=True, exist_ok=True)
        for relative, content in machine.files.items():
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (self.tmp / "home").mkdir(exist_ok=True)
        self._write()

    def _write(self) -> None:
        self.state_file.write_text(json.dumps(self.machine.state), encoding="utf-8")
        self.after_file.write_text(json.dumps({"journal": []}), encoding="utf-8")

    def sync(self) -> None:
        """Fold what the last script changed into the machine (and its state file for the next script)."""
        with self._lock:
            after = json.loads(self.after_file.read_text(encoding="utf-8"))
            self.journal += after.get("journal", [])
            for key, value in after.items():
                if key != "journal":
                    self.machine.state[key] = value
            self._write()

    def rewrite(self, script: str) -> str:
        self.sync()
        with self._lock:
            self.scripts.append(script)
        stall = f"Start-Sleep -Seconds {self.stall_s}\r\n" if self.stall_s else ""
        # Named mutexes are per machine on Windows; here every simulated machine shares one kernel.
        own = re.sub(r"('MutexName' = 'Global\\[^']*)'", lambda m: f"{m.group(1)}-{self.machine_id}'", script, count=1)
        return stall + splice(own)

    def mutex_name(self, name: str) -> str:
        """The named mutex a script of this machine takes for ``name`` (its package's MutexName): ``rewrite``
        adds the machine id, and the simulated Windows' Enter-RmMutex (SimWindows.ps1) the machine's folder."""
        folder = re.sub(r"[^A-Za-z0-9]", "_", str(self.state_file.parent.parent))[-120:]
        return f"{name}-{self.machine_id}-{folder}"

    def env(self) -> dict[str, str]:
        locale = LOCALES[self.machine.culture]
        env = {"HOME": str(self.tmp / "home"), "LANG": locale, "LC_ALL": locale, "COMPUTERNAME": "PC-0042",
               "SIMWIN_STATE": str(self.state_file), "SIMWIN_AFTER": str(self.after_file),
               "POWERSHELL_TELEMETRY_OPTOUT": "1", "POWERSHELL_UPDATECHECK": "Off",
               "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "PATH": os.environ.get("PATH", "")}
        env.update({k: str(v) for k, v in machine_paths(self.root, self.machine).items()})
        return env

    def pwsh_config(self):
        from tests.wsman_server.pwsh_bridge import PwshConfig

        return PwshConfig(env=self.env(), rewrite=self.rewrite)
