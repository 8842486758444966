"""Instruments that use every feature the browser engine must reproduce and the generated
instruments of tests/support/reference.py do not: notes (screen and above, with show_if),
an education screen, derived values of every operation, scores reading derived values
and scores, ask once (a concept reused, an item derived through a map) across three
instruments, one of them validated."""

from __future__ import annotations

FEATURES = """\
id: feat
version: 0.1.0
title: Features
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
education: {id: know, title: Know this, text: Everyone hears this.}
sections:
  - id: one
    title: One
    items:
      - {id: hello, type: note, text: Hello., why: So you know.}
      - {id: a, type: yes_no, text: A?, why: W, concept: shared_a}
      - id: above_b
        type: note
        display: above
        text: About b.
        show_if: {item: a, equals: "yes"}
      - {id: b, type: number, text: B?, why: W, min: -50, max: 50}
      - {id: c, type: number, text: C?, why: W, min: 0, max: 20, integer: true}
      - id: m
        type: multiple
        text: M?
        why: W
        options:
          - {value: x, label: X, score: 1}
          - {value: y, label: Y, score: 2.5}
          - {value: none, label: None, exclusive: true, score: 0}
      - {id: born, type: date, text: Born?, why: W, max: "2026-12-31"}
      - {id: word, type: text, text: Word?, why: W, max_length: 40}
      - id: kind
        type: single
        text: Kind?
        why: W
        options: [{value: p, label: P}, {value: q, label: Q}, {value: r, label: R}]
      - id: big
        type: yes_no
        text: Big?
        why: W
        show_if: {derived: total, gte: 10}
      - id: late
        type: scale
        text: Late?
        why: W
        min: 0
        max: 10
        step: 2
        show_if: {any: [{derived: age, lt: 30}, {derived: kindword, equals: r}]}
      - {id: bye, type: note, text: Nearly done., show_if: {derived: chosen, gte: 1}}
  - id: two
    title: Two
    content_warning: Hard questions next.
    show_if: {not: {item: a, declined: true}}
    items:
      - {id: above_d, type: note, display: above, text: About d.}
      - id: d
        type: single
        text: D?
        why: W
        options: [{value: 0, label: None}, {value: 1, label: Some}, {value: 3, label: Much}]
      - id: e
        type: single
        text: E?
        why: W
        options: [{value: 0, label: None}, {value: 1, label: Some}, {value: 3, label: Much}]
        show_if: {item: d, gt: 0}
      - {id: w2, type: text, text: Who helps?, why: W}
derived:
  - {id: total, value: {sum: [b, c]}}
  - {id: total_or_zero, value: {coalesce: [total, 0]}}
  - {id: low, value: {min: [b, c, 3.5]}}
  - {id: high, value: {max: [b, c]}}
  - {id: spread, value: {subtract: [high, low]}}
  - {id: ratio, value: {divide: [b, c]}}
  - {id: prod, value: {multiply: [b, c, 0.1]}}
  - {id: chosen, value: {count_selected: m}}
  - {id: mscore, value: {sum: [m, 0.1, 0.2]}}
  - {id: age, value: {years_between: [born, {today: true}]}}
  - {id: months, value: {months_between: [born, {date: "2020-02-29"}]}}
  - {id: days, value: {days_between: [{date: "2000-01-01"}, born]}}
  - {id: kindword, value: kind}
  - id: kindnum
    value: {lookup: {of: kind, map: [{from: p, to: 1}, {from: [q, r], to: 5}]}}
  - id: size
    value: {if: {cond: {derived: total, gte: 10}, then: {text: big}, else: {text: small}}}
  - {id: wordtext, value: word}
scores:
  - id: hard
    sum: [d, e]
    not_shown: zero
    bands:
      - {id: low, label: Low, min: 0, max: 2}
      - {id: high, label: High, min: 3}
  - id: mixed
    sum: [{derived: total, weight: 2}, {score: hard, weight: 0.5}, {derived: kindnum}]
flags:
  - {id: minor, severity: urgent, label: Under 18, when: {derived: age, lt: 18}}
  - {id: much, severity: high, label: Much, when: {score: hard, band: high}}
  - id: heavy
    severity: urgent
    label: Heavy
    when: {all: [{derived: prod, gt: 20}, {not: {item: a, equals: "no"}}]}
needs:
  - {id: help, label: Help, some_if: {derived: total, gte: 10}, urgent_if: {flag: minor}}
  - id: hardn
    label: Hard
    some_if: {any: [{score: hard, gte: 1}, {derived: size, equals: big}]}
    urgent_if: {flag: much}
  - {id: when, label: When, some_if: {derived: days, lt: 9000}}
strengths:
  - {id: someone, label: Someone, when: {item: w2, answered: true}}
  - {id: worded, label: Worded, when: {derived: wordtext, known: true}}
"""

OTHER = """\
id: other
version: 0.1.0
title: Other
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: validated}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
sections:
  - id: s
    title: S
    items:
      - {id: oa, type: yes_no, text: A again?, why: W, concept: shared_a}
      - id: ok
        type: single
        text: K?
        why: W
        concept: k_concept
        options: [{value: 0, label: N}, {value: 1, label: S}, {value: 2, label: M}]
scores:
  - {id: ototal, sum: [ok]}
"""

DERIVING = """\
id: deriving
version: 0.1.0
title: Deriving
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
sections:
  - id: s
    title: S
    items:
      - {id: da, type: yes_no, text: A once more?, why: W, concept: shared_a}
      - id: dk
        type: yes_no
        text: K as yes or no?
        why: W
        derive:
          from_concept: k_concept
          map: [{from: 0, to: "no"}, {from: [1, 2], to: "yes"}]
      - {id: dz, type: number, text: Z?, why: W, show_if: {item: dk, equals: "yes"}}
needs:
  - {id: help, label: Help, some_if: {item: dk, equals: "yes"}}
"""
