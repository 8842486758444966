"""store"""

# The coordination tables (leases, rate limits) join db.metadata, so migrate creates them.
from screening.store import coordination as coordination
from screening.store import credentials as credentials  # issue 17: second factor, resets
