"""Co-design: what changed between versions of an instrument (diff) and the signed
records of review rounds by people with lived experience (reviews). No Flask, no SQL:
the command line and the studio's services call it."""
