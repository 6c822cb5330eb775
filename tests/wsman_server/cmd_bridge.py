"""A WinRS cmd shell of the loopback server whose ``powershell.exe`` is a real PowerShell (pwsh).

The WinRM runner launches ``powershell.exe -NoProfile ... -EncodedCommand <bootstrap>`` and sends the script on
stdin; the bootstrap writes it to ``$env:TEMP`` and runs ``& "$PSHOME\\powershell.exe" ... -File``. Here the
command line runs in pwsh started from a *simulated PSHOME*: a hard-linked copy of the PowerShell folder with a
``powershell.exe`` in it that starts that same pwsh, so the bootstrap runs exactly as sent (``$input``, the temp
file, ``-File``, ``exit $rc``). Its stdout, stderr (CLIXML or text, whatever PowerShell writes) and exit code
come back through Receive. ``PwshConfig.rewrite`` (a simulated Windows) rewrites the script on stdin: the text
the host was sent, before PowerShell sees it. Signal terminate (the runner's deadline) kills the process group.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import threading
import uuid
from pathlib import Path

from .pwsh_bridge import PwshConfig, find_pwsh
from .shells import CmdShell, HostState, _Command

CMD_NOT_FOUND = 9009  # cmd.exe: "'x' is not recognized as an internal or external command"


@functools.cache
def simulated_pshome(executable: str, workdir: Path) -> Path:
    """A copy of the PowerShell install (hard links where possible) whose $PSHOME holds ``powershell.exe``;
    returns the copy's executable."""
    real = Path(executable).resolve()
    pshome = Path(subprocess.run([str(real), "-NoLogo", "-NoProfile", "-Command", "$PSHOME"], capture_output=True,
                                 text=True, check=True, timeout=60).stdout.strip()).resolve()
    top = Path(os.path.commonpath([real.parent, pshome]))
    copy = workdir / "pshome"
    if not copy.exists():
        try:
            shutil.copytree(top, copy, copy_function=os.link, symlinks=True)
        except OSError:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(top, copy, symlinks=True)
    exe = copy / real.relative_to(top)
    launcher = copy / pshome.relative_to(top) / "powershell.exe"
    launcher.write_text(f'#!/bin/sh\nexec "{exe}" "$@"\n')
    launcher.chmod(0o755)
    return exe


def split_command_line(line: str) -> list[str]:
    """A Windows command line into argv, as CommandLineToArgvW does (WinRS passes the arguments as one string):
    whitespace separates, double quotes group, 2n backslashes before a quote are n and the quote counts,
    2n+1 are n and a literal quote."""
    args: list[str] = []
    current, quoted, started, i = [], False, False, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            run = len(line) - len(line[i:].lstrip("\\"))
            n = run - i
            if i + n < len(line) and line[i + n] == '"':
                current.append("\\" * (n // 2))
                if n % 2:
                    current.append('"')
                    i += n + 1
                else:
                    i += n
                started = True
                continue
            current.append("\\" * n)
            i += n
            started = True
            continue
        if ch == '"':
            quoted, started = not quoted, True
        elif ch in " \t" and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(ch)
            started = True
        i += 1
    if started:
        args.append("".join(current))
    return args


class PwshCmdShell(CmdShell):
    """One WinRS shell; each command is a process (its own group, so a stop also ends the bootstrap's child)."""

    def __init__(self, host: HostState, shell_id: str, config: PwshConfig, workdir: Path) -> None:
        super().__init__(host, shell_id)
        self.config = config
        self.exe = simulated_pshome(config.executable or find_pwsh() or "pwsh", Path(workdir))
        self.temp = Path(workdir) / "Temp"  # Windows always has one; the bootstrap writes the script there
        self.temp.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self.stdin: dict[str, bytearray] = {}

    def command(self, command_id: str | None, args: list[str], executable: str = "") -> str:
        cmd = _Command(command_id or str(uuid.uuid4()).upper(), script_from_stdin=True)
        self.commands[cmd.id] = cmd
        if Path(executable.replace("\\", "/")).name.lower() not in ("powershell.exe", "powershell"):
            cmd.stderr += f"'{executable}' is not recognized as an internal or external command.\r\n".encode()
            cmd.exit_code = CMD_NOT_FOUND
            return cmd.id
        proc = subprocess.Popen([str(self.exe), *split_command_line(" ".join(args))], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1", "TEMP": str(self.temp), **self.config.env},
                                start_new_session=True)
        self.procs[cmd.id] = proc
        self.stdin[cmd.id] = bytearray()
        readers = [threading.Thread(target=self._pump, args=(pipe, buf), daemon=True)
                   for pipe, buf in ((proc.stdout, cmd.stdout), (proc.stderr, cmd.stderr))]
        for reader in readers:
            reader.start()
        threading.Thread(target=self._wait, args=(cmd, proc, readers), daemon=True).start()
        return cmd.id

    def _pump(self, pipe, buf: bytearray) -> None:
        for chunk in iter(lambda: pipe.read1(65536), b""):
            with self.host.cond:
                buf += chunk
                self.host.cond.notify_all()

    def _wait(self, cmd: _Command, proc: subprocess.Popen, readers: list[threading.Thread]) -> None:
        code = proc.wait()
        for reader in readers:
            reader.join()
        with self.host.cond:
            cmd.exit_code = code & 0xFFFFFFFF if code >= 0 else 1
            self.host.cond.notify_all()

    def send(self, stream: str, command_id: str | None, data: bytes, end: bool) -> None:
        proc = self.procs.get(command_id or "")
        if proc is None:
            return super().send(stream, command_id, data, end)
        pending = self.stdin[command_id]
        pending += data
        if not end:
            return
        text = bytes(pending)
        if self.config.rewrite is not None:
            with self.host.cond:
                self.host.scripts.append(text.decode("utf-8", "replace"))
            text = self.config.rewrite(text.decode("utf-8")).encode("utf-8")
        threading.Thread(target=self._feed, args=(proc, text), daemon=True).start()

    @staticmethod
    def _feed(proc: subprocess.Popen, data: bytes) -> None:
        try:
            proc.stdin.write(data)
            proc.stdin.close()
        except (OSError, ValueError):
            pass

    def _kill(self, command_id: str) -> None:
        proc = self.procs.pop(command_id, None)
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

    def signal(self, command_id: str, code: str) -> None:
        self._kill(command_id)
        super().signal(command_id, code)

    def close(self) -> None:
        for command_id in list(self.procs):
            self._kill(command_id)
        super().close()


__all__ = ["PwshCmdShell", "simulated_pshome"]
