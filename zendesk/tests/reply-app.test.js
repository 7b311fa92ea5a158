// node --test: the Zendesk sidebar app's behaviour against a stub ZAF client and a stub service.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { createReplyApp, htmlToText, replaceInComment } = require("../assets/reply-app.js");

const COMMENT = "ticket.comment.text";
const TOKEN = "sidebar-test-token";

/** The parts of ZAFClient the app uses; it records what the app asked of Zendesk. */
function stubClient(comment, settings) {
  return {
    comment,
    handlers: {},
    invoked: [],
    sets: [],
    metadata: async () => ({ settings: settings || { service_url: "http://127.0.0.1:9911/", token: TOKEN } }),
    get: async function (path) {
      assert.equal(path, COMMENT);
      return { [path]: this.comment };
    },
    set: async function (path, value) {
      assert.equal(path, COMMENT);
      this.sets.push(value);
      this.comment = value;
      return { [path]: value };
    },
    on: function (name, handler) {
      this.handlers[name] = handler;
    },
    invoke: function (...args) {
      this.invoked.push(args);
    },
  };
}

/** Python-style offsets (code points) for a phrase, as the service reports them. */
function span(text, words) {
  const at = text.indexOf(words);
  assert.notEqual(at, -1, `${words} in ${text}`);
  const start = [...text.slice(0, at)].length;
  return { start, end: start + [...words].length, text: words };
}

/** A stand-in service: a threat phrase blocks, a stock apology warns and offers a replacement. */
function stubService(options) {
  const calls = [];
  async function fetch(url, init) {
    calls.push({ url, init, body: JSON.parse(init.body) });
    if (options && options.down) throw new TypeError("Failed to fetch");
    if (options && options.hang) return new Promise(() => {});
    if (options && options.status) {
      return { ok: false, status: options.status, json: async () => ({ error: "missing or wrong token", field: "Authorization" }) };
    }
    const text = JSON.parse(init.body).text;
    const findings = [];
    if (text.includes("close your account")) {
      findings.push({ category: "threat", rule: "threat.account", severity: "error", message: "threatens", suggestions: [], replacements: [], advice: [], ...span(text, "we will close your") });
    }
    if (text.includes("sorry for any inconvenience")) {
      findings.push({ category: "hollow_apology", rule: "apology.any", severity: "warning", message: "stock", suggestions: ["sorry about this"], replacements: ["sorry about this"], advice: [], ...span(text, "sorry for any inconvenience") });
    }
    const verdict = findings.some((f) => f.severity === "error") ? "block" : findings.length ? "warn" : "pass";
    return { ok: true, status: 200, json: async () => ({ id: null, labels: [], findings, readability: {}, verdict }) };
  }
  return { fetch, calls };
}

/** A view that records what it was told; ask() answers as the test says. */
function stubView(answer) {
  const view = { shown: [], asked: [] };
  for (const name of ["checking", "empty", "notice", "message"]) {
    view[name] = (...args) => view.shown.push([name, ...args]);
  }
  view.result = (text, findings, result) => view.shown.push(["result", text, findings, result]);
  view.ask = (blocking) => {
    view.asked.push(blocking);
    return typeof answer === "function" ? answer(blocking) : Promise.resolve(answer);
  };
  view.last = () => view.shown[view.shown.length - 1];
  return view;
}

async function started(comment, serviceOptions, answer, extra) {
  const client = stubClient(comment);
  const service = stubService(serviceOptions);
  const view = stubView(answer);
  const app = createReplyApp({ client, fetch: service.fetch, view, ...extra });
  await app.start();
  return { app, client, service, view };
}

test("start listens to the comment and the save, and checks with the configured address and token", async () => {
  const { client, service, view } = await started("We're sorry for any inconvenience.");
  assert.equal(typeof client.handlers["ticket.save"], "function");
  assert.equal(typeof client.handlers["comment.text.changed"], "function");
  assert.equal(service.calls.length, 1);
  assert.equal(service.calls[0].url, "http://127.0.0.1:9911/v1/check");
  assert.equal(service.calls[0].init.headers.Authorization, `Bearer ${TOKEN}`);
  assert.deepEqual(service.calls[0].body, { text: "We're sorry for any inconvenience." });
  const [kind, text, findings] = view.last();
  assert.equal(kind, "result");
  assert.equal(text.slice(findings[0].start, findings[0].end), "sorry for any inconvenience");
});

test("a save without a blocking finding goes through without asking", async () => {
  const { client, view } = await started("We're sorry for any inconvenience.");
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.equal(view.asked.length, 0);
});

test("a save with a threat asks; Keep editing cancels it with a message naming the finding", async () => {
  const { client, view } = await started("If you do that again we will close your account.", {}, false);
  await assert.rejects(client.handlers["ticket.save"](), (message) => {
    assert.match(message, /^Not sent: .*threat “we will close your”/);
    return true;
  });
  assert.equal(view.asked.length, 1);
  assert.equal(view.asked[0][0].category, "threat");
});

test("Send anyway lets this text through, and only this text", async () => {
  const { client, view } = await started("If you do that again we will close your account.", {}, true);
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.equal(view.asked.length, 1, "the same text is not asked about twice");
  client.comment = "Really, if you do that again we will close your account.";
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.equal(view.asked.length, 2, "an edited text is asked about again");
});

test("a save right after an edit checks the new text first", async () => {
  const { client, service, view } = await started("Thanks for your patience.", {}, false);
  client.comment = "Thanks. If you do that again we will close your account.";
  await assert.rejects(client.handlers["ticket.save"](), /Not sent/);
  assert.equal(service.calls.length, 2);
  assert.equal(view.asked.length, 1);
});

test("an unanswered question cancels the save after its timeout", async () => {
  const { client } = await started("If you do that again we will close your account.", {}, () => new Promise(() => {}), {
    askTimeoutMs: 30,
  });
  await assert.rejects(client.handlers["ticket.save"](), /Not sent/);
});

test("with the service down the save goes through and the agent is told", async () => {
  const { client, view } = await started("If you do that again we will close your account.", { down: true });
  assert.match(view.last()[1], /not reachable at http:\/\/127\.0\.0\.1:9911/);
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.deepEqual(client.invoked.at(-1).slice(0, 1), ["notify"]);
  assert.equal(client.invoked.at(-1)[2], "alert");
  assert.match(client.invoked.at(-1)[1], /sending still works/);
});

test("a refused token fails open and says where to fix it", async () => {
  const { client, view } = await started("If you do that again we will close your account.", { status: 401 });
  assert.equal(view.last()[0], "notice");
  assert.match(view.last()[1], /refused the token/);
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.match(client.invoked.at(-1)[1], /refused the token/);
});

test("a service that never answers does not hold the save", async () => {
  const { client } = await started("", { hang: true });
  client.comment = "If you do that again we will close your account.";
  const began = Date.now();
  assert.equal(await client.handlers["ticket.save"](), true);
  const waited = Date.now() - began;
  assert.ok(waited >= 1900 && waited < 4000, `waited ${waited} ms`);
  assert.match(client.invoked.at(-1)[1], /did not answer in time.*sending still works/);
});

test("an empty comment is saved without a call", async () => {
  const { client, service } = await started("");
  assert.equal(await client.handlers["ticket.save"](), true);
  assert.equal(service.calls.length, 0);
});

test("comment changes are checked once the agent pauses", async () => {
  const { client, service } = await started("");
  client.comment = "We're sorry";
  client.handlers["comment.text.changed"]();
  client.comment = "We're sorry for any inconvenience.";
  client.handlers["comment.text.changed"]();
  assert.equal(service.calls.length, 0);
  await new Promise((resolve) => setTimeout(resolve, 260));
  assert.deepEqual(
    service.calls.map((c) => c.body.text),
    ["We're sorry for any inconvenience."]
  );
});

test("a replacement is written into the rich-text comment, keeping its markup", async () => {
  const html = "<p>Hi 🙂 Sam,</p><p>We&#39;re <b>so</b> sorry for any inconvenience.</p>";
  const { app, client, view } = await started(html);
  const [, text, findings] = view.last();
  assert.equal(text, "Hi 🙂 Sam,\nWe're so sorry for any inconvenience.");
  assert.equal(text.slice(findings[0].start, findings[0].end), "sorry for any inconvenience");
  assert.equal(await app.applyReplacement(0, "sorry about this"), true);
  assert.deepEqual(client.sets, ["<p>Hi 🙂 Sam,</p><p>We&#39;re <b>so</b> sorry about this.</p>"]);
  assert.equal(view.last()[0], "result");
  assert.equal(view.last()[2].length, 0, "the new text is checked again");
});

test("a replacement for a comment that changed meanwhile is not applied", async () => {
  const { app, client } = await started("We're sorry for any inconvenience.");
  client.comment = "Sorry again: we're sorry for any inconvenience.";
  assert.equal(await app.applyReplacement(0, "sorry about this"), false);
  assert.deepEqual(client.sets, []);
});

test("html comments read as text: breaks, blocks and entities", () => {
  assert.equal(htmlToText("<p>One &amp; two</p><p>three<br>four&nbsp;&#x1F642;</p><p><br></p>"), "One & two\nthree\nfour\u00a0🙂");
  assert.equal(htmlToText("plain <3 text & more"), "plain <3 text & more");
});

test("a phrase split by markup is not replaced", () => {
  const html = "<p>We're sorry for <i>any</i> inconvenience.</p>";
  const text = htmlToText(html);
  const finding = { start: 6, end: 33, text: "sorry for any inconvenience", rule: "apology.any" };
  assert.equal(text.slice(finding.start, finding.end), finding.text);
  assert.equal(replaceInComment(html, text, finding, "sorry about this"), null);
});

test("a bad service address in the app settings is named and nothing is called", async () => {
  const client = stubClient("If you do that again we will close your account.", { service_url: "localhost 8765" });
  const service = stubService();
  const view = stubView(false);
  await createReplyApp({ client, fetch: service.fetch, view }).start();
  assert.equal(view.last()[0], "notice");
  assert.match(view.last()[1], /App settings, service address: .* is not a URL/);
  assert.equal(service.calls.length, 0);
  assert.equal(client.handlers["ticket.save"], undefined);
});
