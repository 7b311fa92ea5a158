/*
 * The extension's service worker: the only part that talks to the Reply Assistant service.
 *
 * Requests go from here, not from the content script: a content script's fetch carries the help
 * desk's origin, so it would need the service to allow that origin by CORS and pass Chrome's
 * private-network checks (an https page calling http://127.0.0.1). The worker holds host
 * permissions for the service address, so none of that applies, and the token never enters the
 * help desk's page.
 */
/* global ReplyLogic */
importScripts("lib/reply-logic.js");

const CONTENT_FILES = ["lib/reply-logic.js", "content/reply-box.js", "content/panel.js", "content/content.js"];
const EXTRA_SITES_ID = "reply-assistant-extra-sites";
const CHECK_TIMEOUT_MS = 2500;

async function loadSettings() {
  const stored = await chrome.storage.local.get(["serviceUrl", "token", "extraSites"]);
  return {
    serviceUrl: stored.serviceUrl || ReplyLogic.DEFAULT_SERVICE_URL,
    token: stored.token || "",
    extraSites: Array.isArray(stored.extraSites) ? stored.extraSites : [],
  };
}

let helpdesksPromise = null;
function loadHelpdesks() {
  if (helpdesksPromise === null) {
    helpdesksPromise = fetch(chrome.runtime.getURL("helpdesks.json")).then((response) => response.json());
  }
  return helpdesksPromise;
}

/** One check; every failure comes back as {ok: false, kind, notice} so the page can fail open. */
async function check(message) {
  const settings = await loadSettings();
  const body = { text: message.text };
  if (message.caseType) body.case_type = message.caseType;
  if (message.fault) body.fault = message.fault;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CHECK_TIMEOUT_MS);
  try {
    const response = await fetch(`${settings.serviceUrl}/v1/check`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${settings.token}` },
      body: JSON.stringify(body),
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    });
    const payload = await response.json().catch(() => null);
    if (!response.ok) {
      const kind = ReplyLogic.classifyFailure({ status: response.status });
      const detail = payload && payload.error ? payload.error : `HTTP ${response.status}`;
      return { ok: false, kind, notice: ReplyLogic.failureNotice(kind, settings.serviceUrl, detail) };
    }
    if (!payload || !Array.isArray(payload.findings)) {
      return {
        ok: false,
        kind: "refused",
        notice: ReplyLogic.failureNotice("refused", settings.serviceUrl, "the answer has no findings list"),
      };
    }
    return { ok: true, result: payload };
  } catch (error) {
    const kind = ReplyLogic.classifyFailure(error);
    return { ok: false, kind, notice: ReplyLogic.failureNotice(kind, settings.serviceUrl) };
  } finally {
    clearTimeout(timer);
  }
}

/** The sites an agent added in the options get the same content scripts as the known help desks. */
let syncQueue = Promise.resolve();
function syncExtraSites() {
  // One registration at a time: a save fires both storage.onChanged and the options page's message.
  const next = syncQueue.then(registerExtraSites);
  syncQueue = next.catch(() => {});
  return next;
}

async function registerExtraSites() {
  const { extraSites } = await loadSettings();
  const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [EXTRA_SITES_ID] });
  if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [EXTRA_SITES_ID] });
  if (extraSites.length === 0) return;
  await chrome.scripting.registerContentScripts([
    {
      id: EXTRA_SITES_ID,
      matches: extraSites,
      js: CONTENT_FILES,
      runAt: "document_idle",
      persistAcrossSessions: true,
    },
  ]);
}

chrome.runtime.onInstalled.addListener(() => {
  syncExtraSites().catch((error) => console.error("Reply Assistant: extra sites", error));
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && changes.extraSites) {
    syncExtraSites().catch((error) => console.error("Reply Assistant: extra sites", error));
  }
});

// Any other page with a reply box: the toolbar button checks it once (activeTab grants the page).
chrome.action.onClicked.addListener(async (tab) => {
  if (!tab.id) return;
  await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: CONTENT_FILES });
});

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!message || typeof message.type !== "string") return false;
  if (message.type === "check") {
    check(message).then(sendResponse);
    return true;
  }
  if (message.type === "config") {
    Promise.all([loadHelpdesks(), loadSettings()]).then(([helpdesks, settings]) =>
      sendResponse({ helpdesks, serviceUrl: settings.serviceUrl })
    );
    return true;
  }
  if (message.type === "sync-sites") {
    syncExtraSites().then(
      () => sendResponse({ ok: true }),
      (error) => sendResponse({ ok: false, error: String(error && error.message ? error.message : error) })
    );
    return true;
  }
  return false;
});
