"""The scenario API the matrix tests use: one simulated machine, the package's scripts, runs that carry state.

    sim = Sim.device(tmp_path)            # a healthy device, the device package's scripts, run as SYSTEM
    sim.machine.set_value(...)            # break something
    run = sim.detect()                    # real pwsh, contract asserted
    assert run.finding("tls12_machine")["state"] == "fail"
    sim.remediate(); sim.detect()         # state carries over: registry, services, files, state file, clock

Options for one check render the package anew from a temporary copy (tests/checkutil.py).
"""

from __future__ import annotations

import functools
from pathlib import Path

from remediate.render import render_package
from checkutil import DEVICE_TOML, USER_TOML, parse_with
from simwin.machine import Machine, healthy
from simwin.run import Run, run_script

BUDGET_S = {"device": 60.0, "user": 60.0}


class Sim:
    def __init__(self, tmp: Path, package: str, machine: Machine, scripts: dict[str, str]):
        self.tmp, self.package, self.machine, self.scripts = tmp, package, machine, scripts
        self.runs: list[Run] = []

    @classmethod
    def device(cls, tmp: Path, account: str = "system", check: str | None = None, **options) -> "Sim":
        return cls(tmp, "device", healthy(account), _scripts(tmp, "device", check, options))

    @classmethod
    def user(cls, tmp: Path, account: str = "user", check: str | None = None, **options) -> "Sim":
        return cls(tmp, "user", healthy(account), _scripts(tmp, "user", check, options))

    def run(self, phase: str, *, env: dict[str, str] | None = None, **kwargs) -> Run:
        run = run_script(self.scripts[phase], self.machine, self.tmp, name=f"{phase}.ps1", env=env,
                         budget_s=BUDGET_S[self.package], **kwargs)
        self.runs.append(run)
        return run

    def detect(self, **kwargs) -> Run:
        return self.run("detect", **kwargs)

    def remediate(self, **kwargs) -> Run:
        return self.run("remediate", **kwargs)

    def dry_run(self, **kwargs) -> Run:
        return self.run("remediate", env={"REMEDIATE_DRY_RUN": "1"}, **kwargs)

    def state_file(self) -> dict[str, str]:
        """The package's backoff state file as key=value pairs ({} when absent)."""
        root = self.tmp / "root"
        base = root / "ProgramData" if self.package == "device" else root / "Users" / self.machine.user_name / "AppData" / "Local"
        path = base / "remediate" / "state" / f"caa20002-{self.package}.state"
        if not path.exists():
            return {}
        return dict(line.split("=", 1) for line in path.read_text(encoding="ascii").splitlines() if "=" in line)


def _scripts(tmp: Path, package: str, check: str | None, options: dict) -> dict[str, str]:
    if check is None:
        return _shipped_scripts(package)
    toml = DEVICE_TOML if package == "device" else USER_TOML
    folder = tmp / "package"
    folder.mkdir(exist_ok=True)
    return _texts(render_package(parse_with(folder, toml, check, **options)))


@functools.cache
def _shipped_scripts(package: str) -> dict[str, str]:
    from remediate.packages import load_packages
    root = Path(__file__).resolve().parents[2]
    for pkg in load_packages(root / "packaging"):
        if pkg.id.endswith("-" + package):
            return _texts(render_package(pkg))
    raise LookupError(package)


def _texts(rendered) -> dict[str, str]:
    return {"detect": rendered.detect.decode("ascii"), "remediate": rendered.remediate.decode("ascii")}
