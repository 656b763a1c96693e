/*
 * Shopdesk chat widget: one script tag on any store page.
 *
 *   <script src="https://assistant.example/widget/shopdesk-widget.js"
 *           data-server="https://assistant.example"
 *           data-shopper-token="(optional: a token the store signed for a signed-in shopper)"
 *           defer></script>
 *
 * It loads the official socket.io client (v4, served next to this file) and speaks Rasa's
 * socket.io protocol with Shopdesk's channel (bot/rasa_server/chat_channel.py): the server sends the
 * conversation's history on every (re)connection, and each message carries an id so that a
 * message resent after a dropped connection is never handled twice.
 *
 * Everything shoppers and the assistant write is put into the page as text (textContent), never
 * as HTML; links and **bold** are built element by element.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__shopdeskWidget) return;
  window.__shopdeskWidget = true;

  var SERVER = script.getAttribute("data-server") || window.location.origin;
  var TOKEN = script.getAttribute("data-shopper-token") || "";
  var BASE = script.src.replace(/[^/]*$/, "");
  var KEY = "shopdesk:" + SERVER;
  var MAX_CHARS = 1000; // the server refuses longer messages (SHOPDESK_MAX_MESSAGE_CHARS)
  var ACK_TIMEOUT_MS = 60000;
  var ASSISTANT_TITLE = "Shop assistant";
  var TEAM_TITLE = "our team";
  // Handoff states shown as a centred note: a person is coming, has joined, has left.
  var NOTICES = ["waiting", "joined", "back"];

  // ---- storage: the conversation id and unsent messages outlive the page ---------------------

  function load(storage, name, fallback) {
    try {
      var raw = storage.getItem(KEY + ":" + name);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function save(storage, name, value) {
    try {
      storage.setItem(KEY + ":" + name, JSON.stringify(value));
    } catch (e) {
      /* private mode or full storage: the widget still works for this page */
    }
  }

  /** Whose conversation this is: the token's subject, or "guest". */
  function ownerOf(token) {
    if (!token) return "guest";
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return "customer:" + JSON.parse(atob(part)).sub;
    } catch (e) {
      return "token";
    }
  }

  var owner = ownerOf(TOKEN);
  var session = load(localStorage, "session", null);
  // A guest's conversation carries on after signing in; a signed-in shopper's conversation is
  // never shown to whoever uses the browser after signing out, or to another account.
  if (session && session.owner !== "guest" && session.owner !== owner) {
    session = null;
    save(localStorage, "pending", []);
  }
  var pending = load(localStorage, "pending", []);
  var ui = load(sessionStorage, "ui", { open: false, unread: 0 });

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  // ---- DOM helpers -----------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  /** A URL the widget may link to or load: http(s) or a path on the store's own site. */
  function safeUrl(value) {
    if (typeof value !== "string") return null;
    if (/^\/(?!\/)/.test(value)) return value;
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  var INLINE = /(\*\*[^*\n]+\*\*|https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]|\/products\/[A-Za-z0-9_-]+)/g;

  /** Text with line breaks, **bold** and links, as DOM nodes: nothing is parsed as HTML. */
  function formatted(text) {
    var out = document.createDocumentFragment();
    String(text)
      .split("\n")
      .forEach(function (line, index) {
        if (index > 0) out.appendChild(el("br"));
        var last = 0;
        line.replace(INLINE, function (match, _token, offset) {
          if (offset > last) out.appendChild(document.createTextNode(line.slice(last, offset)));
          if (match.indexOf("**") === 0) {
            out.appendChild(el("strong", { text: match.slice(2, -2) }));
          } else {
            var link = el("a", { href: safeUrl(match) || "#", text: match });
            if (/^https?:/.test(match) && new URL(match).origin !== window.location.origin) {
              link.setAttribute("target", "_blank");
              link.setAttribute("rel", "noopener noreferrer");
            }
            out.appendChild(link);
          }
          last = offset + match.length;
          return match;
        });
        if (last < line.length) out.appendChild(document.createTextNode(line.slice(last)));
      });
    return out;
  }

  // ---- the widget's elements (inside a shadow root: the store's CSS and ours never mix) -------

  var host = el("div", { id: "shopdesk-chat" });
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: BASE + "shopdesk-widget.css" }));

  /** A speech bubble drawn in SVG: no icon font or emoji font is needed on the shopper's device. */
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  var badge = el("span", { class: "badge", hidden: "" });
  var launcher = el(
    "button",
    {
      class: "launcher",
      type: "button",
      "aria-label": "Open chat with the shop assistant",
      "aria-expanded": "false",
      "aria-controls": "shopdesk-panel",
    },
    [chatIcon(), badge]
  );
  var status = el("span", { class: "status", role: "status", text: "Connecting…" });
  var closeButton = el("button", {
    class: "close",
    type: "button",
    "aria-label": "Close chat",
    text: "×",
  });
  var log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var typing = el("div", { class: "typing", hidden: "", "aria-label": "The assistant is typing" }, [
    el("span"),
    el("span"),
    el("span"),
  ]);
  var input = el("textarea", {
    id: "shopdesk-input",
    rows: "1",
    maxlength: String(MAX_CHARS),
    placeholder: "Type your message…",
    "aria-label": "Message to the shop assistant",
  });
  var send = el("button", { class: "send", type: "submit", "aria-label": "Send message", text: "Send" });
  var form = el("form", { class: "composer" }, [input, send]);
  var title = el("h2", { text: ASSISTANT_TITLE });
  var panel = el(
    "section",
    { class: "panel", id: "shopdesk-panel", role: "dialog", "aria-label": "Chat with the shop assistant", hidden: "" },
    [
      el("header", {}, [
        title,
        status,
        closeButton,
      ]),
      log,
      typing,
      form,
    ]
  );
  root.appendChild(launcher);
  root.appendChild(panel);

  function showUnread() {
    badge.textContent = String(ui.unread);
    badge.setAttribute("aria-label", ui.unread + " unread");
    badge.hidden = ui.unread === 0;
  }

  function setOpen(open, focus) {
    ui.open = open;
    if (open) ui.unread = 0;
    save(sessionStorage, "ui", ui);
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    showUnread();
    if (open) {
      log.scrollTop = log.scrollHeight;
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () {
    setOpen(!ui.open, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false, true);
  });

  // ---- rendering messages ----------------------------------------------------------------------

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function userItem(text, messageId, waiting) {
    var item = el("li", { class: "msg user" + (waiting ? " waiting" : "") }, [el("p", { text: text })]);
    if (messageId) item.setAttribute("data-message-id", messageId);
    return item;
  }

  /** "More like this" and "Goes with it" for one card: the intent, naming the card's product. */
  function followUps(p) {
    var title = String(p.title || "this");
    var theTitle = /^the /i.test(title) ? title : "the " + title;
    var entity = JSON.stringify({ sku: String(p.sku) });
    var row = el("div", { class: "follow-ups" });
    [
      ["More like this", "more_like_this", "More like " + theTitle],
      ["Goes with it", "goes_with", "What goes with " + theTitle + "?"],
    ].forEach(function (choice) {
      var button = el("button", { type: "button", text: choice[0], "aria-label": choice[2] });
      button.addEventListener("click", function () {
        submit("/" + choice[1] + entity, choice[2]);
      });
      row.appendChild(button);
    });
    return row;
  }

  function productCards(products) {
    var list = el("ul", { class: "cards", "aria-label": "Products" });
    products.forEach(function (p) {
      var link = safeUrl(p.url);
      var image = safeUrl(p.image);
      var card = el("li", { class: "card" });
      if (image) card.appendChild(el("img", { src: image, alt: "" }));
      card.appendChild(el("h3", { text: String(p.title || "") }));
      if (p.price) card.appendChild(el("p", { class: "price", text: String(p.price) }));
      if (p.reason) card.appendChild(el("p", { class: "reason", text: String(p.reason) }));
      if (link) {
        card.appendChild(
          el("a", { href: link, "aria-label": "View " + String(p.title || "product"), text: "View" })
        );
      }
      if (p.sku) card.appendChild(followUps(p));
      list.appendChild(card);
    });
    return list;
  }

  function quickReplies(replies, item) {
    var row = el("div", { class: "quick", role: "group", "aria-label": "Suggested replies" });
    replies.forEach(function (reply) {
      var button = el("button", { type: "button", text: String(reply.title) });
      button.addEventListener("click", function () {
        item.removeChild(row);
        submit(String(reply.payload || reply.title), String(reply.title));
      });
      row.appendChild(button);
    });
    return row;
  }

  /** Stars for the 1-5 rating a shopper is asked for after a person helped them. */
  function ratingButtons(replies, item) {
    var row = el("div", { class: "quick rating", role: "group", "aria-label": "Rate the help you got" });
    replies.forEach(function (reply, index) {
      var stars = index + 1;
      var button = el("button", {
        type: "button",
        "aria-label": "Rate " + stars + " out of 5",
        title: stars + " out of 5",
        text: "★",
      });
      button.addEventListener("mouseenter", function () {
        Array.prototype.forEach.call(row.children, function (b, i) {
          b.classList.toggle("lit", i < stars);
        });
      });
      button.addEventListener("click", function () {
        item.removeChild(row);
        submit(String(reply.payload), "Rated " + stars + " out of 5");
      });
      row.appendChild(button);
    });
    return row;
  }

  /** The header says who is answering: the assistant, a person on their way, or the person. */
  function showHandoff(custom) {
    if (custom.state === "waiting") {
      title.textContent = "Waiting for a person…";
    } else if (custom.state === "joined" || custom.state === "message") {
      title.textContent = String(custom.agent || "Our team") + " · " + TEAM_TITLE;
    } else if (custom.state === "back") {
      title.textContent = ASSISTANT_TITLE;
    }
  }

  function botItem(message, live) {
    var custom = message.custom;
    var handoff = custom && custom.type === "handoff" ? custom : null;
    if (handoff) showHandoff(handoff);
    if (handoff && NOTICES.indexOf(handoff.state) >= 0 && message.text) {
      // A person joining or leaving is news about the conversation, not a message in it.
      return el("li", { class: "notice", role: "note" }, [el("p", { text: String(message.text) })]);
    }
    var person = handoff && handoff.state === "message";
    var item = el("li", { class: "msg bot" + (person ? " agent" : "") });
    if (person) item.appendChild(el("span", { class: "from", text: String(handoff.agent || "Our team") }));
    if (message.text) item.appendChild(el("p", {}, [formatted(message.text)]));
    if (custom && custom.type === "product_cards" && Array.isArray(custom.products)) {
      if (custom.text) item.appendChild(el("p", {}, [formatted(custom.text)]));
      item.appendChild(productCards(custom.products));
    }
    var image = safeUrl(message.image || (message.attachment && message.attachment.payload && message.attachment.payload.src));
    if (image) item.appendChild(el("img", { class: "image", src: image, alt: "" }));
    if (live && Array.isArray(message.quick_replies) && message.quick_replies.length) {
      var rating = custom && custom.type === "rating" && message.quick_replies.length === 5;
      item.appendChild((rating ? ratingButtons : quickReplies)(message.quick_replies, item));
    }
    return item.childNodes.length ? item : null;
  }

  function removeQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick"), function (row) {
      row.parentNode.removeChild(row);
    });
  }

  /** The first message typed while an earlier one was still unanswered; null when none is. */
  function firstQueued() {
    return pending.length > 1 ? log.querySelector('[data-message-id="' + pending[1].id + '"]') : null;
  }

  /** A reply goes under the message it answers, above those still queued behind it. */
  function showBot(message, live) {
    removeQuickReplies();
    var item = botItem(message, live);
    if (item) log.insertBefore(item, firstQueued());
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollDown();
  }

  // ---- the connection --------------------------------------------------------------------------

  var socket = null;
  var confirmed = false;
  var sending = false;

  function savePending() {
    save(localStorage, "pending", pending);
  }

  function dropPending(id) {
    pending = pending.filter(function (p) {
      return p.id !== id;
    });
    savePending();
  }

  /** Send the oldest unsent message; the next goes when the server has handled it. */
  function flush() {
    if (!socket || !socket.connected || !confirmed || sending || !pending.length) return;
    var message = pending[0];
    sending = true;
    setTyping(true);
    var metadata = { display: message.display };
    if (TOKEN) metadata.shopper_token = TOKEN;
    var payload = { message: message.text, message_id: message.id, metadata: metadata };
    // Sent before without a confirmation: the server checks it has not handled it already.
    if (message.tried) payload.resend = true;
    message.tried = true;
    savePending();
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emit(
        "user_uttered",
        payload,
        function (error, reply) {
          sending = false;
          if (reply && reply.refused) {
            // The server will never take this message: say why and drop it from the queue.
            dropPending(message.id);
            showBot({ text: reply.error }, false);
            setTyping(false);
            return;
          }
          if (error || !reply || !reply.ok) {
            // Not confirmed: it stays queued and goes again (the server drops duplicates).
            if (!error) setTyping(false);
            if (reply && reply.retry_after_ms) setTimeout(flush, reply.retry_after_ms);
            return;
          }
          dropPending(message.id);
          var shown = log.querySelector('[data-message-id="' + message.id + '"]');
          if (shown) shown.classList.remove("waiting");
          setTyping(pending.length > 0);
          flush();
        }
      );
  }

  function submit(text, display) {
    text = String(text).trim().slice(0, MAX_CHARS);
    if (!text) return;
    var message = { id: newId(), text: text, display: display || text };
    pending.push(message);
    savePending();
    removeQuickReplies();
    log.appendChild(userItem(message.display, message.id, true));
    scrollDown();
    flush();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    submit(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  /** The server's history is the truth: show it, then what is still on its way. */
  function showHistory(messages) {
    log.textContent = "";
    var known = {};
    messages.forEach(function (message, index) {
      if (message.from === "user") {
        if (message.message_id) known[message.message_id] = true;
        log.appendChild(userItem(message.text, message.message_id, false));
      } else {
        showBot(message, index === messages.length - 1);
      }
    });
    pending = pending.filter(function (p) {
      return !known[p.id];
    });
    savePending();
    pending.forEach(function (p) {
      log.appendChild(userItem(p.display, p.id, true));
    });
    scrollDown();
  }

  function connect() {
    socket = window.io(SERVER, { transports: ["websocket", "polling"] });
    socket.on("connect", function () {
      confirmed = false;
      sending = false;
      status.textContent = "Online";
      // The conversation continues only with its key (and, for a signed-in shopper, the token).
      var request = { session_id: session ? session.id : null, session_key: session ? session.key : null };
      if (TOKEN) request.shopper_token = TOKEN;
      socket.emit("session_request", request);
    });
    socket.on("session_confirm", function (sessionId) {
      var same = session && session.id === String(sessionId);
      session = { id: String(sessionId), key: same ? session.key : null, owner: owner };
      save(localStorage, "session", session);
    });
    socket.on("session_history", function (data) {
      if (session && data && data.session_key) {
        session.key = String(data.session_key);
        save(localStorage, "session", session);
      }
      showHistory((data && data.messages) || []);
      confirmed = true;
      flush();
    });
    socket.on("bot_uttered", function (message) {
      showBot(message || {}, true);
      if (!pending.length) setTyping(false);
      scrollDown();
      if (!ui.open) {
        ui.unread += 1;
        save(sessionStorage, "ui", ui);
        showUnread();
      }
    });
    socket.on("disconnect", function () {
      confirmed = false;
      status.textContent = "Reconnecting…";
      setTyping(false);
    });
    socket.io.on("reconnect_attempt", function () {
      status.textContent = "Reconnecting…";
    });
  }

  setOpen(ui.open, false);
  if (window.io) {
    connect();
  } else {
    var loader = el("script", { src: BASE + "socket.io.min.js" });
    loader.addEventListener("load", connect);
    loader.addEventListener("error", function () {
      status.textContent = "Chat unavailable";
    });
    document.head.appendChild(loader);
  }
})();
