"""Network connectors: fetch and normalize inbound items, perform outbound actions.

Connectors import no storage: they speak the normalized types in ``types.py``.
"""
