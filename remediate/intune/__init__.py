"""Intune delivery: bundles, signing, publishing through Microsoft Graph, fleet results and on-demand runs.

Layers, lowest first: ``remediate.fsutil`` (atomic, deterministic files; shared with the generator) ->
``bundle`` / ``signing`` (offline) -> ``permissions`` (what each command needs) -> ``graph`` / ``graph_errors``
(HTTP client) -> ``publish`` / ``fleet_results`` / ``trigger`` (Graph use cases). Nothing here imports click;
``remediate/cli.py`` wraps these functions.
"""
