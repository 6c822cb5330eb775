"""Loopback WS-Management server for end-to-end runner tests (PSRP via psrpcore, WinRM cmd shell, NTLM).

    with LoopbackServer(tmp_path) as server:
        host = server.add_host(HostProgram(...))   # a loopback address, e.g. 127.0.1.7
        ... connect to host:server.port ...
        server.host(host).requests                 # HTTP round trips this host answered
"""

from .engine import Action, HostProgram, interpret
from .server import LoopbackServer, next_address

__all__ = ["Action", "HostProgram", "LoopbackServer", "interpret", "next_address"]
