"""What cameos tell the layers above them (generation stops and removes jobs). Cameos never import them.

Receivers connect in their `wiring.connect()`.
"""

from django.dispatch import Signal

# The cameo's owner narrowed who may use it (level, revocation, pause). kwargs: cameo.
# Receivers stop the work of people who may no longer use it and return how many jobs they stopped.
cameo_access_narrowed = Signal()

# The cameo's owner withdrew it from one job (removed it from their ledger, or deleted the cameo).
# kwargs: cameo, job_id, reason. The receiver returns what it did: "taken_down", "stopped" or "deleted".
cameo_job_withdrawn = Signal()
