/*
 * The findings panel, drawn inside a shadow root on the help desk's page.
 *
 * Why in the page and not chrome.sidePanel: the side panel opens only from a user gesture on the
 * toolbar, cannot be driven by an automated browser test, and sits outside the page, so the
 * "send anyway?" question would appear away from the Send button the agent just clicked. The shadow
 * root keeps the help desk's CSS out and ours in. Every text from the draft or the service goes in
 * with textContent, never as markup.
 */
(function () {
  "use strict";
  if (globalThis.ReplyPanel) return;

  const STYLE = `
    :host { all: initial; }
    .panel { position: fixed; top: 12px; right: 12px; bottom: 12px; width: 340px; z-index: 2147483646;
      display: flex; flex-direction: column; background: #fff; color: #1d1d1f; border: 1px solid #c9ccd1;
      border-radius: 10px; box-shadow: 0 6px 24px rgba(0,0,0,.18); font: 13px/1.45 system-ui, sans-serif; }
    .panel.collapsed { bottom: auto; }
    .panel.embedded { position: static; width: auto; border: none; box-shadow: none; border-radius: 0; }
    .panel.embedded header { display: none; }
    .panel.collapsed .body { display: none; }
    header { display: flex; align-items: center; gap: 8px; padding: 8px 12px; border-bottom: 1px solid #e3e5e8; }
    header h2 { font-size: 14px; margin: 0; flex: 1; }
    header button { font: inherit; border: 1px solid #c9ccd1; background: #f6f7f8; border-radius: 6px; cursor: pointer; }
    .body { overflow: auto; padding: 10px 12px; flex: 1; }
    .status { font-weight: 600; margin-bottom: 8px; }
    .notice { background: #fff4d6; border: 1px solid #e0b341; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
    .notice[hidden], .ask[hidden] { display: none; }
    .draft { white-space: pre-wrap; word-wrap: break-word; background: #f8f9fa; border-radius: 6px; padding: 8px;
      margin-bottom: 10px; max-height: 220px; overflow: auto; }
    .draft:empty { display: none; }
    mark { border-radius: 3px; padding: 0 1px; color: inherit; }
    mark[data-severity="suggestion"] { background: #dcecff; }
    mark[data-severity="warning"] { background: #ffe7a8; }
    mark[data-severity="error"] { background: #ffc4c4; outline: 1px solid #d33; }
    ol.findings { list-style: none; margin: 0; padding: 0; }
    ol.findings > li { border: 1px solid #e3e5e8; border-left-width: 4px; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
    ol.findings > li[data-severity="error"] { border-left-color: #d33; }
    ol.findings > li[data-severity="warning"] { border-left-color: #e0a100; }
    ol.findings > li[data-severity="suggestion"] { border-left-color: #3b82f6; }
    .meta { font-size: 12px; color: #555; }
    .quote { font-style: italic; }
    .replace { display: block; margin-top: 6px; font: inherit; text-align: left; border: 1px solid #3b82f6;
      background: #eef5ff; color: #174ea6; border-radius: 6px; padding: 3px 8px; cursor: pointer; }
    .advice { margin: 6px 0 0; padding-left: 18px; color: #333; }
    .ask { background: #fff0f0; border: 2px solid #d33; border-radius: 8px; padding: 10px; margin-bottom: 10px; }
    .ask p { margin: 0 0 8px; font-weight: 600; }
    .ask button { font: inherit; padding: 4px 10px; border-radius: 6px; cursor: pointer; margin-right: 6px; }
    .ask .send-anyway { background: #d33; color: #fff; border: 1px solid #b22; }
    .ask .keep-editing { background: #fff; border: 1px solid #888; }
  `;

  function el(tag, attributes, text) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  /** embedded: fill the container (the Zendesk sidebar) instead of floating over the page. */
  function create(options) {
    const embedded = Boolean(options && options.embedded);
    const host = el("div", { "data-reply-assistant-panel": "" });
    const shadow = host.attachShadow({ mode: "open" });
    const style = el("style", {}, STYLE);
    const panel = el("section", { class: embedded ? "panel embedded" : "panel", "aria-label": "Reply Assistant", role: "complementary" });
    const header = el("header");
    header.append(el("h2", {}, "Reply Assistant"));
    const toggle = el("button", { type: "button", "aria-expanded": "true" }, "Hide");
    header.append(toggle);
    const body = el("div", { class: "body" });
    const status = el("div", { class: "status", role: "status", "aria-live": "polite" }, "Waiting for a draft.");
    const notice = el("div", { class: "notice", role: "alert" });
    notice.hidden = true;
    const ask = el("div", { class: "ask", role: "alertdialog", "aria-label": "Send anyway?" });
    ask.hidden = true;
    const draft = el("div", { class: "draft", "aria-label": "Your draft with its findings marked" });
    const list = el("ol", { class: "findings", "aria-label": "Findings" });
    body.append(notice, ask, status, draft, list);
    panel.append(header, body);
    shadow.append(style, panel);
    (embedded ? document.body : document.documentElement).append(host);

    toggle.addEventListener("click", () => {
      const collapsed = panel.classList.toggle("collapsed");
      toggle.textContent = collapsed ? "Show" : "Hide";
      toggle.setAttribute("aria-expanded", String(!collapsed));
    });

    let replaceHandler = () => {};

    function renderDraft(text, findings) {
      draft.replaceChildren();
      for (const segment of ReplyLogic.highlightSegments(text, findings)) {
        if (segment.findings.length === 0) {
          draft.append(document.createTextNode(segment.text));
          continue;
        }
        const names = segment.findings.map((i) => `${findings[i].category} (${findings[i].severity})`);
        draft.append(
          el("mark", { "data-severity": segment.severity, title: names.join(", "), "data-findings": segment.findings.join(" ") }, segment.text)
        );
      }
    }

    function renderFindings(text, findings) {
      list.replaceChildren();
      findings.forEach((finding, index) => {
        const item = el("li", { "data-severity": finding.severity, "data-rule": finding.rule });
        const where = ReplyLogic.lineAndColumn(text, finding.start);
        item.append(el("div", { class: "meta" }, `${finding.severity} · ${finding.category} · line ${where.line}`));
        item.append(el("div", { class: "quote" }, `“${finding.text}”`));
        item.append(el("div", { class: "message" }, finding.message || ""));
        for (const replacement of finding.replacements || []) {
          const button = el("button", { type: "button", class: "replace" }, `Replace with “${replacement}”`);
          button.addEventListener("click", () => replaceHandler(index, replacement));
          item.append(button);
        }
        const advice = finding.advice || (finding.replacements && finding.replacements.length ? [] : finding.suggestions) || [];
        if (advice.length) {
          const ul = el("ul", { class: "advice" });
          for (const line of advice) ul.append(el("li", {}, `Try: ${line}`));
          item.append(ul);
        }
        list.append(item);
      });
    }

    return {
      host,
      root: shadow,
      onReplace(handler) {
        replaceHandler = handler;
      },
      showChecking() {
        status.textContent = "Checking…";
        panel.dataset.state = "checking";
      },
      showResult(text, findings, result) {
        this.clearNotice();
        status.textContent = ReplyLogic.summary(result);
        panel.dataset.state = "checked";
        panel.dataset.verdict = ReplyLogic.verdictOf(result);
        renderDraft(text, findings);
        renderFindings(text, findings);
      },
      showEmpty() {
        status.textContent = "Waiting for a draft.";
        panel.dataset.state = "empty";
        draft.replaceChildren();
        list.replaceChildren();
      },
      showNotice(message) {
        notice.textContent = message;
        notice.hidden = false;
        panel.dataset.state = "down";
        status.textContent = "Not checked.";
        draft.replaceChildren();
        list.replaceChildren();
      },
      message(text) {
        status.textContent = text;
      },
      clearNotice() {
        notice.hidden = true;
        notice.textContent = "";
      },
      /** Ask before a send with a blocking finding; resolves true for "Send anyway". */
      ask(blocking) {
        ask.replaceChildren();
        panel.classList.remove("collapsed");
        const names = blocking.map((f) => `${f.category} “${f.text}”`).join("; ");
        ask.append(el("p", {}, `This reply has a blocking finding (${names}). Send anyway?`));
        const yes = el("button", { type: "button", class: "send-anyway" }, "Send anyway");
        const no = el("button", { type: "button", class: "keep-editing" }, "Keep editing");
        ask.append(yes, no);
        ask.hidden = false;
        no.focus();
        return new Promise((resolve) => {
          function answer(value) {
            ask.hidden = true;
            ask.replaceChildren();
            resolve(value);
          }
          yes.addEventListener("click", () => answer(true), { once: true });
          no.addEventListener("click", () => answer(false), { once: true });
        });
      },
    };
  }

  globalThis.ReplyPanel = { create };
})();
