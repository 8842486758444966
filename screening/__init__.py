"""Trauma-informed screening and needs assessment.

The core (model, conditions, answers, interview, scoring) is pure Python and imports
no YAML, web, database or PDF library; the loader, catalog and CLI are edges around it.
"""

from screening.core.answers import DECLINED, SKIPPED, AnswerError, parse_answer
from screening.core.interview import State, Step, next_step, result, set_aside, steps
from screening.core.model import Instrument, Item, Section
from screening.core.route import Interview, InterviewError
from screening.core.scoring import Result

__all__ = [
    "DECLINED",
    "SKIPPED",
    "AnswerError",
    "Instrument",
    "Interview",
    "InterviewError",
    "Item",
    "Result",
    "Section",
    "State",
    "Step",
    "next_step",
    "parse_answer",
    "result",
    "set_aside",
    "steps",
]
