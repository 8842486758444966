// Runs screening/web/static/engine/engine.js for the differential tests: reads one JSON
// batch per line on stdin ({"cases": [{instruments, today, actions}]}), writes one line
// back ({"results": [[{step, result} | {error}, ...], ...]}): the step and result before
// the first action and after each one, as tests/support/enginediff.py does in Python.
import { createInterface } from "node:readline";
import * as engine from "../../screening/web/static/engine/engine.js";

function apply(interview, state, action) {
  const [kind, a, b] = action;
  if (kind === "answer") return engine.answer(interview, state, a, b);
  if (kind === "section") return engine.chooseSection(state, a, b);
  if (kind === "ack") return engine.acknowledge(state, a);
  if (kind === "see") return engine.see(interview, state, a);
  if (kind === "note") return engine.seeNote(interview, state, a);
  throw new Error(`unknown action ${kind}`);
}

function snapshot(interview, state) {
  return { step: engine.nextStep(interview, state), result: engine.result(interview, state, { explain: true }) };
}

function run(one) {
  const out = [];
  try {
    const interview = new engine.Interview(one.instruments, { today: one.today ?? null });
    let state = engine.emptyState();
    out.push(snapshot(interview, state));
    for (const action of one.actions) {
      state = apply(interview, state, action);
      out.push(snapshot(interview, state));
    }
  } catch (error) {
    out.push({ error: `${error.code || error.name}: ${error.message}` });
  }
  return out;
}

function accepts(item, raw) {
  try {
    engine.parseAnswer(item, raw);
    return true;
  } catch (error) {
    if (error.code !== "bad-answer") throw error;
    return false;
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const batch = JSON.parse(line);
  if (batch.parse) {
    // {"parse": {instruments: {id: compiled}, asks: [[id, item, raw]]}}: whether
    // engine.parseAnswer takes each answer
    const interviews = new Map(Object.entries(batch.parse.instruments).map(([k, v]) => [k, new engine.Interview(v)]));
    const results = batch.parse.asks.map(([id, item, raw]) => accepts(interviews.get(id).item(item), raw));
    process.stdout.write(JSON.stringify({ results }) + "\n");
    return;
  }
  process.stdout.write(JSON.stringify({ results: batch.cases.map(run) }) + "\n");
});
