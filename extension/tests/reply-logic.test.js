// node --test: the logic shared by the extension and the Zendesk app.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const logic = require("../lib/reply-logic.js");

function fakeTimers() {
  let now = 0;
  let next = 1;
  const due = new Map();
  return {
    setTimeout(callback, ms) {
      const id = next++;
      due.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(id) {
      due.delete(id);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...due.entries()].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at <= now) {
          due.delete(id);
          timer.callback();
        }
      }
    },
  };
}

/** A finding as the service sends it: offsets counted in code points, as Python does. */
function pythonFinding(text, words, severity, extra) {
  const codePoints = [...text];
  const unitStart = text.indexOf(words);
  assert.notEqual(unitStart, -1, `${words} is in the text`);
  const start = [...text.slice(0, unitStart)].length;
  const end = start + [...words].length;
  assert.equal(codePoints.slice(start, end).join(""), words);
  return Object.assign({ category: "blame_shifting", rule: "test.rule", severity, start, end, text: words }, extra);
}

test("debounce runs once, after the calls stop, with the last arguments", () => {
  const timers = fakeTimers();
  const calls = [];
  const debounced = logic.debounce((value) => calls.push(value), 150, timers);
  debounced("a");
  timers.advance(100);
  debounced("b");
  timers.advance(100);
  assert.deepEqual(calls, []);
  assert.equal(debounced.pending(), true);
  timers.advance(50);
  assert.deepEqual(calls, ["b"]);
  assert.equal(debounced.pending(), false);
});

test("debounce cancel drops the pending call and flush runs it now", () => {
  const timers = fakeTimers();
  const calls = [];
  const debounced = logic.debounce((value) => calls.push(value), 150, timers);
  debounced("dropped");
  debounced.cancel();
  timers.advance(500);
  assert.deepEqual(calls, []);
  debounced("now");
  debounced.flush();
  assert.deepEqual(calls, ["now"]);
  timers.advance(500);
  assert.deepEqual(calls, ["now"]);
});

test("code point offsets become UTF-16 offsets past an emoji", () => {
  const text = "Hi 🙂 Sam, you should have read it.";
  const finding = pythonFinding(text, "you should have read", "warning");
  // The emoji is one code point and two UTF-16 units, so the raw offsets are one short.
  assert.notEqual(text.slice(finding.start, finding.end), finding.text);
  const [converted] = logic.findingsToUtf16(text, [finding]);
  assert.equal(text.slice(converted.start, converted.end), "you should have read");
  assert.equal(converted.index, 0);
});

test("several astral characters shift every later finding", () => {
  const text = "👍👍 sorry for any inconvenience 🎉 you should have read";
  const findings = [
    pythonFinding(text, "sorry for any inconvenience", "warning"),
    pythonFinding(text, "you should have read", "warning"),
  ];
  const converted = logic.findingsToUtf16(text, findings);
  assert.deepEqual(
    converted.map((f) => text.slice(f.start, f.end)),
    ["sorry for any inconvenience", "you should have read"]
  );
});

test("an offset outside the text is an error that names it", () => {
  assert.throws(() => logic.codePointToUtf16("abc", 4), /offset 4 is past the end/);
  assert.throws(() => logic.codePointToUtf16("abc", -1), /non-negative integer/);
  assert.throws(
    () => logic.findingsToUtf16("abcdef", [{ rule: "r.x", start: 4, end: 2, severity: "warning" }]),
    /finding 0 \(r\.x\): end 2 is before start 4/
  );
});

test("highlight segments cover the text and split overlapping findings", () => {
  const text = "We can not help you with that at all.";
  const findings = logic.findingsToUtf16(text, [
    pythonFinding(text, "can not help you", "warning"),
    pythonFinding(text, "help you with that", "error"),
  ]);
  const segments = logic.highlightSegments(text, findings);
  assert.equal(segments.map((s) => s.text).join(""), text);
  const marked = segments.filter((s) => s.findings.length);
  assert.deepEqual(
    marked.map((s) => [s.text, s.findings, s.severity]),
    [
      ["can not ", [0], "warning"],
      ["help you", [0, 1], "error"],
      [" with that", [1], "error"],
    ]
  );
});

test("highlight segments of a text without findings are one plain segment", () => {
  assert.deepEqual(logic.highlightSegments("All good.", []), [
    { start: 0, end: 9, text: "All good.", findings: [], severity: null },
  ]);
});

test("a replacement lands on the finding's words and nowhere else", () => {
  const text = "Sorry for any inconvenience. Again, sorry for any inconvenience.";
  const [, second] = logic.findingsToUtf16(text, [
    pythonFinding(text, "Sorry for any inconvenience", "warning"),
    { ...pythonFinding(text, "sorry for any inconvenience", "warning"), start: 36, end: 63 },
  ]);
  const change = logic.applyReplacement(text, second, "sorry about the delay");
  assert.equal(change.text, "Sorry for any inconvenience. Again, sorry about the delay.");
  assert.equal(change.text.slice(change.start, change.end), "sorry about the delay");
});

test("a stale replacement is refused", () => {
  const text = "We're sorry for any inconvenience.";
  const [finding] = logic.findingsToUtf16(text, [pythonFinding(text, "sorry for any inconvenience", "warning")]);
  assert.equal(logic.applyReplacement("We are sorry for any inconvenience.", finding, "sorry"), null);
  assert.throws(() => logic.applyReplacement(text, finding, 42), /replacement for test.rule must be a string/);
});

test("the service's verdict wins; without one the severities decide", () => {
  assert.equal(logic.verdictOf({ verdict: "warn", findings: [] }), "warn");
  assert.equal(logic.verdictOf({ findings: [] }), "pass");
  assert.equal(logic.verdictOf({ findings: [{ severity: "suggestion" }] }), "pass");
  assert.equal(logic.verdictOf({ findings: [{ severity: "suggestion" }, { severity: "warning" }] }), "warn");
  assert.equal(logic.verdictOf({ findings: [{ severity: "warning" }, { severity: "error" }] }), "block");
  assert.equal(logic.verdictOf({ findings: [{ severity: "warning" }] }, "warning"), "block");
  assert.throws(() => logic.verdictOf({ verdict: "maybe" }), /unknown verdict "maybe"/);
  assert.throws(() => logic.verdictOf({ findings: [{ severity: "fatal" }] }), /unknown severity "fatal"/);
});

test("the blocking findings are the most severe ones of a blocked result", () => {
  const threat = { severity: "error", category: "threat", text: "we will close your" };
  const result = { verdict: "block", findings: [{ severity: "warning" }, threat] };
  assert.deepEqual(logic.blockingFindings(result), [threat]);
  assert.deepEqual(logic.blockingFindings({ verdict: "warn", findings: [{ severity: "warning" }] }), []);
});

test("send decision: block asks, stale checks first, a failed fresh check sends", () => {
  const block = { verdict: "block", findings: [{ severity: "error" }] };
  const pass = { verdict: "pass", findings: [] };
  const base = { service: "up", currentText: "draft", checkedText: "draft" };
  assert.equal(logic.sendDecision({ ...base, result: block }), "ask");
  assert.equal(logic.sendDecision({ ...base, result: pass }), "send");
  assert.equal(logic.sendDecision({ ...base, result: { verdict: "warn", findings: [] } }), "send");
  assert.equal(logic.sendDecision({ ...base, result: block, confirmedText: "draft" }), "send");
  assert.equal(logic.sendDecision({ ...base, result: block, confirmedText: "older draft" }), "ask");
  assert.equal(logic.sendDecision({ ...base, result: block, checkedText: "older" }), "check-first");
  assert.equal(logic.sendDecision({ ...base, result: null }), "check-first");
  assert.equal(logic.sendDecision({ ...base, result: null, freshCheckFailed: true }), "send");
  assert.equal(logic.sendDecision({ ...base, result: null, service: "down" }), "check-first");
  assert.equal(logic.sendDecision({ ...base, result: null, service: "down", freshCheckFailed: true }), "send");
  assert.equal(logic.sendDecision({ ...base, currentText: "  \n", result: block }), "send");
});

test("failures are sorted and every notice says sending still works", () => {
  assert.equal(logic.classifyFailure(new TypeError("Failed to fetch")), "down");
  assert.equal(logic.classifyFailure({ status: 401 }), "auth");
  assert.equal(logic.classifyFailure({ status: 413 }), "refused");
  assert.equal(logic.classifyFailure({ status: 503 }), "down");
  assert.equal(logic.classifyFailure({ name: "AbortError" }), "slow");
  assert.equal(logic.classifyFailure({ timedOut: true }), "slow");
  for (const kind of ["down", "auth", "refused", "slow"]) {
    assert.match(logic.failureNotice(kind, "http://127.0.0.1:9999", "too long"), /[Ss]ending still works/);
  }
  assert.match(logic.failureNotice("down", "http://127.0.0.1:9999"), /not reachable at http:\/\/127\.0\.0\.1:9999/);
  assert.match(logic.failureNotice("refused", "x", "text: over 100,000 characters"), /over 100,000 characters/);
  assert.match(logic.failureNotice("slow", "http://127.0.0.1:9999"), /did not answer in time/);
});

test("the service address is normalised, and a bad one is named", () => {
  assert.equal(logic.normaliseServiceUrl(" http://127.0.0.1:8765/ "), "http://127.0.0.1:8765");
  assert.equal(logic.normaliseServiceUrl("https://checks.example.com/ra/"), "https://checks.example.com/ra");
  assert.throws(() => logic.normaliseServiceUrl("127.0.0.1:8765 please"), /service address: .* is not a URL/);
  assert.throws(() => logic.normaliseServiceUrl("ftp://127.0.0.1"), /service address: must start with http/);
  assert.throws(() => logic.normaliseServiceUrl("http://127.0.0.1:8765/?x=1"), /service address: leave out/);
});

test("summary and line numbers read as the agent sees them", () => {
  assert.equal(logic.summary({ findings: [] }), "No findings.");
  assert.equal(
    logic.summary({ findings: [{ severity: "warning" }, { severity: "error" }, { severity: "warning" }] }),
    "3 findings (1 error, 2 warnings)"
  );
  assert.deepEqual(logic.lineAndColumn("Hi Sam,\n\nYou should", 9), { line: 3, column: 1 });
});
