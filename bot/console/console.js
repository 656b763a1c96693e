// The agent console's page logic: poll the queue and the open conversation, send replies.
// Everything from shoppers is put in with textContent, never as HTML.
(function () {
  "use strict";

  const QUEUE_EVERY_MS = 2000;
  const LINES_EVERY_MS = 1000;
  const $ = (id) => document.getElementById(id);
  const state = { openId: null, lastLine: 0, ticket: null };

  async function api(path, body) {
    const options = body === undefined
      ? { credentials: "same-origin" }
      : {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        };
    const answer = await fetch("/agent/api" + path, options);
    if (answer.status === 401) {
      window.location.assign("/agent/signin");
      throw new Error("signed out");
    }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(data.error || "The server answered " + answer.status);
    return data;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function minutes(seconds) {
    return seconds < 60 ? "under a minute" : Math.round(seconds / 60) + " min";
  }

  function ticketButton(ticket) {
    const item = el("li");
    const button = el("button");
    button.type = "button";
    button.dataset.ticket = String(ticket.id);
    button.setAttribute("aria-current", String(ticket.id === state.openId));
    button.append(el("strong", "", ticket.shopper));
    button.append(el("span", "hint", ticket.reason + " · waiting " + minutes(ticket.waiting_s)));
    const meter = el("span", "meter");
    meter.title = "Frustration " + ticket.frustration.toFixed(2);
    const fill = el("span");
    fill.style.width = Math.min(100, Math.round((ticket.frustration / 2) * 100)) + "%";
    meter.append(fill);
    button.append(meter);
    button.addEventListener("click", () => openTicket(ticket.id));
    item.append(button);
    return item;
  }

  async function refreshQueue() {
    try {
      const queue = await api("/queue");
      $("waiting").replaceChildren(...queue.waiting.map(ticketButton));
      $("mine").replaceChildren(...queue.mine.map(ticketButton));
      $("waiting-count").textContent = String(queue.waiting.length);
      $("on-duty").checked = queue.on_duty;
    } catch (error) {
      $("status").textContent = error.message;
    }
  }

  function addLine(line) {
    const item = el("li", "line " + line.author);
    item.dataset.author = line.author;
    const who = { shopper: "Shopper", assistant: "Assistant", agent: "You", system: "" }[line.author];
    if (who) {
      const author = el("span", "author", who + " · " + new Date(line.at).toLocaleTimeString());
      if (line.sentiment) {
        const badge = el("span", "sentiment " + line.sentiment, line.sentiment);
        badge.title = "Sentiment " + line.sentiment + " (" + (line.sentiment_confidence || 0).toFixed(2) + ")";
        author.append(badge);
      }
      item.append(author);
    }
    item.append(el("span", "text", line.text));
    $("transcript").append(item);
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }

  function showOrders(orders) {
    $("orders").replaceChildren(
      ...(orders.length ? orders : [null]).map((order) => {
        if (!order) return el("li", "hint", "No orders known: a guest, or not signed in.");
        const item = el("li");
        item.append(el("strong", "", order.number + " · " + order.status));
        item.append(el("div", "hint", order.placed.slice(0, 10) + " · " + order.total));
        item.append(el("div", "", order.items.join(", ")));
        return item;
      })
    );
  }

  function showTicket(ticket) {
    state.ticket = ticket;
    $("shopper-name").textContent = ticket.shopper;
    $("ticket-meta").textContent =
      ticket.reason + " · frustration " + ticket.trajectory.map((f) => f.toFixed(2)).join(" → ");
    const mine = ticket.state === "assigned" && ticket.agent !== null;
    $("take").disabled = ticket.state !== "waiting";
    $("hand-back").disabled = !mine;
    $("close").disabled = !mine;
    $("send").disabled = !mine;
    $("reply").disabled = !mine;
  }

  async function openTicket(id) {
    state.openId = id;
    state.lastLine = 0;
    $("transcript").replaceChildren();
    $("status").textContent = "";
    $("conversation").hidden = false;
    $("empty").hidden = true;
    const view = await api("/tickets/" + id);
    showTicket(view.ticket);
    showOrders(view.orders);
    view.lines.forEach(addLine);
    state.lastLine = view.lines.length ? view.lines[view.lines.length - 1].id : 0;
    refreshQueue();
  }

  async function pollLines() {
    if (state.openId === null) return;
    const id = state.openId;
    try {
      const view = await api("/tickets/" + id + "?after=" + state.lastLine);
      if (id !== state.openId) return;
      showTicket(view.ticket);
      view.lines.forEach((line) => {
        if (line.id > state.lastLine) {
          addLine(line);
          state.lastLine = line.id;
        }
      });
    } catch (error) {
      $("status").textContent = error.message;
    }
  }

  async function act(path, body, done) {
    const id = state.openId;
    $("status").textContent = "";
    try {
      await api("/tickets/" + id + path, body || {});
      $("status").textContent = done;
    } catch (error) {
      $("status").textContent = error.message;
    }
    await pollLines();
    await refreshQueue();
  }

  $("take").addEventListener("click", () => act("/take", {}, "You have this conversation now."));
  $("hand-back").addEventListener("click", () => act("/hand-back", {}, "Handed back to the assistant."));
  $("close").addEventListener("click", () => act("/close", {}, "Case closed."));
  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("reply").value.trim();
    if (!text) return;
    $("send").disabled = true;
    await act("/reply", { text: text }, "");
    if (!$("status").textContent) $("reply").value = "";
    $("send").disabled = false;
    $("reply").focus();
  });
  $("reply").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("reply-form").requestSubmit();
    }
  });
  $("on-duty").addEventListener("change", (event) =>
    api("/duty", { on_duty: event.target.checked }).catch((error) => {
      $("status").textContent = error.message;
    })
  );

  refreshQueue();
  setInterval(refreshQueue, QUEUE_EVERY_MS);
  setInterval(pollLines, LINES_EVERY_MS);
})();
