/*
 * Reply Assistant: the pure logic shared by the browser extension and the Zendesk sidebar app.
 *
 * No DOM and no browser APIs here, so node --test runs it as is. It is a classic script (not an ES
 * module) because MV3 content scripts declared in the manifest cannot be modules; it exports through
 * module.exports under node and through globalThis.ReplyLogic in a page, worker or content script.
 */
(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.ReplyLogic = api;
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  // A short pause keeps the whole round trip (pause, request, engine, render) inside 300 ms.
  const DEBOUNCE_MS = 150;
  // How long Send waits for a fresh check before it lets the reply go unchecked (fail open).
  const SEND_CHECK_TIMEOUT_MS = 2000;
  const DEFAULT_SERVICE_URL = "http://127.0.0.1:8765";
  const SEVERITIES = ["suggestion", "warning", "error"];

  function severityRank(severity) {
    const rank = SEVERITIES.indexOf(severity);
    if (rank < 0) {
      throw new Error(`unknown severity ${JSON.stringify(severity)} (expected one of ${SEVERITIES.join(", ")})`);
    }
    return rank;
  }

  /** Delay fn until calls stop for `wait` ms; timers are injectable so tests need no real clock. */
  function debounce(fn, wait, timers) {
    // Wrapped: browsers refuse setTimeout called as a method of any object but the global one.
    const clock = timers || {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle),
    };
    let handle = null;
    let pendingArgs = null;
    function debounced(...args) {
      pendingArgs = args;
      if (handle !== null) clock.clearTimeout(handle);
      handle = clock.setTimeout(run, wait);
    }
    function run() {
      handle = null;
      const args = pendingArgs;
      pendingArgs = null;
      return fn(...args);
    }
    debounced.cancel = function () {
      if (handle !== null) clock.clearTimeout(handle);
      handle = null;
      pendingArgs = null;
    };
    debounced.flush = function () {
      if (handle === null) return undefined;
      clock.clearTimeout(handle);
      return run();
    };
    debounced.pending = function () {
      return handle !== null;
    };
    return debounced;
  }

  /**
   * Python offsets count code points; JavaScript strings count UTF-16 units, so every character
   * outside the Basic Multilingual Plane (emoji) before a finding shifts it by one.
   */
  function codePointToUtf16(text, codePoints) {
    if (!Number.isInteger(codePoints) || codePoints < 0) {
      throw new Error(`offset must be a non-negative integer, got ${JSON.stringify(codePoints)}`);
    }
    let units = 0;
    let seen = 0;
    while (seen < codePoints) {
      if (units >= text.length) {
        throw new Error(`offset ${codePoints} is past the end of the text (${seen} code points)`);
      }
      const code = text.charCodeAt(units);
      const high = code >= 0xd800 && code <= 0xdbff;
      const next = units + 1 < text.length ? text.charCodeAt(units + 1) : 0;
      units += high && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
      seen += 1;
    }
    return units;
  }

  /** The service's findings with start/end in UTF-16 units of `text` (the text that was checked). */
  function findingsToUtf16(text, findings) {
    return (findings || []).map(function (finding, index) {
      const start = codePointToUtf16(text, finding.start);
      const end = codePointToUtf16(text, finding.end);
      if (end < start) {
        throw new Error(`finding ${index} (${finding.rule}): end ${finding.end} is before start ${finding.start}`);
      }
      return Object.assign({}, finding, { start: start, end: end, index: index });
    });
  }

  /**
   * Cut the text into consecutive segments, each with the findings covering it, so overlapping
   * findings become nested-free marks (a mark element cannot overlap another).
   */
  function highlightSegments(text, findings) {
    const cuts = new Set([0, text.length]);
    for (const finding of findings) {
      cuts.add(Math.max(0, Math.min(text.length, finding.start)));
      cuts.add(Math.max(0, Math.min(text.length, finding.end)));
    }
    const points = Array.from(cuts).sort(function (a, b) {
      return a - b;
    });
    const segments = [];
    for (let i = 0; i + 1 < points.length; i += 1) {
      const start = points[i];
      const end = points[i + 1];
      const covering = findings.filter(function (f) {
        return f.start <= start && f.end >= end && f.end > f.start;
      });
      let severity = null;
      for (const f of covering) {
        if (severity === null || severityRank(f.severity) > severityRank(severity)) severity = f.severity;
      }
      const segment = {
        start: start,
        end: end,
        text: text.slice(start, end),
        findings: covering.map(function (f) {
          return f.index;
        }),
        severity: severity,
      };
      const last = segments[segments.length - 1];
      if (last && last.findings.length === 0 && segment.findings.length === 0) {
        last.end = end;
        last.text += segment.text;
      } else {
        segments.push(segment);
      }
    }
    return segments;
  }

  /**
   * Replace a finding's span. Returns null when the text no longer holds the finding's words at
   * its offsets (the agent edited meanwhile): a stale replacement must never land on other words.
   */
  function applyReplacement(text, finding, replacement) {
    if (typeof replacement !== "string") {
      throw new Error(`replacement for ${finding.rule} must be a string`);
    }
    if (text.slice(finding.start, finding.end) !== finding.text) return null;
    return {
      text: text.slice(0, finding.start) + replacement + text.slice(finding.end),
      start: finding.start,
      end: finding.start + replacement.length,
    };
  }

  /** The service decides the verdict; a result without one (an older service) is judged here. */
  function verdictOf(result, blockOn) {
    if (result && typeof result.verdict === "string") {
      if (!["pass", "warn", "block"].includes(result.verdict)) {
        throw new Error(`unknown verdict ${JSON.stringify(result.verdict)}`);
      }
      return result.verdict;
    }
    const threshold = severityRank(blockOn || "error");
    let verdict = "pass";
    for (const finding of (result && result.findings) || []) {
      const rank = severityRank(finding.severity);
      if (rank >= threshold) return "block";
      if (rank >= severityRank("warning")) verdict = "warn";
    }
    return verdict;
  }

  /** The findings that make a verdict "block": the most severe ones. */
  function blockingFindings(result) {
    const findings = (result && result.findings) || [];
    if (verdictOf(result) !== "block" || findings.length === 0) return [];
    const top = Math.max.apply(
      null,
      findings.map(function (f) {
        return severityRank(f.severity);
      })
    );
    return findings.filter(function (f) {
      return severityRank(f.severity) === top;
    });
  }

  /**
   * What Send does now.
   *  - "send": let it through (nothing blocks, the agent already said "send anyway" for this exact
   *    text, or a fresh check just failed: fail open, the notice says the reply went unchecked);
   *  - "check-first": the result is missing or for other text (also after the service was down: it
   *    may be back), so check now, bounded in time, and decide again;
   *  - "ask": a blocking finding in the current text: ask "send anyway?".
   */
  function sendDecision(state) {
    const text = state.currentText || "";
    if (text.trim() === "") return "send";
    if (state.confirmedText !== undefined && state.confirmedText === text) return "send";
    if (!state.result || state.checkedText !== text) {
      return state.freshCheckFailed ? "send" : "check-first";
    }
    return verdictOf(state.result) === "block" ? "ask" : "send";
  }

  /** Sort a failed call into what the agent is told; every kind fails open. */
  function classifyFailure(failure) {
    if (failure && (failure.timedOut || failure.name === "AbortError")) return "slow";
    if (failure && failure.status === 401) return "auth";
    if (failure && typeof failure.status === "number" && failure.status >= 400 && failure.status < 500) {
      return "refused";
    }
    return "down";
  }

  function failureNotice(kind, serviceUrl, detail) {
    const where = serviceUrl || DEFAULT_SERVICE_URL;
    if (kind === "auth") {
      return `Reply Assistant refused the token (${where}). Your reply is not being checked; sending still works. Set the token in the options.`;
    }
    if (kind === "slow") {
      return `Reply Assistant (${where}) did not answer in time. This reply is not checked; sending still works.`;
    }
    if (kind === "refused") {
      return `Reply Assistant could not check this reply${detail ? ": " + detail : ""}. Sending still works.`;
    }
    return `Reply Assistant is not reachable at ${where}. Your reply is not being checked; sending still works.`;
  }

  /** Validate the service address an agent typed; errors name the field. */
  function normaliseServiceUrl(value) {
    const raw = String(value || "").trim();
    let url;
    try {
      url = new URL(raw);
    } catch (error) {
      throw new Error(`service address: ${JSON.stringify(raw)} is not a URL (example: ${DEFAULT_SERVICE_URL})`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`service address: must start with http:// or https://, got ${url.protocol}`);
    }
    if (url.search || url.hash) {
      throw new Error("service address: leave out ?query and #fragment");
    }
    return url.origin + url.pathname.replace(/\/+$/, "");
  }

  /** A finding's place in the text as the agent reads it: line and column, both from 1. */
  function lineAndColumn(text, offset) {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return { line: line, column: column };
  }

  function summary(result) {
    const findings = (result && result.findings) || [];
    if (findings.length === 0) return "No findings.";
    const counts = {};
    for (const f of findings) counts[f.severity] = (counts[f.severity] || 0) + 1;
    const parts = SEVERITIES.slice()
      .reverse()
      .filter(function (s) {
        return counts[s];
      })
      .map(function (s) {
        return `${counts[s]} ${s}${counts[s] === 1 ? "" : "s"}`;
      });
    return `${findings.length} finding${findings.length === 1 ? "" : "s"} (${parts.join(", ")})`;
  }

  return {
    DEBOUNCE_MS: DEBOUNCE_MS,
    SEND_CHECK_TIMEOUT_MS: SEND_CHECK_TIMEOUT_MS,
    DEFAULT_SERVICE_URL: DEFAULT_SERVICE_URL,
    SEVERITIES: SEVERITIES,
    severityRank: severityRank,
    debounce: debounce,
    codePointToUtf16: codePointToUtf16,
    findingsToUtf16: findingsToUtf16,
    highlightSegments: highlightSegments,
    applyReplacement: applyReplacement,
    verdictOf: verdictOf,
    blockingFindings: blockingFindings,
    sendDecision: sendDecision,
    classifyFailure: classifyFailure,
    failureNotice: failureNotice,
    normaliseServiceUrl: normaliseServiceUrl,
    lineAndColumn: lineAndColumn,
    summary: summary,
  };
});
