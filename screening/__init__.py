"""Trauma-informed screening and needs assessment.

The core (model, conditions, answers, interview, scoring) is pure Python and imports
no YAML, web, database or PDF library; the loader, catalog and CLI are edges around it.
"""

from screening.answers import DECLINED, SKIPPED, AnswerError, parse_answer
from screening.interview import State, Step, next_step, result, set_aside, steps
from screening.model import Instrument, Item, Section
from screening.path import Interview, InterviewError
from screening.scoring import Result

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
