// The draft and message editor: a plain textarea that sends its text to the page a short moment
// after typing stops (Streamlit's own text area reports only on blur or Ctrl+Enter), keeps the
// draft in this browser's localStorage so a reload loses nothing, and marks the findings shown
// for an older text as stale until the page has checked the current one.
//
// data: {text, revision, label, placeholder, height, storage_key, stale_selector, debounce_ms}
// state sent back: text = {value, sequence}; a new sequence on every send, so sending a text
// equal to an earlier one still reaches the page after the page changed the text itself.

const instances = new Map();

function storageGet(name) {
  try {
    return name ? window.localStorage.getItem(name) : null;
  } catch (error) {
    return null; // storage disabled (private mode, policy): the editor still works
  }
}

function storageSet(name, value) {
  try {
    if (name) window.localStorage.setItem(name, value);
  } catch (error) {
    // a full or disabled storage only costs the reload safety net
  }
}

function markStale(selector, stale) {
  if (!selector) return;
  for (const element of document.querySelectorAll(selector)) {
    element.dataset.stale = stale ? "true" : "false";
    element.style.opacity = stale ? "0.45" : "";
    element.style.filter = stale ? "grayscale(0.8)" : "";
  }
}

async function copyText(text, box) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {
    // Outside a secure context (plain http on a LAN) the clipboard API is missing.
    box.focus();
    box.select();
    return document.execCommand("copy");
  }
}

export default function ({ parentElement, data, key, setStateValue }) {
  const root = parentElement.querySelector(".ra-editor");
  if (!root) return undefined;
  const box = root.querySelector(".ra-text");
  const status = root.querySelector(".ra-status");
  const check = root.querySelector(".ra-check");
  const copy = root.querySelector(".ra-copy");
  const instance = instances.get(key) || { sequence: 0, revision: null, timer: null };
  instances.set(key, instance);

  root.querySelector(".ra-label").textContent = data.label;
  box.setAttribute("aria-label", data.label);
  box.placeholder = data.placeholder || "";
  if (!box.dataset.sized) {
    box.style.height = `${data.height || 200}px`;
    box.dataset.sized = "1";
  }

  const send = () => {
    clearTimeout(instance.timer);
    instance.timer = null;
    instance.sequence += 1;
    setStateValue("text", { value: box.value, sequence: instance.sequence });
  };

  const showState = () => {
    const stale = box.value !== data.text;
    markStale(data.stale_selector, stale && data.text !== "");
    if (stale) {
      status.dataset.state = "stale";
      status.textContent = data.text
        ? "Changed since the last check: the findings shown are out of date."
        : "Not checked yet.";
    } else {
      status.dataset.state = box.value ? "checked" : "";
      status.textContent = box.value ? "Checked: the findings match this text." : "";
    }
  };

  const fresh = box.dataset.mounted !== "1";
  if (fresh || instance.revision !== data.revision) {
    // The page changed the text (a replacement, an undo, a restore) or the editor is new: the
    // page's text wins, except that a new editor with nothing in it brings back the saved draft.
    const saved = fresh && data.text === "" ? storageGet(data.storage_key) : null;
    box.value = saved || data.text;
    box.dataset.mounted = "1";
    instance.revision = data.revision;
    if (saved) send();
  }
  storageSet(data.storage_key, box.value);
  showState();

  const onInput = () => {
    storageSet(data.storage_key, box.value);
    showState();
    clearTimeout(instance.timer);
    instance.timer = setTimeout(send, data.debounce_ms || 600);
  };
  const onKey = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  };
  const onBlur = () => {
    if (instance.timer) send();
  };
  const onCheck = () => send();
  const onCopy = async () => {
    const done = await copyText(box.value, box);
    status.dataset.state = "";
    status.textContent = done ? "Copied." : "Could not copy: select the text and copy it.";
  };
  box.addEventListener("input", onInput);
  box.addEventListener("keydown", onKey);
  box.addEventListener("blur", onBlur);
  check.addEventListener("click", onCheck);
  copy.addEventListener("click", onCopy);
  return () => {
    box.removeEventListener("input", onInput);
    box.removeEventListener("keydown", onKey);
    box.removeEventListener("blur", onBlur);
    check.removeEventListener("click", onCheck);
    copy.removeEventListener("click", onCopy);
  };
}
