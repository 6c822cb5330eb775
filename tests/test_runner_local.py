"""The local runner: detecting LocalSystem, so user packages go through the interactive-user launcher."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("environ", "expected"), [
    ({"COMPUTERNAME": "PC-1", "USERNAME": "PC-1$", "USERPROFILE": r"C:\Windows\system32\config\systemprofile"}, True),
    ({"COMPUTERNAME": "PC-1", "USERNAME": "alice", "USERPROFILE": r"C:\Users\alice"}, False),
    ({"USERNAME": "root"}, False),
], ids=["system", "user", "not-windows"])
def test_running_as_system(environ, expected):
    from remediate.runners.local import running_as_system

    assert running_as_system(environ) is expected
