"""NTLM credentials derived once per password, not once per host.

pyspnego derives the LM and NT one-way hashes from the password for every context it makes, and the LM hash
is DES in pure Python: ~10 % of the client's CPU per host in a fleet run (bench/fleet.py). The same
credential is used for every host of a run, so the hashes are computed once and pyspnego is handed them
instead: as an ``NTLMHash`` credential (pyspnego uses it for NTLM, and the password after it for Kerberos),
or as the ``LMHASH:NTHASH`` password string that pyspnego and requests-ntlm recognise (NTLM-only paths).
The hashes are what the password is worth to NTLM; they live as long as the password does, in this process.
"""

from __future__ import annotations

import base64
import functools

import spnego
from spnego._ntlm_raw.crypto import is_ntlm_hash, lmowfv1, ntowfv1  # private module; pinned by tests/test_runners_perf.py


@functools.lru_cache(maxsize=8)
def ntlm_hash_password(password: str) -> str:
    """``password`` as pyspnego's 'LMHASH:NTHASH' form (32 hex digits each); a hash given stays as it is."""
    if is_ntlm_hash(password):
        return password
    return f"{base64.b16encode(lmowfv1(password)).decode()}:{base64.b16encode(ntowfv1(password)).decode()}"


def negotiate_credentials(username: str, password: str) -> list[spnego.Credential]:
    """For Negotiate: the precomputed hashes for NTLM, the password itself for Kerberos."""
    lm, nt = ntlm_hash_password(password).split(":")
    return [spnego.NTLMHash(username=username, lm_hash=lm, nt_hash=nt), spnego.Password(username, password)]
