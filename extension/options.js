/* The options page: service address, token and extra help-desk sites, validated before saving. */
/* global ReplyLogic */
"use strict";

const form = document.getElementById("options");
const status = document.getElementById("status");

function say(kind, message) {
  status.dataset.kind = kind;
  status.textContent = message;
}

/** Chrome match patterns, checked here so a typo is named instead of failing registration later. */
function parseSites(raw) {
  const sites = raw
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  sites.forEach((site, index) => {
    if (!/^https?:\/\/(\*|\*\.[^/*]+|[^/*]+)\/.*$/.test(site)) {
      throw new Error(`other help-desk sites, line ${index + 1}: ${JSON.stringify(site)} is not an address pattern like https://support.example.com/*`);
    }
  });
  return sites;
}

function originPattern(serviceUrl) {
  const url = new URL(serviceUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

async function load() {
  const stored = await chrome.storage.local.get(["serviceUrl", "token", "extraSites"]);
  form.serviceUrl.value = stored.serviceUrl || ReplyLogic.DEFAULT_SERVICE_URL;
  form.token.value = stored.token || "";
  form.extraSites.value = (stored.extraSites || []).join("\n");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  let serviceUrl;
  let extraSites;
  try {
    serviceUrl = ReplyLogic.normaliseServiceUrl(form.serviceUrl.value);
    extraSites = parseSites(form.extraSites.value);
  } catch (error) {
    say("error", error.message);
    return;
  }
  // Host access is asked for here, inside the click, because Chrome only asks during a user gesture.
  const origins = [originPattern(serviceUrl), ...extraSites];
  const granted = await chrome.permissions.request({ origins });
  if (!granted) {
    say("error", `Not saved: Chrome did not grant access to ${origins.join(", ")}.`);
    return;
  }
  await chrome.storage.local.set({ serviceUrl, token: form.token.value.trim(), extraSites });
  const synced = await chrome.runtime.sendMessage({ type: "sync-sites" });
  if (synced && !synced.ok) {
    say("error", `Saved, but the extra sites could not be registered: ${synced.error}`);
    return;
  }
  say("ok", "Saved.");
});

document.getElementById("test").addEventListener("click", async () => {
  let serviceUrl;
  try {
    serviceUrl = ReplyLogic.normaliseServiceUrl(form.serviceUrl.value);
  } catch (error) {
    say("error", error.message);
    return;
  }
  try {
    const response = await fetch(`${serviceUrl}/v1/health`, { cache: "no-store" });
    say(response.ok ? "ok" : "error", response.ok ? `Reply Assistant answers at ${serviceUrl}.` : `${serviceUrl} answered HTTP ${response.status}.`);
  } catch (error) {
    say("error", ReplyLogic.failureNotice("down", serviceUrl));
  }
});

load();
