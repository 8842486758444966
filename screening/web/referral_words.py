"""The words for a referral's statuses, who made contact and why it did not connect, in
the page's language (issue 21): for the referrals page and the worker's home."""

from __future__ import annotations

from screening.core import referrals as machine
from screening.i18n import N_
from screening.web.i18n import _

STATUS_WORDS = {
    machine.OFFERED: N_("Offered to the person"),
    machine.ACCEPTED: N_("The person said yes"),
    machine.CONTACTED: N_("Contact made with the service"),
    machine.CONNECTED: N_("Connected: the person is getting help there"),
    machine.NOT_CONNECTED: N_("Not connected"),
    machine.CLOSED: N_("Closed"),
}
BY_WORDS = {
    "worker": N_("By the worker"),
    "person": N_("By the person"),
    "warm-hand-off": N_("A warm hand-off (worker and person together)"),
}
REASON_WORDS = {
    "waitlist": N_("On a waitlist"),
    "not-eligible": N_("Not eligible there"),
    "could-not-reach": N_("Could not reach the service"),
    "changed-mind": N_("The person changed their mind"),
    "other": N_("Another reason"),
}


def words(table: dict[str, str], key: str) -> str:
    return _(table[key]) if key in table else key


def status_words(status: str) -> str:
    return words(STATUS_WORDS, status)
