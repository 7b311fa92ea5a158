/*
 * The Zendesk sidebar app's behaviour, apart from the DOM: it reads the comment through the ZAF
 * client, checks it with the Reply Assistant service, and guards ticket.save. Everything it touches
 * (client, fetch, view, timers) is passed in, so node --test drives it with a stub ZAF client.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./reply-logic.js"));
  } else {
    root.ReplyApp = factory(root.ReplyLogic);
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function (logic) {
  "use strict";

  const COMMENT = "ticket.comment.text";
  // How long a held save waits for "Send anyway" / "Keep editing" before it is cancelled (kept).
  const ASK_TIMEOUT_MS = 20000;
  const CHECK_TIMEOUT_MS = logic.SEND_CHECK_TIMEOUT_MS;

  const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", "#39": "'" };

  function isHtml(value) {
    return /<[a-z!/]/i.test(value);
  }

  /** The rich-text comment as the agent reads it: block ends and <br> become line breaks. */
  function htmlToText(html) {
    if (!isHtml(html)) return html;
    const text = html
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<\/(p|div|li|h[1-6]|blockquote|pre)>/gi, "\n")
      .replace(/<[^>]*>/g, "")
      .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, function (whole, name) {
        if (name[0] === "#") {
          const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
        }
        return Object.prototype.hasOwnProperty.call(ENTITIES, name) ? ENTITIES[name] : whole;
      });
    return text.replace(/\n+$/, "");
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function occurrencesBefore(haystack, needle, limit) {
    let count = 0;
    let at = haystack.indexOf(needle);
    while (at !== -1 && at < limit) {
      count += 1;
      at = haystack.indexOf(needle, at + 1);
    }
    return count;
  }

  /**
   * Replace a finding inside the comment's HTML: the same occurrence of its words as in the text,
   * so the formatting around it survives. Null when the words are split by markup.
   */
  function replaceInComment(value, text, finding, replacement) {
    const plain = logic.applyReplacement(text, finding, replacement);
    if (plain === null) return null;
    if (!isHtml(value)) return plain.text;
    const nth = occurrencesBefore(text, finding.text, finding.start);
    for (const needle of [escapeHtml(finding.text), finding.text]) {
      let at = -1;
      for (let i = 0; i <= nth; i += 1) {
        at = value.indexOf(needle, at + 1);
        if (at === -1) break;
      }
      if (at !== -1) return value.slice(0, at) + escapeHtml(replacement) + value.slice(at + needle.length);
    }
    return null;
  }

  function createReplyApp(options) {
    const client = options.client;
    const fetchImpl = options.fetch;
    const view = options.view;
    const timers = options.timers || {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle),
    };
    const askTimeoutMs = options.askTimeoutMs || ASK_TIMEOUT_MS;
    const state = {
      serviceUrl: logic.DEFAULT_SERVICE_URL,
      token: "",
      checkedText: undefined,
      result: null,
      findings: [],
      service: "unknown",
      notice: "",
      confirmedText: undefined,
      sequence: 0,
    };

    async function readComment() {
      const data = await client.get(COMMENT);
      const value = (data && data[COMMENT]) || "";
      return { value: value, text: htmlToText(value) };
    }

    function withTimeout(promise, ms, onTimeout) {
      let handle;
      const timeout = new Promise(function (resolve) {
        handle = timers.setTimeout(function () {
          resolve(onTimeout());
        }, ms);
      });
      return Promise.race([promise, timeout]).finally(function () {
        timers.clearTimeout(handle);
      });
    }

    /** One call to the service; never throws: a failure is {ok: false, kind, notice}. */
    async function callService(text) {
      const down = { ok: false, kind: "down", notice: logic.failureNotice("down", state.serviceUrl) };
      const request = (async function () {
        try {
          const response = await fetchImpl(state.serviceUrl + "/v1/check", {
            method: "POST",
            headers: { "Content-Type": "application/json", Authorization: "Bearer " + state.token },
            body: JSON.stringify({ text: text }),
            credentials: "omit",
          });
          const payload = await response.json().catch(function () {
            return null;
          });
          if (!response.ok) {
            const kind = logic.classifyFailure({ status: response.status });
            const detail = payload && payload.error ? payload.error : "HTTP " + response.status;
            return { ok: false, kind: kind, notice: logic.failureNotice(kind, state.serviceUrl, detail) };
          }
          if (!payload || !Array.isArray(payload.findings)) {
            return { ok: false, kind: "refused", notice: logic.failureNotice("refused", state.serviceUrl, "the answer has no findings list") };
          }
          return { ok: true, result: payload };
        } catch (error) {
          return down;
        }
      })();
      return withTimeout(request, CHECK_TIMEOUT_MS, function () {
        return { ok: false, kind: "slow", notice: logic.failureNotice("slow", state.serviceUrl) };
      });
    }

    /** Check the comment as it is now and show the outcome; older answers are dropped. */
    async function refresh() {
      const sequence = ++state.sequence;
      const comment = await readComment();
      const text = comment.text;
      if (text.trim() === "") {
        state.checkedText = text;
        state.result = { findings: [], verdict: "pass" };
        state.findings = [];
        view.empty();
        return state;
      }
      view.checking();
      const answer = await callService(text);
      if (sequence !== state.sequence) return state;
      if (!answer.ok) {
        state.service = "down";
        state.notice = answer.notice;
        state.result = null;
        state.checkedText = undefined;
        view.notice(answer.notice);
        return state;
      }
      state.service = "up";
      state.checkedText = text;
      state.result = answer.result;
      state.findings = logic.findingsToUtf16(text, answer.result.findings);
      view.result(text, state.findings, answer.result);
      return state;
    }

    const scheduleRefresh = logic.debounce(refresh, logic.DEBOUNCE_MS, timers);

    /**
     * The ticket.save hook. Resolving lets the save go on; rejecting with a message cancels it and
     * Zendesk shows the message. Service trouble always resolves (fail open), with a notice.
     */
    async function onSave() {
      scheduleRefresh.cancel();
      const text = (await readComment()).text;
      let decision = logic.sendDecision(Object.assign({}, state, { currentText: text }));
      if (decision === "check-first") {
        await refresh();
        decision = logic.sendDecision(
          Object.assign({}, state, { currentText: text, freshCheckFailed: state.checkedText !== text })
        );
      }
      if (decision === "send") {
        if (state.service === "down") client.invoke("notify", state.notice, "alert");
        return true;
      }
      const blocking = logic.blockingFindings(state.result);
      const anyway = await withTimeout(view.ask(blocking), askTimeoutMs, function () {
        return false;
      });
      if (anyway) {
        state.confirmedText = text;
        return true;
      }
      const names = blocking.map(function (f) {
        return f.category + " “" + f.text + "”";
      });
      throw "Not sent: Reply Assistant found a blocking finding (" + names.join("; ") + "). Edit the reply, or submit again and choose Send anyway.";
    }

    /** Write one replacement into the comment; false when the comment changed under it. */
    async function applyReplacement(index, replacement) {
      const comment = await readComment();
      const finding = state.findings[index];
      if (!finding || comment.text !== state.checkedText) {
        await refresh();
        return false;
      }
      const updated = replaceInComment(comment.value, comment.text, finding, replacement);
      if (updated === null) {
        view.message("That wording could not be replaced automatically: it is split by formatting. Edit it by hand.");
        return false;
      }
      await client.set(COMMENT, updated);
      await refresh();
      return true;
    }

    async function start() {
      const metadata = await client.metadata();
      const settings = (metadata && metadata.settings) || {};
      try {
        state.serviceUrl = logic.normaliseServiceUrl(settings.service_url || logic.DEFAULT_SERVICE_URL);
      } catch (error) {
        view.notice("App settings, " + error.message + ". Sending still works.");
        return state;
      }
      state.token = settings.token || "";
      client.on("comment.text.changed", function () {
        scheduleRefresh();
      });
      client.on("ticket.save", onSave);
      return refresh();
    }

    return {
      state: state,
      start: start,
      refresh: refresh,
      onSave: onSave,
      applyReplacement: applyReplacement,
      scheduleRefresh: scheduleRefresh,
    };
  }

  return { createReplyApp: createReplyApp, htmlToText: htmlToText, replaceInComment: replaceInComment, ASK_TIMEOUT_MS: ASK_TIMEOUT_MS };
});
