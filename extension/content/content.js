/*
 * Wires the reply box to the service (through the service worker) and the panel: checks the draft
 * when the agent pauses, and holds Send while a blocking finding is unanswered. Every failure of the
 * service lets the reply go (fail open) and says so in the panel.
 */
(function () {
  "use strict";
  if (globalThis.__replyAssistantLoaded) return;
  globalThis.__replyAssistantLoaded = true;

  const state = {
    config: null,
    box: null, // {element, desk}
    panel: null,
    checkedText: undefined,
    result: null,
    findings: [],
    service: "unknown", // "up" | "down" | "unknown"
    confirmedText: undefined,
    sequence: 0,
    bypass: false,
    holding: false,
  };

  function send(message) {
    return new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage(message, (response) => {
          // A reloaded or removed extension leaves this page without a worker: treat it as down.
          if (chrome.runtime.lastError || !response) {
            resolve({ ok: false, kind: "down", notice: ReplyLogic.failureNotice("down", state.config && state.config.serviceUrl) });
          } else {
            resolve(response);
          }
        });
      } catch (error) {
        resolve({ ok: false, kind: "down", notice: ReplyLogic.failureNotice("down", state.config && state.config.serviceUrl) });
      }
    });
  }

  function panel() {
    if (!state.panel) {
      state.panel = ReplyPanel.create();
      state.panel.onReplace(applyReplacement);
    }
    return state.panel;
  }

  /** Check the current draft; answers for older text than the latest request are dropped. */
  async function check() {
    if (!state.box) return;
    const text = ReplyBox.readText(state.box.element);
    const sequence = ++state.sequence;
    if (text.trim() === "") {
      state.checkedText = text;
      state.result = { findings: [], verdict: "pass" };
      state.findings = [];
      panel().showEmpty();
      return;
    }
    panel().showChecking();
    const answer = await send({ type: "check", text });
    if (sequence !== state.sequence) return;
    if (!answer.ok) {
      state.service = "down";
      state.result = null;
      state.checkedText = undefined;
      panel().showNotice(answer.notice);
      return;
    }
    state.service = "up";
    state.checkedText = text;
    state.result = answer.result;
    try {
      state.findings = ReplyLogic.findingsToUtf16(text, answer.result.findings);
    } catch (error) {
      state.result = null;
      panel().showNotice(`Reply Assistant sent findings that do not fit the draft (${error.message}). Sending still works.`);
      return;
    }
    panel().showResult(text, state.findings, answer.result);
  }

  const scheduleCheck = ReplyLogic.debounce(check, ReplyLogic.DEBOUNCE_MS);

  function applyReplacement(index, replacement) {
    if (!state.box) return;
    const finding = state.findings[index];
    const current = ReplyBox.readText(state.box.element);
    const change = finding && ReplyLogic.applyReplacement(current, finding, replacement);
    if (!change) {
      scheduleCheck();
      return;
    }
    ReplyBox.replaceRange(state.box.element, finding.start, finding.end, replacement);
    scheduleCheck.cancel();
    check();
  }

  function adopt(target) {
    const found = ReplyBox.boxFor(target, state.config);
    if (found) state.box = found;
    return found;
  }

  function withTimeout(promise, ms) {
    return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve("timeout"), ms))]);
  }

  /** Send was pressed: decide, and when it is held, finish the send ourselves once allowed. */
  async function onSend(event, resend) {
    if (state.bypass || !state.box) return;
    if (state.holding) {
      // A second click while we check or ask must not send the reply twice.
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const current = ReplyBox.readText(state.box.element);
    let decision = ReplyLogic.sendDecision({ ...state, currentText: current });
    if (decision === "send") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    state.holding = true;
    try {
      decision = await decideHeld(current, decision);
    } finally {
      state.holding = false;
    }
    if (decision !== "send") {
      state.box.element.focus();
      return;
    }
    state.bypass = true;
    try {
      resend();
    } finally {
      state.bypass = false;
    }
  }

  /** Check if needed, ask if blocked; "send" or "keep". */
  async function decideHeld(current, decision) {
    if (decision === "check-first") {
      scheduleCheck.cancel();
      const outcome = await withTimeout(check(), ReplyLogic.SEND_CHECK_TIMEOUT_MS);
      decision = ReplyLogic.sendDecision({
        ...state,
        currentText: current,
        freshCheckFailed: outcome === "timeout" || state.checkedText !== current,
      });
      if (outcome === "timeout") {
        state.sequence += 1; // the late answer must not replace the notice
        panel().showNotice(ReplyLogic.failureNotice("slow", state.config.serviceUrl));
      }
    }
    if (decision === "ask") {
      const anyway = await panel().ask(ReplyLogic.blockingFindings(state.result));
      if (!anyway) return "keep";
      state.confirmedText = current;
    }
    return "send";
  }

  async function start() {
    const config = await send({ type: "config" });
    if (!config || !config.helpdesks) return;
    state.config = { ...config.helpdesks, serviceUrl: config.serviceUrl };

    document.addEventListener(
      "input",
      (event) => {
        if (adopt(event.target)) scheduleCheck();
      },
      true
    );
    document.addEventListener("focusin", (event) => adopt(event.target), true);

    // Capture on window runs before the help desk's own click handlers on the button.
    window.addEventListener(
      "click",
      (event) => {
        // A draft restored by the desk may never have been focused: find its box now.
        if (!state.box) state.box = ReplyBox.firstVisibleBox(state.config);
        const desk = state.box ? state.box.desk : null;
        const button = ReplyBox.sendButtonFor(event.target, desk);
        if (button) onSend(event, () => button.click());
      },
      true
    );
    window.addEventListener(
      "keydown",
      (event) => {
        if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !adopt(event.target)) return;
        const button = ReplyBox.findSendButton(state.box.desk);
        if (button) onSend(event, () => button.click());
      },
      true
    );

    const initial = ReplyBox.firstVisibleBox(state.config);
    if (initial) {
      state.box = initial;
      check();
    }
  }

  start();
})();
