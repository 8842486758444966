"""store"""

# The coordination tables (leases, rate limits) join db.metadata, so migrate creates them.
from screening.store import coordination as coordination
from screening.store import credentials as credentials  # issue 17: second factor, resets

# Issue 18: the co-design studio's tables join db.metadata too.
from screening.store import studio as studio
