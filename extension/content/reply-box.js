/*
 * The help desk's reply box and Send button, found with the selectors in helpdesks.json.
 * Reads the draft as plain text and writes a replacement back the way typing would, so the help
 * desk's own editor (CKEditor, Draft.js, Froala, a textarea) sees an ordinary edit.
 */
(function () {
  "use strict";
  if (globalThis.ReplyBox) return;

  const BLOCKS = new Set(["P", "DIV", "LI", "UL", "OL", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "PRE", "TR"]);

  function hostMatches(hostname, suffixes) {
    return suffixes.some((suffix) =>
      suffix.startsWith(".") ? hostname.endsWith(suffix) || hostname === suffix.slice(1) : hostname === suffix
    );
  }

  /** Known desks for this host first, then every desk (a host-mapped Zendesk), then the fallback. */
  function desksFor(config, hostname) {
    const desks = config.helpdesks || [];
    const mine = desks.filter((desk) => hostMatches(hostname, desk.hosts || []));
    const others = desks.filter((desk) => !mine.includes(desk));
    return mine.concat(others, [config.generic]);
  }

  function isVisible(element) {
    if (!element || !element.isConnected) return false;
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
  }

  function isEditable(element) {
    if (!element) return false;
    if (element.tagName === "TEXTAREA") return !element.readOnly && !element.disabled;
    return element.isContentEditable;
  }

  /** The reply box an event happened in, if the target is (inside) one; the desk it belongs to. */
  function boxFor(target, config) {
    if (!target || !target.closest) return null;
    for (const desk of desksFor(config, location.hostname)) {
      for (const selector of desk.replyBox) {
        const box = target.closest(selector);
        if (box && isEditable(box) && !box.closest("[data-reply-assistant-panel]")) {
          return { element: outermostEditable(box), desk };
        }
      }
    }
    return null;
  }

  /** A nested contenteditable belongs to the editor around it: read and write the whole editor. */
  function outermostEditable(element) {
    let current = element;
    while (
      current.tagName !== "TEXTAREA" &&
      current.parentElement &&
      current.parentElement.isContentEditable
    ) {
      current = current.parentElement;
    }
    return current;
  }

  function firstVisibleBox(config) {
    for (const desk of desksFor(config, location.hostname)) {
      for (const selector of desk.replyBox) {
        for (const element of document.querySelectorAll(selector)) {
          if (isVisible(element) && isEditable(element)) return { element: outermostEditable(element), desk };
        }
      }
    }
    return null;
  }

  function labelOf(element) {
    return (element.getAttribute("aria-label") || element.textContent || element.value || "").trim();
  }

  /** Is this click target the desk's Send button? The fallback goes by the button's words. */
  function sendButtonFor(target, desk) {
    if (!target || !target.closest || !desk) return null;
    for (const selector of desk.sendButton) {
      const button = target.closest(selector);
      if (!button || button.closest("[data-reply-assistant-panel]")) continue;
      if (!desk.sendLabels) return button;
      const label = labelOf(button);
      if (desk.sendLabels.some((pattern) => new RegExp(pattern, "i").test(label))) return button;
    }
    return null;
  }

  function findSendButton(desk) {
    for (const selector of desk.sendButton) {
      for (const element of document.querySelectorAll(selector)) {
        if (isVisible(element) && sendButtonFor(element, desk) === element) return element;
      }
    }
    return null;
  }

  /**
   * The editor's text with a map from text offsets back to DOM text nodes. Line breaks come from
   * <br> and block elements, as the agent sees them; they map to no node.
   */
  function readContentEditable(root) {
    let text = "";
    const map = [];
    function newline() {
      if (text.length && !text.endsWith("\n")) text += "\n";
    }
    function walk(node) {
      if (node.nodeType === Node.TEXT_NODE) {
        map.push({ node, start: text.length, end: text.length + node.data.length });
        text += node.data;
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      if (node.tagName === "BR") {
        text += "\n";
        return;
      }
      const block = BLOCKS.has(node.tagName);
      if (block) newline();
      for (const child of node.childNodes) walk(child);
      if (block) newline();
    }
    for (const child of root.childNodes) walk(child);
    // Editors keep a trailing empty block; the agent does not see it as text.
    const trimmed = text.replace(/\n+$/, "");
    return { text: trimmed, map };
  }

  function readText(element) {
    return element.tagName === "TEXTAREA" ? element.value : readContentEditable(element).text;
  }

  function locate(map, offset, preferEnd) {
    for (const entry of map) {
      if (offset > entry.start && offset < entry.end) return { node: entry.node, offset: offset - entry.start };
      if (offset === entry.start && !preferEnd) return { node: entry.node, offset: 0 };
      if (offset === entry.end && preferEnd) return { node: entry.node, offset: entry.end - entry.start };
    }
    for (const entry of map) {
      if (offset === entry.start || offset === entry.end) return { node: entry.node, offset: offset - entry.start };
    }
    return null;
  }

  /**
   * Replace text[start:end] (UTF-16 offsets into readText's text). insertText goes through the
   * editor's own input handling and keeps undo; direct edits are the fallback.
   */
  function replaceRange(element, start, end, replacement) {
    element.focus();
    if (element.tagName === "TEXTAREA") {
      element.setSelectionRange(start, end);
      if (!document.execCommand("insertText", false, replacement)) {
        element.setRangeText(replacement, start, end, "end");
        element.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: replacement }));
      }
      return true;
    }
    const { map } = readContentEditable(element);
    const from = locate(map, start, false);
    const to = locate(map, end, true);
    if (!from || !to) return false;
    const range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (!document.execCommand("insertText", false, replacement)) {
      range.deleteContents();
      range.insertNode(document.createTextNode(replacement));
      element.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText", data: replacement }));
    }
    return true;
  }

  globalThis.ReplyBox = { desksFor, boxFor, firstVisibleBox, sendButtonFor, findSendButton, readText, replaceRange };
})();
