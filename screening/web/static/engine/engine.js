// The interview engine in the browser (issue 19): walks and scores an interview from
// the compiled JSON form of its instruments (`screening compile`, made by the Python
// loader: one source of truth), as screening/core does on the server: the next step,
// show-if, content warnings and skipped sections, notes, ask once, progress, "prefer
// not to say", urgent flags, derived values, scores and bands, need levels (with
// `unknown`) and strengths. No dependencies, no build step: an ES module.
//
// A state is the JSON of screening.core.interview.state_to_json: {answers, sections,
// acknowledged, set_aside, seen}. An answer is a value, null (skipped), {"declined": true}
// ("prefer not to say"), or absent (unanswered). Functions never change a state given:
// they return a new one. The differential tests (tests/web/test_engine_js.py) hold this
// file to the Python engine, step for step.

export const FORMAT = "screening/compiled-instrument";
export const VERSIONS = [1];

export class EngineError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// --- answers and values ---------------------------------------------------------------

const isDeclined = (a) => a !== null && typeof a === "object" && !Array.isArray(a) && a.declined === true;
const isMissing = (a) => a === null || isDeclined(a);
const hasValue = (a) => a !== undefined && !isMissing(a);
const isNumber = (v) => typeof v === "number";

// Equality that keeps JSON types apart: 1 is not "1", true is no number.
function same(a, b) {
  if (typeof a === "boolean" || typeof b === "boolean") return false;
  if (isNumber(a) && isNumber(b)) return a === b;
  return typeof a === typeof b && typeof a !== "object" && a === b;
}

class Day {
  constructor(y, m, d) {
    this.y = y;
    this.m = m;
    this.d = d;
    this.n = daysFromCivil(y, m, d);
  }
  iso() {
    return `${String(this.y).padStart(4, "0")}-${String(this.m).padStart(2, "0")}-${String(this.d).padStart(2, "0")}`;
  }
}

function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
}

const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// A calendar date written exactly YYYY-MM-DD, or null.
export function isoDate(text) {
  if (typeof text !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return null;
  const [y, m, d] = text.split("-").map(Number);
  if (y < 1 || m < 1 || m > 12 || d < 1) return null;
  if (d > (m === 2 && leap(y) ? 29 : MONTH_DAYS[m - 1])) return null;
  return new Day(y, m, d);
}

function literal(v) {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "$date" in v) return isoDate(v.$date);
  if (Array.isArray(v)) return v.map(literal);
  return v;
}

// Python's math.fsum (Shewchuk's exact partials, correctly rounded).
function fsum(values) {
  const partials = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  let hi = 0;
  if (n > 0) {
    hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
  }
  return hi;
}

// Python's round(value, 6): the nearest, ties to even, from the exact binary value.
function round6(value) {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return value;
  const text = Math.abs(value).toFixed(100);
  const [whole, frac] = text.split(".");
  const kept = frac.slice(0, 6);
  const rest = frac.slice(6);
  let digits = BigInt(whole + kept);
  const half = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
  const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
  if (half || (tie && digits % 2n === 1n)) digits += 1n;
  const out = Number(digits) / 1e6;
  return value < 0 ? -out : out;
}

const tidy6 = (v) => (Number.isInteger(v) ? v : round6(v));

// --- the interview's items ------------------------------------------------------------

function optionOf(item, value) {
  if (typeof value !== "string" && !(isNumber(value) && Number.isInteger(value))) return null;
  return item.byValue.get(`${typeof value}:${value}`) ?? null;
}

function numericValue(item, answer) {
  if (answer === undefined || isMissing(answer)) return null;
  if (Array.isArray(answer)) {
    let total = 0;
    for (const value of answer) {
      const option = optionOf(item, value);
      if (option === null || option.numeric === undefined) return null;
      total += option.numeric;
    }
    return total;
  }
  if (item.options.length) {
    const option = optionOf(item, answer);
    return option === null || option.numeric === undefined ? null : option.numeric;
  }
  return isNumber(answer) ? answer : null;
}

function mapValue(pairs, value) {
  for (const [key, target] of pairs) {
    if (key instanceof Day) {
      if (value instanceof Day && key.n === value.n) return target;
    } else if (typeof key === typeof value && typeof key !== "object" && key === value) {
      return target;
    }
  }
  return null;
}

// --- conditions (two- and three-valued) -------------------------------------------------

const COMPARE = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  equals: (a, b) => a === b,
};

const refOf = (c) =>
  "item" in c ? `item:${c.item}` : "score" in c ? `score:${c.score}` : "derived" in c ? `derived:${c.derived}` : `flag:${c.flag}`;
const isLeaf = (c) => !("all" in c || "any" in c || "not" in c);

function evaluate(c, facts) {
  if ("all" in c) return c.all.every((x) => evaluate(x, facts));
  if ("any" in c) return c.any.some((x) => evaluate(x, facts));
  if ("not" in c) return !evaluate(c.not, facts);
  if ("flag" in c) return facts.flag(c.flag);
  if ("item" in c) return itemTest(c, facts);
  if ("score" in c) return scoreTest(c, facts);
  return derivedTest(c, facts);
}

function itemTest(c, facts) {
  const answer = facts.answer(c.item);
  const { op, value } = c;
  if (op === "answered") return hasValue(answer) === value;
  if (op === "skipped") return (answer === null || isDeclined(answer)) === value;
  if (op === "declined") return isDeclined(answer) === value;
  if (answer === undefined || isMissing(answer)) return false;
  if (op === "equals") return same(answer, value);
  if (op === "in") return value.some((v) => same(answer, v));
  if (op === "includes") return Array.isArray(answer) && answer.some((a) => same(a, value));
  const number = facts.numeric(c.item);
  const against = typeof value === "boolean" ? Number(value) : value;
  if (number === null || !isNumber(against)) return false;
  return COMPARE[op](number, against);
}

function scoreTest(c, facts) {
  const found = facts.score(c.score);
  if (found === null) return false;
  const [number, band] = found;
  if (c.op === "band") return (Array.isArray(c.value) ? c.value : [c.value]).includes(band);
  return COMPARE[c.op](number, c.value);
}

function derivedTest(c, facts) {
  let found = facts.derived(c.derived);
  if (c.op === "known") return (found !== null) === c.value;
  if (found === null) return false;
  if (found instanceof Day) found = found.iso();
  if (c.op === "equals") return same(found, c.value);
  if (c.op === "in") return c.value.some((v) => same(found, v));
  if (!isNumber(found) || typeof c.value === "boolean" || !isNumber(c.value)) return false;
  return COMPARE[c.op](found, c.value);
}

function holds(c, facts) {
  if ("all" in c) {
    const told = c.all.map((x) => holds(x, facts));
    return told.includes(false) ? false : told.includes(null) ? null : true;
  }
  if ("any" in c) {
    const told = c.any.map((x) => holds(x, facts));
    return told.includes(true) ? true : told.includes(null) ? null : false;
  }
  if ("not" in c) {
    const told = holds(c.not, facts);
    return told === null ? null : !told;
  }
  if ("derived" in c && c.op === "known") return evaluate(c, facts);
  return facts.unknown(refOf(c)) ? null : evaluate(c, facts);
}

const unique = (refs) => [...new Set(refs)];

function leafRefs(c) {
  if ("all" in c) return c.all.flatMap(leafRefs);
  if ("any" in c) return c.any.flatMap(leafRefs);
  if ("not" in c) return leafRefs(c.not);
  return [refOf(c)];
}

function explain(c, facts) {
  if ("all" in c) return unique(c.all.flatMap((x) => explain(x, facts)));
  if ("any" in c) return unique(c.any.filter((x) => evaluate(x, facts)).flatMap((x) => explain(x, facts)));
  if ("not" in c) return unique(leafRefs(c.not));
  return [refOf(c)];
}

function unknowns(c, facts) {
  if (isLeaf(c)) return holds(c, facts) === null ? [refOf(c)] : [];
  if (holds(c, facts) !== null) return [];
  const children = "all" in c ? c.all : "any" in c ? c.any : [c.not];
  return unique(children.flatMap((x) => unknowns(x, facts)));
}

// --- derived values ---------------------------------------------------------------------

const ARITHMETIC = {
  sum: (n) => fsum(n),
  subtract: (n) => n[0] - n[1],
  multiply: (n) => n.reduce((a, b) => a * b, 1),
  divide: (n) => (n[1] === 0 ? null : n[0] / n[1]),
  min: (n) => n.reduce((a, b) => (b < a ? b : a)),
  max: (n) => n.reduce((a, b) => (b > a ? b : a)),
};

function wholeMonths(start, end) {
  if (end.n < start.n) return -wholeMonths(end, start);
  const months = (end.y - start.y) * 12 + end.m - start.m;
  return end.d < start.d ? months - 1 : months;
}

const UNITS = {
  years_between: (s, e) => (e.n < s.n ? -Math.floor(wholeMonths(e, s) / 12) : Math.floor(wholeMonths(s, e) / 12)),
  months_between: wholeMonths,
  days_between: (s, e) => e.n - s.n,
};

function exprValue(e, env) {
  switch (e.op) {
    case "const":
      return literal(e.value);
    case "item": {
      if (e.type === "number") return env.numeric(e.item);
      const answer = env.answer(e.item);
      if (typeof answer !== "string") return null;
      return e.type === "date" ? isoDate(answer) : answer;
    }
    case "score": {
      const found = env.score(e.score);
      return found === null ? null : found[0];
    }
    case "derived":
      return env.derived(e.name);
    case "today":
      return env.today();
    case "count_selected": {
      const answer = env.answer(e.item);
      return Array.isArray(answer) ? answer.length : null;
    }
    case "if":
      return exprValue(evaluate(e.cond, env) ? e.then : e.else, env);
    case "coalesce":
      for (const arg of e.args) {
        const found = exprValue(arg, env);
        if (found !== null) return found;
      }
      return null;
    case "lookup": {
      const found = exprValue(e.of, env);
      if (found === null) return null;
      const target = mapValue(e.pairs, found);
      return isNumber(target) || typeof target === "string" ? target : null;
    }
    default:
      if (e.op in UNITS) {
        const start = exprValue(e.start, env);
        const end = exprValue(e.end, env);
        return start instanceof Day && end instanceof Day ? UNITS[e.op](start, end) : null;
      }
      if (e.op in ARITHMETIC) {
        const numbers = [];
        for (const arg of e.args) {
          const found = exprValue(arg, env);
          if (!isNumber(found)) return null;
          numbers.push(found);
        }
        const found = ARITHMETIC[e.op](numbers);
        return found === null || !Number.isFinite(found) ? null : found;
      }
      throw new EngineError("bad-compiled", `unknown operation ${e.op}`);
  }
}

function exprRefs(e) {
  switch (e.op) {
    case "item":
    case "count_selected":
      return [`item:${e.item}`];
    case "score":
      return [`score:${e.score}`];
    case "derived":
      return [`derived:${e.name}`];
    case "if":
      return [...unique(leafRefs(e.cond)), ...exprRefs(e.then), ...exprRefs(e.else)];
    case "lookup":
      return exprRefs(e.of);
    default:
      if (e.op in UNITS) return [...exprRefs(e.start), ...exprRefs(e.end)];
      return (e.args || []).flatMap(exprRefs);
  }
}

// --- says nothing (a strength is not shown for "nothing", "n/a", "-") ------------------

function normalise(text) {
  const folded = text.normalize("NFC").toLowerCase().replace(/ß/g, "ss");
  return folded.replace(/[^\p{L}\p{N}\p{M}]+/gu, " ").trim();
}

function saysNothing(text, words) {
  const found = normalise(text);
  return !found || words.has(found) || words.has(found.replace(/ /g, ""));
}

// --- the interview: the route -----------------------------------------------------------

const sectionKey = (instrument, section) => `${instrument.id}/${section.id}`;
const noteKey = (note) => `note/${note.instrument_id}/${note.id}`;
const educationKey = (ins) => (ins.education ? `education/${ins.id}/${ins.education.id}` : null);

function prepare(raw) {
  if (!raw || raw.format !== FORMAT || !VERSIONS.includes(raw.version)) {
    throw new EngineError("bad-compiled", `not a compiled instrument of a known version (${raw && raw.version})`);
  }
  const instrument = { ...raw, derived: raw.derived || [], scores: raw.scores || [], flags: raw.flags || [] };
  instrument.needs = raw.needs || [];
  instrument.strengths = raw.strengths || [];
  instrument.nothing = new Set(raw.nothing_words || []);
  instrument.sections = raw.sections.map((s) => {
    const section = { ...s, notes: (s.notes || []).map((n) => ({ ...n, instrument_id: raw.id, display: n.display || "screen" })) };
    section.items = s.items.map((i) => {
      const item = { ...i, options: i.options || [], skippable: i.skippable !== false, section, instrument };
      item.byValue = new Map(item.options.map((o) => [`${typeof o.value}:${o.value}`, o]));
      return item;
    });
    return section;
  });
  for (const d of instrument.derived) d.refs = unique(exprRefs(d.expr));
  return instrument;
}

const sameQuestion = (a, b) =>
  a.type === b.type &&
  a.options.length === b.options.length &&
  a.options.every((o, n) => typeof o.value === typeof b.options[n].value && o.value === b.options[n].value);

export class Interview {
  constructor(compiled, { today = null } = {}) {
    const list = Array.isArray(compiled) ? compiled : [compiled];
    if (!list.length) throw new EngineError("empty", "an interview needs at least one instrument");
    this.instruments = list.map(prepare);
    this.day = today === null ? null : isoDate(today);
    this.items = new Map();
    this.notes = new Map();
    this.values = new Map();
    for (const ins of this.instruments) {
      for (const d of ins.derived) this.values.set(d.id, d);
      for (const s of ins.sections) {
        for (const item of s.items) this.items.set(item.id, item);
        for (const note of s.notes) this.notes.set(note.id, note);
      }
    }
    this.sources = this.conceptSources();
    this.derivedFrom = this.derivationSources();
    this.order = [...this.instruments.filter((i) => i.validated), ...this.instruments.filter((i) => !i.validated)];
  }

  conceptSources() {
    const seen = new Map();
    const sources = new Map();
    for (const ins of this.instruments) {
      for (const s of ins.sections) {
        for (const item of s.items) {
          if (item.concept === undefined) continue;
          const earlier = (seen.get(item.concept) || []).filter((e) => sameQuestion(e, item));
          if (earlier.length && !ins.validated) sources.set(item.id, earlier.map((e) => e.id));
          if (!seen.has(item.concept)) seen.set(item.concept, []);
          seen.get(item.concept).push(item);
        }
      }
    }
    return sources;
  }

  derivationSources() {
    const carriers = [];
    this.instruments.forEach((ins, n) => {
      for (const s of ins.sections) for (const item of s.items) if (item.concept !== undefined) carriers.push([n, ins, item]);
    });
    const out = new Map();
    this.instruments.forEach((ins, n) => {
      if (ins.validated) return;
      for (const s of ins.sections) {
        for (const item of s.items) {
          if (!item.derive) continue;
          const found = carriers.filter(
            ([m, other, source]) => source.concept === item.derive.from_concept && other !== ins && (other.validated || m < n),
          );
          if (found.length) out.set(item.id, found.map(([, , source]) => source.id));
        }
      }
    });
    return out;
  }

  item(id) {
    const found = this.items.get(id);
    if (found) return found;
    if (this.notes.has(id)) throw new EngineError("bad-answer", `${id} is a note: it takes no answer`);
    throw new EngineError("unknown-item", `no item ${id} in this interview`);
  }

  walk(state) {
    const answers = toMap(state.answers);
    const choices = state.sections || {};
    const route = new Walk(this);
    for (const ins of this.order) this.walkInstrument(ins, route, answers, choices);
    const position = new Map(this.instruments.map((ins, n) => [ins.id, n]));
    route.visits = route.visits
      .map((v, n) => [v, n])
      .sort((a, b) => position.get(a[0].instrument.id) - position.get(b[0].instrument.id) || a[1] - b[1])
      .map(([v]) => v);
    const offset = new Map();
    let total = 0;
    for (const ins of this.instruments) {
      offset.set(ins.id, total);
      total += route.visits.filter((v) => v.instrument === ins).length;
    }
    route.notes = route.notes
      .map((n, k) => ({ ...n, at: offset.get(n.instrument.id) + n.at, k }))
      .sort((a, b) => a.at - b.at || position.get(a.instrument.id) - position.get(b.instrument.id) || a.k - b.k);
    return route;
  }

  walkInstrument(ins, route, answers, choices) {
    const first = route.visits.length;
    const walkNotes = (section, before) => {
      for (const note of section.notes) {
        if ((note.before ?? null) !== before) continue;
        if (!note.show_if || evaluate(note.show_if, route)) {
          route.notes.push({ instrument: ins, section, note, at: route.visits.length - first });
        }
      }
    };
    for (const section of ins.sections) {
      if (section.show_if && !evaluate(section.show_if, route)) continue;
      const skipped = choices[sectionKey(ins, section)] === "skip";
      for (const item of section.items) {
        if (!skipped) walkNotes(section, item.id);
        if (item.show_if && !evaluate(item.show_if, route)) continue;
        const derived = firstShown(this.derivedFrom.get(item.id), route);
        const source = firstShown(this.sources.get(item.id), route);
        if (derived !== null && item.derive) {
          route.visit({ instrument: ins, section, item, kind: "derived", from: derived });
          if (route.answers.has(derived)) {
            // declined stays declined, skipped stays skipped; a value is read through the map
            const given = route.answers.get(derived);
            const value = isMissing(given) ? given : mapValue(item.derive.pairs, given);
            if (isMissing(given) || typeof value === "string" || Number.isInteger(value)) {
              route.answers.set(item.id, value);
            }
          }
        } else if (source !== null) {
          route.visit({ instrument: ins, section, item, kind: "reused", from: source });
          if (route.answers.has(source)) route.answers.set(item.id, route.answers.get(source));
        } else if (skipped && !answers.has(item.id)) {
          route.visit({ instrument: ins, section, item, kind: "section_skipped", from: null });
          route.answers.set(item.id, null);
        } else {
          route.visit({ instrument: ins, section, item, kind: "asked", from: null });
          if (answers.has(item.id)) route.answers.set(item.id, answers.get(item.id));
        }
      }
      if (!skipped) walkNotes(section, null);
    }
  }
}

function firstShown(candidates, route) {
  for (const id of candidates || []) if (route.shown.has(id)) return id;
  return null;
}

function toMap(object) {
  return new Map(Object.entries(object || {}));
}

// Facts for show_if: items only (no score is complete, no flag raised yet).
class Walk {
  constructor(interview) {
    this.interview = interview;
    this.answers = new Map();
    this.visits = [];
    this.shown = new Set();
    this.notes = [];
  }
  visit(v) {
    this.visits.push(v);
    this.shown.add(v.item.id);
  }
  asked() {
    return this.visits.filter((v) => v.kind === "asked");
  }
  answer(id) {
    return this.answers.get(id);
  }
  numeric(id) {
    return numericValue(this.interview.items.get(id), this.answers.get(id));
  }
  derived(name) {
    const found = this.interview.values.get(name);
    return found === undefined ? null : exprValue(found.expr, this);
  }
  today() {
    return this.interview.day;
  }
  score() {
    return null;
  }
  flag() {
    return false;
  }
}

// --- scoring ----------------------------------------------------------------------------

class Facts {
  constructor(route, instrument) {
    this.route = route;
    this.instrument = instrument;
    this.scores = new Map();
    this.raised = new Set();
    this.untold = new Set();
    this.gates = new Map();
    this.kinds = new Map(route.visits.map((v) => [v.item.id, v]));
    this.cache = new Map();
    this.flagRules = new Map(instrument.flags.map((f) => [f.id, f.when]));
    this.scoreDefs = new Map(instrument.scores.map((s) => [s.id, s]));
    for (const section of instrument.sections) {
      for (const item of section.items) this.gates.set(item.id, [section.show_if, item.show_if].filter(Boolean));
    }
  }
  answer(id) {
    return this.route.answers.get(id);
  }
  numeric(id) {
    return this.route.numeric(id);
  }
  score(id) {
    const r = this.scores.get(id);
    return r === undefined || !r.complete ? null : [r.value, r.band];
  }
  flag(id) {
    return this.raised.has(id);
  }
  derived(name) {
    const found = this.route.interview.values.get(name);
    return found === undefined ? null : exprValue(found.expr, this);
  }
  today() {
    return this.route.interview.day;
  }
  expand(refs) {
    const out = [];
    for (const ref of refs) {
      const [kind, ident] = split(ref);
      const found = kind === "derived" ? this.route.interview.values.get(ident) : undefined;
      if (found !== undefined) out.push(...this.expand(found.refs));
      else out.push(ref);
    }
    return unique(out);
  }
  shown(id) {
    if (!this.cache.has(id)) {
      const told = (this.gates.get(id) || []).map((c) => holds(c, this));
      this.cache.set(id, told.includes(false) ? false : told.includes(null) ? null : true);
    }
    return this.cache.get(id);
  }
  unknown(ref) {
    const [kind, ident] = split(ref);
    if (kind === "derived") return this.derived(ident) === null;
    if (kind !== "item") return this.untold.has(ref);
    if (!this.gates.has(ident)) return this.route.shown.has(ident) && !hasValue(this.answer(ident));
    const shown = this.shown(ident);
    return shown === null || (shown && !hasValue(this.answer(ident)));
  }
  reasons(refs, out) {
    for (const ref of refs) {
      const [kind, ident] = split(ref);
      if (out.has(ref)) continue;
      if (kind === "flag") {
        out.set(ref, "");
        this.reasons(unknowns(this.flagRules.get(ident), this), out);
      } else if (kind === "derived") {
        out.set(ref, "");
        const found = this.route.interview.values.get(ident);
        this.reasons((found ? found.refs : []).filter((r) => this.unknown(r)), out);
      } else if (kind === "score") {
        out.set(ref, this.scores.get(ident).complete ? "" : "incomplete");
        this.reasons(this.scoreRefs(ident), out);
      } else if (this.shown(ident) === null) {
        out.set(ref, "");
        this.reasons(this.gates.get(ident).flatMap((c) => unknowns(c, this)), out);
      } else {
        const why = this.itemReason(ident, out);
        out.set(ref, why);
      }
    }
    return out;
  }
  itemReason(id, out) {
    const answer = this.answer(id);
    const visit = this.kinds.get(id);
    if (visit && visit.kind === "reused" && visit.from) {
      this.reasons([`item:${visit.from}`], out);
      return "";
    }
    if (visit && visit.kind === "section_skipped") return "section_skipped";
    if (isDeclined(answer)) return "declined";
    if (answer === null) return "skipped";
    return "unanswered";
  }
  scoreRefs(id) {
    const score = this.scoreDefs.get(id);
    const refs = [
      ...score.terms.filter((t) => t.score !== undefined).map((t) => `score:${t.score}`),
      ...score.terms.filter((t) => t.item !== undefined).map((t) => `item:${t.item}`),
      ...(score.requires || []).map((i) => `item:${i}`),
      ...score.terms.filter((t) => t.derived !== undefined).map((t) => `derived:${t.derived}`),
    ];
    return refs.filter((r) => this.unknown(r));
  }
}

// A strength's view of the same results (not a copy): free text that names nothing
// ("nothing", "n/a", "-") is no value here. Needs and flags read the answer as given.
function strengthFacts(facts) {
  const view = Object.create(facts);
  view.answer = (id) => {
    const answer = facts.route.answers.get(id);
    const item = facts.route.interview.items.get(id);
    if (item && item.type === "text" && typeof answer === "string") {
      return saysNothing(answer, facts.instrument.nothing) ? undefined : answer;
    }
    return answer;
  };
  return view;
}

function split(ref) {
  const at = ref.indexOf(":");
  return [ref.slice(0, at), ref.slice(at + 1)];
}

function bound(b, params) {
  if (b === undefined || b === null) return null;
  return typeof b === "object" ? params[b.param] + (b.add || 0) : b;
}

function termValue(item, answer, reverse) {
  const number = numericValue(item, answer);
  if (number === null || !reverse) return number;
  if (!item.range) return null;
  return item.range[0] + item.range[1] - number;
}

function scoreOne(score, route, facts, params) {
  let total = 0;
  let complete = true;
  const used = [];
  const missing = [];
  for (const term of score.terms) {
    const weight = term.weight ?? 1;
    if (term.score !== undefined) {
      const sub = facts.scores.get(term.score);
      total += sub.value * weight;
      complete = complete && sub.complete;
      used.push(`score:${sub.id}`);
      continue;
    }
    if (term.derived !== undefined) {
      const found = facts.derived(term.derived);
      if (isNumber(found)) {
        total += found * weight;
        used.push(`derived:${term.derived}`);
      } else {
        complete = false;
        missing.push(`derived:${term.derived}`);
      }
      continue;
    }
    const id = term.item;
    const answer = route.answers.get(id);
    if (!route.shown.has(id)) {
      if (score.not_shown_zero) continue;
      complete = false;
      missing.push(id);
      continue;
    }
    const number = answer === undefined ? null : termValue(route.interview.items.get(id), answer, term.reverse);
    if (number === null) {
      complete = false;
      missing.push(id);
    } else {
      total += number * weight;
      used.push(id);
    }
  }
  for (const id of score.requires || []) {
    if (!hasValue(route.answers.get(id))) {
      complete = false;
      missing.push(id);
    }
  }
  const value = tidy6(total);
  let band = null;
  if (complete) {
    for (const b of score.bands || []) {
      const low = bound(b.min, params);
      const high = bound(b.max, params);
      if ((low === null || value >= low) && (high === null || value <= high)) {
        band = b.id;
        break;
      }
    }
  }
  return { id: score.id, value, band, complete, used, missing: unique(missing) };
}

function because(cond, facts) {
  if (!cond || !evaluate(cond, facts)) return null;
  return facts.expand(explain(cond, facts));
}

function needLevel(need, facts) {
  const urgent = because(need.urgent_if, facts);
  if (urgent !== null) return { id: need.id, level: "urgent", because: urgent, missing: [] };
  const some = because(need.some_if, facts);
  if (some !== null) return { id: need.id, level: "some", because: some, missing: [] };
  const rules = [need.urgent_if, need.some_if].filter(Boolean);
  const untold = rules.flatMap((c) => unknowns(c, facts));
  if (!untold.length) return { id: need.id, level: "none", because: [], missing: [] };
  const missing = [...facts.reasons(untold, new Map())].filter(([, why]) => why);
  return { id: need.id, level: "unknown", because: missing.map(([ref]) => ref), missing };
}

const LEVELS = ["none", "unknown", "some", "urgent"];

function mergeNeeds(first, second) {
  const a = LEVELS.indexOf(first.level);
  const b = LEVELS.indexOf(second.level);
  if (a !== b) return a > b ? first : second;
  const missing = new Map([...first.missing, ...second.missing]);
  return { id: first.id, level: first.level, because: unique([...first.because, ...second.because]), missing: [...missing] };
}

function scoreInstrument(ins, route) {
  const facts = new Facts(route, ins);
  for (const score of ins.scores) {
    const done = scoreOne(score, route, facts, ins.parameters || {});
    facts.scores.set(score.id, done);
    if (!done.complete || facts.scoreRefs(score.id).length) facts.untold.add(`score:${score.id}`);
  }
  const flags = [];
  for (const flag of ins.flags) {
    const why = because(flag.when, facts);
    if (why !== null) {
      facts.raised.add(flag.id);
      flags.push({ id: flag.id, severity: flag.severity, rank: flag.rank, because: why });
    }
    if (holds(flag.when, facts) === null) facts.untold.add(`flag:${flag.id}`);
  }
  const needs = ins.needs.map((n) => needLevel(n, facts));
  const shownSome = strengthFacts(facts);
  const strengths = [];
  for (const strength of ins.strengths) {
    const why = because(strength.when, shownSome);
    if (why !== null) strengths.push({ id: strength.id, because: why });
  }
  const derived = ins.derived.map((d) => [d.id, facts.derived(d.id)]);
  return { scores: facts.scores, flags, needs, strengths, derived };
}

const derivedJson = (v) => (v instanceof Day ? v.iso() : v);

function score(interview, route) {
  const scores = new Map();
  const flags = [];
  const needs = new Map();
  const strengths = new Map();
  const derived = new Map();
  for (const ins of interview.instruments) {
    const part = scoreInstrument(ins, route);
    for (const [k, v] of part.scores) scores.set(k, v);
    for (const [k, v] of part.derived) derived.set(k, v);
    flags.push(...part.flags);
    for (const need of part.needs) {
      const before = needs.get(need.id);
      needs.set(need.id, before === undefined ? need : mergeNeeds(before, need));
    }
    for (const s of part.strengths) if (!strengths.has(s.id)) strengths.set(s.id, s);
  }
  flags.sort((a, b) => a.rank - b.rank);
  return { scores, flags, needs, strengths: [...strengths.values()], derived };
}

// The JSON of screening.core.scoring.Result.to_json(explain=...).
function resultJson(r, withExplain) {
  const out = {
    scores: Object.fromEntries([...r.scores.values()].map((s) => [s.id, { value: s.value, band: s.band, complete: s.complete }])),
    flags: r.flags.map((f) => f.id),
    needs: Object.fromEntries(
      [...r.needs.values()].map((n) => [n.id, { level: n.level, because: n.because, missing: Object.fromEntries(n.missing) }]),
    ),
    strengths: r.strengths.map((s) => s.id),
  };
  if (r.derived.size) out.derived = Object.fromEntries([...r.derived].map(([k, v]) => [k, derivedJson(v)]));
  if (withExplain) {
    out.explain = {
      scores: Object.fromEntries([...r.scores.values()].map((s) => [s.id, { used: s.used, missing: s.missing }])),
      flags: Object.fromEntries(r.flags.map((f) => [f.id, { severity: f.severity, because: f.because }])),
      strengths: Object.fromEntries(r.strengths.map((s) => [s.id, s.because])),
    };
  }
  return out;
}

// --- the next step ----------------------------------------------------------------------

function entered(ins, state) {
  const mine = new Set(ins.sections.flatMap((s) => s.items.map((i) => i.id)));
  const keys = [...Object.keys(state.answers || {}), ...Object.keys(state.set_aside || {})];
  if (keys.some((k) => mine.has(k))) return true;
  const seen = new Set(state.seen || []);
  if (ins.sections.some((s) => s.notes.some((n) => seen.has(noteKey(n))))) return true;
  return ins.sections.some((s) => sectionKey(ins, s) in (state.sections || {}));
}

function educationDue(interview, state, upto) {
  const seen = new Set(state.seen || []);
  for (const ins of interview.instruments) {
    const key = educationKey(ins);
    if (key !== null && !seen.has(key) && !entered(ins, state)) return ins;
    if (ins === upto) break;
  }
  return null;
}

function noteDue(walked, state, pendingIndex) {
  const seen = new Set(state.seen || []);
  const limit = pendingIndex === -1 ? walked.visits.length : pendingIndex;
  for (const visit of walked.notes) {
    if (visit.at > limit) return null;
    if (visit.note.display === "screen" && !seen.has(noteKey(visit.note))) return visit;
  }
  return null;
}

function before(walked, id) {
  let previous = null;
  for (const v of walked.asked()) {
    if (v.item.id === id) return previous;
    previous = v.item.id;
  }
  return previous;
}

function notesAbove(walked, at) {
  let low = at;
  while (low > 0 && walked.visits[low - 1].kind !== "asked") low -= 1;
  return walked.notes.filter((n) => n.note.display === "above" && low <= n.at && n.at <= at).map((n) => n.note.id);
}

function progressOf(walked) {
  const asked = walked.asked();
  const answered = asked.filter((v) => walked.answers.has(v.item.id)).length;
  return [answered, asked.length - answered];
}

// --- the public functions ---------------------------------------------------------------

export function emptyState() {
  return { answers: {}, sections: {}, acknowledged: [], set_aside: {}, seen: [] };
}

const norm = (state) => ({ ...emptyState(), ...(state || {}) });

// What to show now, in the compact form of screening.core.compiled.step_json.
export function nextStep(interview, state) {
  state = norm(state);
  const walked = interview.walk(state);
  const scored = score(interview, walked);
  const acknowledged = new Set(state.acknowledged);
  const urgent = scored.flags.filter((f) => f.rank === 0 && !acknowledged.has(f.id)).map((f) => f.id);
  const progress = progressOf(walked);
  const asked = walked.asked();
  const pending = asked.find((v) => !walked.answers.has(v.item.id)) || null;
  const pendingIndex = pending === null ? -1 : walked.visits.indexOf(pending);
  const elsewhere = walked.visits.filter((v) => v.kind === "reused" || v.kind === "derived").map((v) => [v.item.id, v.kind, v.from]);
  const due = educationDue(interview, state, pending ? pending.instrument : null);
  const note = noteDue(walked, state, pendingIndex);
  const step = {
    screen: null,
    done: false,
    item: null,
    section: null,
    content_warning: false,
    urgent,
    progress,
    note: null,
    notes: [],
    education: due === null ? null : educationKey(due),
    previous: null,
    elsewhere,
  };
  if (pending === null) {
    step.done = note === null;
    step.note = note === null ? null : note.note.id;
    step.previous = asked.length ? asked[asked.length - 1].item.id : null;
  } else {
    const key = sectionKey(pending.instrument, pending.section);
    let warning = false;
    if (pending.section.content_warning && !(key in state.sections)) {
      const inSection = walked.visits.some(
        (v) => v.section === pending.section && v.instrument === pending.instrument && walked.answers.has(v.item.id),
      );
      warning = !inSection;
    }
    step.item = pending.item.id;
    step.section = key;
    step.content_warning = warning;
    step.previous = before(walked, pending.item.id);
    step.notes = notesAbove(walked, pendingIndex);
    if (note !== null && !(warning && note.section === pending.section)) {
      step.content_warning = false;
      step.note = note.note.id;
      step.notes = [];
    }
  }
  step.screen = urgent.length
    ? "help"
    : step.education !== null
      ? "education"
      : step.note !== null
        ? "note"
        : step.done
          ? "summary"
          : step.content_warning
            ? "warning"
            : "question";
  return step;
}

// Scores, flags, needs, strengths and derived values: Result.to_json(explain=...).
export function result(interview, state, { explain: withExplain = false } = {}) {
  return resultJson(score(interview, interview.walk(norm(state))), withExplain);
}

// Record (or change) an answer to an item on the route, then set aside the answers to
// items no longer asked, as the server does with each answer entry.
export function answer(interview, state, itemId, raw) {
  state = norm(state);
  const item = interview.item(itemId);
  if (!interview.walk(state).asked().some((v) => v.item.id === itemId)) {
    throw new EngineError("not-on-path", `${itemId} is not asked with the answers given so far`);
  }
  const value = parseAnswer(item, raw);
  const set_aside = { ...state.set_aside };
  delete set_aside[itemId];
  const next = { ...state, answers: { ...state.answers, [itemId]: value }, set_aside };
  const asked = new Set(interview.walk(next).asked().map((v) => v.item.id));
  const live = {};
  const moved = {};
  for (const [k, v] of Object.entries(next.answers)) (asked.has(k) ? live : moved)[k] = v;
  if (!Object.keys(moved).length) return next;
  return { ...next, answers: live, set_aside: { ...next.set_aside, ...moved } };
}

export function chooseSection(state, key, enter) {
  state = norm(state);
  return { ...state, sections: { ...state.sections, [key]: enter ? "enter" : "skip" } };
}

export function acknowledge(state, flags) {
  state = norm(state);
  return { ...state, acknowledged: [...new Set([...state.acknowledged, ...flags])].sort() };
}

export function see(interview, state, key) {
  state = norm(state);
  if (!interview.instruments.some((i) => educationKey(i) === key)) {
    throw new EngineError("unknown-screen", `${key} is no education screen of this interview`);
  }
  return { ...state, seen: [...new Set([...state.seen, key])].sort() };
}

export function seeNote(interview, state, noteId) {
  state = norm(state);
  const note = interview.notes.get(noteId);
  if (!note) throw new EngineError("unknown-screen", `${noteId} is no note of this interview`);
  return { ...state, seen: [...new Set([...state.seen, noteKey(note)])].sort() };
}

// Check a JSON answer against its item, as screening.core.answers.parse_answer does.
export function parseAnswer(item, raw) {
  const bad = (message) => {
    throw new EngineError("bad-answer", `${item.id}: ${message}`);
  };
  const isMapping = raw !== null && typeof raw === "object" && !Array.isArray(raw);
  if (raw === null || (isMapping && raw.declined === true && Object.keys(raw).length === 1)) {
    if (!item.skippable) bad(`this question cannot be skipped: ${item.unskippable_because || ""}`);
    return raw === null ? null : { declined: true };
  }
  if (isMapping) bad('the only mapping allowed as an answer is {"declined": true}');
  const choice = (v) => {
    if (optionOf(item, v) === null) bad("not an option");
    return v;
  };
  switch (item.type) {
    case "single":
    case "yes_no":
      return choice(raw);
    case "multiple": {
      if (!Array.isArray(raw)) bad("expected a list of option values");
      raw.forEach(choice);
      if (new Set(raw.map((v) => `${typeof v}:${v}`)).size !== raw.length) bad("an option is chosen twice");
      if (raw.length > 1 && raw.some((v) => optionOf(item, v).exclusive)) bad("an option cannot be chosen with others");
      return [...raw];
    }
    case "scale": {
      if (item.options.length) return choice(raw);
      if (!Number.isInteger(raw)) bad("expected a whole number");
      const low = item.min ?? 0;
      const high = item.max ?? 0;
      const step = item.step || 1;
      if (raw < low || raw > high || (raw - low) % step) bad("not on the scale");
      return raw;
    }
    case "number": {
      if (!isNumber(raw) || !Number.isFinite(raw)) bad("expected a number");
      if (Math.abs(raw) > 1e15) bad("the number is too large");
      if (item.integer && !Number.isInteger(raw)) bad("expected a whole number");
      if (item.min !== undefined && raw < item.min) bad("below the lowest allowed");
      if (item.max !== undefined && raw > item.max) bad("above the highest allowed");
      return raw;
    }
    case "date": {
      const day = isoDate(raw);
      if (day === null) bad("not a date written YYYY-MM-DD");
      const low = typeof item.min === "string" ? isoDate(item.min) : null;
      const high = typeof item.max === "string" ? isoDate(item.max) : null;
      if ((low && day.n < low.n) || (high && day.n > high.n)) bad("outside the allowed dates");
      return raw;
    }
    default:
      if (typeof raw !== "string") bad("expected text");
      if ([...raw].length > (item.max_length ?? 500)) bad("text is too long"); // code points
      return raw;
  }
}
