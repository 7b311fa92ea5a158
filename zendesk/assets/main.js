/* Starts the sidebar app: the ZAF client, the shared panel, and ReplyApp's behaviour between them. */
/* global ZAFClient, ReplyApp, ReplyPanel */
(function () {
  "use strict";
  const client = ZAFClient.init();
  const panel = ReplyPanel.create({ embedded: true });

  // The sidebar iframe does not grow by itself: tell Zendesk the height after every change.
  function fit() {
    const height = Math.max(120, Math.min(900, document.body.scrollHeight + 8));
    client.invoke("resize", { width: "100%", height: height + "px" });
  }
  function fitted(method) {
    return function () {
      const value = method.apply(panel, arguments);
      requestAnimationFrame(fit);
      return value;
    };
  }

  const view = {
    checking: fitted(panel.showChecking),
    empty: fitted(panel.showEmpty),
    notice: fitted(panel.showNotice),
    message: fitted(panel.message),
    result: fitted(panel.showResult),
    ask: function (blocking) {
      const answer = panel.ask(blocking);
      requestAnimationFrame(fit);
      return answer.finally(function () {
        requestAnimationFrame(fit);
      });
    },
  };

  const app = ReplyApp.createReplyApp({ client: client, fetch: window.fetch.bind(window), view: view });
  panel.onReplace(function (index, replacement) {
    app.applyReplacement(index, replacement);
  });
  client.on("app.registered", function () {
    app.start();
  });
})();
