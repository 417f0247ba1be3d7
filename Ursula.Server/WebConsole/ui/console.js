// The Ursula console: lists this node's streams (GET /_ursula/streams), opens one (Head), tails it
// live through the SignalR hub (Subscribe, resumed from the last nextOffset after a reconnect) and
// appends text or JSON to it (Append). Every value from the server goes into the page as text.
"use strict";

const hubPath = "/_ursula/hub";
const listPath = "/_ursula/streams";
const maxTailChars = 200_000;

const $ = (id) => document.getElementById(id);
if (typeof signalR === "undefined") {
  $("hub-state").textContent = "no SignalR client: the server was built without it";
  throw new Error("lib/signalr.min.js is missing: build Ursula.Server with Node.js available");
}

const state = { open: null, subscription: null, offset: "-1", contentType: "", next: null };

// A server with authentication wants a bearer token: the one typed into the header, kept in this
// tab's sessionStorage only; sent as Authorization to the listing and by SignalR to the hub (as
// access_token on the WebSocket, which browsers cannot give headers).
const tokenKey = "ursula-token";
const token = () => sessionStorage.getItem(tokenKey) || "";
const authorized = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

const connection = new signalR.HubConnectionBuilder()
  .withUrl(hubPath, { accessTokenFactory: token })
  .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (retry) => Math.min(10_000, 250 * 2 ** retry.previousRetryCount) })
  .build();

function showHubState(name) {
  const badge = $("hub-state");
  badge.dataset.state = name;
  badge.textContent = name;
}

/** The part of a hub error a person can act on: "409 Conflict: Stream is closed ...". */
function hubMessage(error) {
  const text = String(error && error.message ? error.message : error);
  const at = text.indexOf("HubException: ");
  return at >= 0 ? text.slice(at + "HubException: ".length) : text;
}

function setResult(id, text, isError) {
  const element = $(id);
  element.textContent = text;
  element.classList.toggle("error", Boolean(isError));
}

connection.onreconnecting(() => showHubState("reconnecting"));
connection.onreconnected(() => {
  showHubState("connected");
  if (state.open) {
    subscribe(state.open, state.offset);
  }
});
connection.onclose(() => {
  showHubState("disconnected");
  setTimeout(start, 2_000);
});

async function start() {
  showHubState("connecting");
  try {
    await connection.start();
    showHubState("connected");
    if (state.open) {
      subscribe(state.open, state.offset);
    }
  } catch {
    showHubState("disconnected");
    setTimeout(start, 2_000);
  }
}

$("token").value = token();
$("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  sessionStorage.setItem(tokenKey, $("token").value.trim());
  // A new token needs a new connection: the hub reads it when it connects.
  await connection.stop();
  listStreams(false);
});

// ---- the stream list ----

async function listStreams(append) {
  const params = new URLSearchParams({ prefix: $("prefix").value.trim(), limit: "50" });
  if (append && state.next) {
    params.set("after", state.next);
  }

  const response = await fetch(`${listPath}?${params}`, { headers: authorized() });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => ({ detail: response.statusText }));
    $("stream-list").replaceChildren(Object.assign(document.createElement("li"), { className: "muted", textContent: `${response.status}: ${problem.detail} (enter a token above)` }));
    return;
  }

  const page = await response.json();
  const list = $("stream-list");
  if (!append) {
    list.replaceChildren();
  }

  for (const stream of page.streams) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.path = stream.path;
    button.textContent = stream.path;
    const type = document.createElement("span");
    type.className = "type";
    type.textContent = stream.contentType + (stream.closed ? " · closed" : "");
    button.append(type);
    button.addEventListener("click", () => openStream(stream.path));
    item.append(button);
    list.append(item);
  }

  if (!append && page.streams.length === 0) {
    const none = document.createElement("li");
    none.className = "muted";
    none.textContent = "No streams" + ($("prefix").value.trim() ? " under this prefix" : "");
    list.append(none);
  }

  state.next = page.next;
  $("more").hidden = !page.next;
  markOpen();
}

function markOpen() {
  for (const button of document.querySelectorAll("#stream-list button[data-path]")) {
    button.setAttribute("aria-current", String(button.dataset.path === state.open));
  }
}

// ---- one open stream ----

async function openStream(path) {
  stopSubscription();
  state.open = path;
  state.offset = "-1";
  markOpen();
  $("empty").hidden = true;
  $("stream").hidden = false;
  $("stream-path").textContent = path;
  $("tail").textContent = "";
  setResult("append-result", "");
  try {
    const info = await connection.invoke("Head", path);
    state.contentType = info.contentType;
    $("meta-type").textContent = info.contentType;
    $("meta-offset").textContent = info.nextOffset;
    $("meta-closed").textContent = info.closed ? "yes" : "no";
    $("meta-expiry").textContent = info.ttlSeconds != null ? `TTL ${info.ttlSeconds} s` : info.expiresAt ?? "none";
    const json = info.contentType.startsWith("application/json");
    $("append-label").textContent = json ? "Append JSON (a value, or an array of messages)" : "Append text";
    $("append-data").placeholder = json ? '{"type":"hello"}' : "Text to append";
  } catch (error) {
    $("tail-state").textContent = hubMessage(error);
    return;
  }

  subscribe(path, state.offset);
}

function stopSubscription() {
  if (state.subscription) {
    state.subscription.dispose();
    state.subscription = null;
  }
}

function subscribe(path, offset) {
  stopSubscription();
  $("tail-state").textContent = "catching up";
  state.subscription = connection.stream("Subscribe", path, offset).subscribe({
    next: (item) => {
      if (state.open !== path) {
        return;
      }

      state.offset = item.nextOffset;
      showData(item.data);
      $("meta-offset").textContent = item.nextOffset;
      if (item.closed) {
        $("meta-closed").textContent = "yes";
      }

      $("tail-state").textContent = item.closed ? "closed: nothing more will arrive" : item.upToDate ? "live" : "catching up";
    },
    complete: () => {
      if (state.open === path) {
        $("tail-state").textContent = "closed: nothing more will arrive";
      }
    },
    error: (error) => {
      // A lost connection is resumed by onreconnected; anything else is shown.
      if (state.open === path && connection.state === signalR.HubConnectionState.Connected) {
        $("tail-state").textContent = hubMessage(error);
      }
    },
  });
}

function showData(data) {
  if (!data || data === "[]") {
    return;
  }

  let text = data;
  if (state.contentType.startsWith("application/json")) {
    text = JSON.parse(data).map((message) => JSON.stringify(message)).join("\n") + "\n";
  } else if (!state.contentType.startsWith("text/")) {
    text = `[${atob(data).length} bytes, base64] ${data}\n`;
  }

  const tail = $("tail");
  const follow = tail.scrollTop + tail.clientHeight >= tail.scrollHeight - 4;
  tail.textContent = (tail.textContent + text).slice(-maxTailChars);
  if (follow) {
    tail.scrollTop = tail.scrollHeight;
  }
}

async function appendData(event) {
  event.preventDefault();
  const data = $("append-data").value;
  if (!state.open || data.length === 0) {
    return;
  }

  try {
    const result = await connection.invoke("Append", state.open, data);
    setResult("append-result", `appended; next offset ${result.nextOffset}`);
    $("append-data").value = "";
  } catch (error) {
    setResult("append-result", hubMessage(error), true);
  }
}

async function createStream(event) {
  event.preventDefault();
  const path = $("create-path").value.trim();
  try {
    const result = await connection.invoke("Create", path, $("create-type").value);
    setResult("create-result", result.created ? "created" : "already exists");
    await listStreams(false);
    await openStream(path.startsWith("/") ? path : `/${path}`);
  } catch (error) {
    setResult("create-result", hubMessage(error), true);
  }
}

$("node").textContent = location.host;
$("filter").addEventListener("submit", (event) => {
  event.preventDefault();
  listStreams(false);
});
$("more").addEventListener("click", () => listStreams(true));
$("append-form").addEventListener("submit", appendData);
$("create-form").addEventListener("submit", createStream);
listStreams(false);
start();
