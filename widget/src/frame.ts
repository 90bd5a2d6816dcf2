/**
 * The chat inside the widget's iframe (served from Parley's origin). It opens
 * a visitor session (the anonymous visitor id is kept in this origin's
 * localStorage), shows the visitor's conversation, sends text and images
 * with the page they were on, receives replies over the /widget socket and
 * reports 已收到 (on receipt) and 已讀 (only while open, visible and focused:
 * STAT-7, STAT-12). Every text is rendered as text, never as HTML.
 */
import "./frame.css";
import { io, type Socket } from "socket.io-client";
import {
  WIDGET_ERRORS,
  WIDGET_EVENTS,
  WIDGET_IMAGE_LIMIT_BYTES,
  WIDGET_IMAGE_TYPES,
  WIDGET_NAMESPACE,
  isParleyMessage,
  type FrameToPage,
  type PageToFrame,
  type SessionResponse,
  type StatusPush,
  type VisitorMessage,
} from "../../src/channels/webchat/contract.js";
import { STATUS_TEXT } from "../../src/domain/message-status.js";

const T = {
  connecting: "連線中…",
  reconnecting: "連線中斷,正在重新連線…",
  online: "我們會盡快回覆您",
  unavailable: "目前無法使用線上客服",
  empty: "有任何問題嗎?歡迎留言給我們。",
  agent: "客服",
  image: "圖片",
  retry: "點此重試",
  sendFailed: "訊息傳送失敗",
};

// ── Where we are ──────────────────────────────────────────────────────────
const params = new URLSearchParams(location.search);
const channelId = params.get("channel") ?? "";
const embedded = window.parent !== window;

/** The embedding page's origin: as the loader said, and (where the browser tells) as it really is. */
function parentOriginOf(claimed: string | null): string | null {
  if (!embedded || !claimed) return null;
  let origin: string;
  try {
    origin = new URL(claimed).origin;
  } catch {
    return null;
  }
  if (origin !== claimed || !/^https?:$/.test(new URL(origin).protocol)) return null;
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length && ancestors[0] !== origin) return null;
  return origin;
}
const parentOrigin = parentOriginOf(params.get("origin"));

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLOListElement>("log");
const input = $<HTMLTextAreaElement>("input");
const form = $<HTMLFormElement>("composer");
const fileInput = $<HTMLInputElement>("file");
const connection = $<HTMLParagraphElement>("connection");
const notice = $<HTMLParagraphElement>("notice");
const closeButton = $<HTMLButtonElement>("close");
const title = $<HTMLHeadingElement>("title");

// ── State ─────────────────────────────────────────────────────────────────
interface Local {
  clientMessageId: string;
  kind: "text" | "image";
  text: string;
  file?: Blob;
  fileName?: string;
  previewUrl?: string;
  state: "sending" | "failed";
}
type Item = { key: string; server: VisitorMessage; local?: undefined } | { key: string; server?: undefined; local: Local };

let items: Item[] = [];
let token = "";
let socket: Socket | null = null;
let page = { url: "", title: "" };
let isOpen = !embedded; // standalone (opened directly) counts as open
let pageFocused = false;
let pageVisible = true;
let readInFlight = false;
let lastUnread = -1;

function postToPage(msg: FrameToPage): void {
  if (parentOrigin) window.parent.postMessage(msg, parentOrigin);
}

// ── Visitor identity and API ───────────────────────────────────────────────
const STORAGE_KEY = `parley.visitor.${channelId}`;
let memoryVisitorId: string | undefined;
function loadVisitorId(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return memoryVisitorId; // storage blocked: a visitor for this page view only
  }
}
function saveVisitorId(id: string): void {
  memoryVisitorId = id;
  try {
    localStorage.setItem(STORAGE_KEY, id);
  } catch {
    /* storage blocked */
  }
}

function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

let sessionPromise: Promise<void> | null = null;
function openSession(): Promise<void> {
  sessionPromise ??= (async () => {
    try {
      const r = await fetch("/widget/api/sessions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ channelId, visitorId: loadVisitorId(), origin: parentOrigin ?? undefined }),
      });
      if (!r.ok) throw new Error(`session ${r.status}`);
      const s = (await r.json()) as SessionResponse;
      token = s.token;
      saveVisitorId(s.visitorId);
      title.textContent = s.channel.name || title.textContent;
    } finally {
      sessionPromise = null;
    }
  })();
  return sessionPromise;
}

/** A call with the visitor token; an expired token opens a new session for the same visitor once. */
async function api(path: string, init: RequestInit = {}, again = true): Promise<Response> {
  if (!token) await openSession();
  const r = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
  if (r.status === 401 && again) {
    token = "";
    return api(path, init, false);
  }
  return r;
}

async function errorText(r: Response): Promise<string> {
  try {
    const body = (await r.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    /* not JSON */
  }
  return T.sendFailed;
}

// ── Rendering (text only: textContent, never innerHTML) ──────────────────────
const timeOf = (iso: string) => new Date(iso).toLocaleTimeString("zh-TW", { hour: "2-digit", minute: "2-digit" });
const SAFE_IMAGE = /^\/(widget\/api\/uploads|media)\/[A-Za-z0-9/_-]+$/;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderItem(item: Item): HTMLLIElement {
  const mine = item.local !== undefined || item.server.from === "visitor";
  const li = el("li", `msg ${mine ? "mine" : "theirs"}`);
  li.dataset.key = item.key;
  const kind = item.server?.kind ?? item.local!.kind;
  const bubble = el("div", kind === "image" ? "bubble image" : "bubble");
  const imageSrc = item.server?.imageUrl && SAFE_IMAGE.test(item.server.imageUrl) ? item.server.imageUrl : item.local?.previewUrl;
  if (kind === "image" && imageSrc) {
    const img = el("img");
    img.src = imageSrc;
    img.alt = T.image;
    img.loading = "lazy";
    img.addEventListener("load", () => scrollToEnd(), { once: true });
    bubble.appendChild(img);
  } else bubble.textContent = item.server?.text ?? item.local!.text;
  li.appendChild(bubble);

  const meta = el("div", "meta");
  if (item.server) {
    li.dataset.id = item.server.id;
    if (!mine) meta.append(el("span", "who", T.agent), document.createTextNode(" · "));
    meta.append(el("time", undefined, timeOf(item.server.createdAt)));
    if (!mine && item.server.status) {
      // The reply's delivery status, as the inbox shows it (STAT-1).
      li.dataset.status = item.server.status;
      meta.append(document.createTextNode(" · "), el("span", "status", STATUS_TEXT[item.server.status].zh));
    }
    if (mine) {
      li.dataset.status = "sent";
      meta.append(document.createTextNode(" · "), el("span", "status", STATUS_TEXT.sent.zh));
    }
  } else {
    const l = item.local!;
    li.dataset.status = l.state;
    if (l.state === "sending") meta.append(el("span", "status", STATUS_TEXT.sending.zh));
    else {
      const retry = el("button", "retry", `${STATUS_TEXT.failed.zh},${T.retry}`);
      retry.type = "button";
      retry.addEventListener("click", () => void deliver(item as Item & { local: Local }));
      meta.appendChild(retry);
    }
  }
  li.appendChild(meta);
  return li;
}

function nearEnd(): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
}
function scrollToEnd(): void {
  log.scrollTop = log.scrollHeight;
}

function render(): void {
  const stick = nearEnd();
  if (!items.length) log.replaceChildren(el("li", "empty", T.empty));
  else log.replaceChildren(...items.map(renderItem));
  if (stick) scrollToEnd();
  const unread = isOpen ? 0 : items.filter((i) => i.server?.from === "agent" && i.server.status !== "read").length;
  if (unread !== lastUnread) {
    lastUnread = unread;
    postToPage({ type: "parley:unread", count: unread });
  }
}

function showNotice(text: string | null): void {
  notice.hidden = !text;
  notice.textContent = text ?? "";
}

/** Adds or updates a server message; it replaces the local copy it confirms. */
function upsert(m: VisitorMessage): void {
  const local = m.clientMessageId ? items.findIndex((i) => i.local?.clientMessageId === m.clientMessageId) : -1;
  if (local >= 0) {
    const prev = items[local].local!;
    if (prev.previewUrl) URL.revokeObjectURL(prev.previewUrl);
    items.splice(local, 1);
  }
  const at = items.findIndex((i) => i.server?.id === m.id);
  if (at >= 0) {
    const old = items[at].server!;
    // Statuses only move forward (STAT-9), whatever order the pushes arrive in.
    const rank = { sent: 1, received: 2, read: 3 } as const;
    const status = old.status && m.status && rank[old.status] > rank[m.status] ? old.status : m.status;
    items[at] = { key: m.id, server: { ...m, status } };
  } else {
    const firstLocal = items.findIndex((i) => i.local);
    items.splice(firstLocal >= 0 ? firstLocal : items.length, 0, { key: m.id, server: m });
  }
}

function setStatus(s: StatusPush): void {
  const at = items.findIndex((i) => i.server?.id === s.id);
  if (at >= 0) upsert({ ...items[at].server!, status: s.status });
}

// ── Receipts ──────────────────────────────────────────────────────────────
/** STAT-4, STAT-10: tell the inbox these replies reached us; then they may become read. */
function acknowledge(ids: string[]): void {
  if (!ids.length || !socket?.connected) return void maybeRead();
  socket.emit(WIDGET_EVENTS.received, ids, () => maybeRead());
}

const canRead = () => isOpen && document.visibilityState === "visible" && pageVisible && (document.hasFocus() || pageFocused);

/** STAT-7, STAT-12: open, showing the conversation, in a focused window → everything up to the last reply is read. */
async function maybeRead(): Promise<void> {
  if (readInFlight || !canRead()) return;
  const last = [...items].reverse().find((i) => i.server?.from === "agent");
  if (!last?.server || last.server.status === "read") return;
  readInFlight = true;
  try {
    const r = await api("/widget/api/read", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ upToMessageId: last.server.id }) });
    if (r.ok) {
      for (const i of items) if (i.server?.from === "agent" && i.server.createdAt <= last.server.createdAt) setStatus({ id: i.server.id, status: "read" });
      render();
    }
  } catch {
    /* offline: the next focus or message tries again */
  } finally {
    readInFlight = false;
  }
  // A reply that arrived meanwhile.
  const newest = [...items].reverse().find((i) => i.server?.from === "agent");
  if (newest?.server && newest.server.status !== "read" && newest !== last) void maybeRead();
}

// ── History and socket ────────────────────────────────────────────────────
async function loadHistory(): Promise<void> {
  const r = await api("/widget/api/messages");
  if (!r.ok) throw new Error(`history ${r.status}`);
  const { items: list } = (await r.json()) as { items: VisitorMessage[] };
  const locals = items.filter((i) => i.local);
  items = [];
  for (const m of list) upsert(m);
  for (const l of locals) if (!items.some((i) => i.server?.clientMessageId === l.local!.clientMessageId)) items.push(l);
  render();
  acknowledge(list.filter((m) => m.from === "agent" && m.status === "sent").map((m) => m.id));
}

function connect(): void {
  socket = io(WIDGET_NAMESPACE, {
    path: "/socket.io",
    transports: ["websocket", "polling"],
    auth: (cb) => cb({ token }),
  });
  socket.on("connect", () => {
    connection.textContent = T.online;
    // After every (re)connection: resync what was missed (principle 7).
    void loadHistory().catch(() => {});
  });
  socket.on("disconnect", (reason) => {
    connection.textContent = T.reconnecting;
    // The server closed it (the visitor token expired): renew the session, then reconnect.
    if (reason === "io server disconnect") void openSession().then(() => socket?.connect(), () => (connection.textContent = T.unavailable));
  });
  socket.on("connect_error", async (err: Error) => {
    connection.textContent = T.reconnecting;
    if (err.message !== "unauthorized") return; // the client retries by itself
    // Expired token: a new session for the same visitor, then connect again.
    try {
      await openSession();
      socket?.connect();
    } catch {
      connection.textContent = T.unavailable;
    }
  });
  socket.on(WIDGET_EVENTS.message, (m: VisitorMessage) => {
    upsert(m);
    render();
    if (m.from === "agent" && m.status === "sent") acknowledge([m.id]);
  });
  socket.on(WIDGET_EVENTS.status, (s: StatusPush) => {
    setStatus(s);
    render();
  });
}

// ── Sending ───────────────────────────────────────────────────────────────
async function deliver(item: Item & { local: Local }): Promise<void> {
  const l = item.local;
  l.state = "sending";
  render();
  try {
    let r: Response;
    if (l.kind === "text") {
      r = await api("/widget/api/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: l.text, clientMessageId: l.clientMessageId, pageUrl: page.url || undefined, pageTitle: page.title || undefined }),
      });
    } else {
      const q = new URLSearchParams({ clientMessageId: l.clientMessageId });
      if (l.fileName) q.set("name", l.fileName);
      if (page.url) q.set("pageUrl", page.url);
      if (page.title) q.set("pageTitle", page.title);
      r = await api(`/widget/api/uploads?${q}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: l.file });
    }
    if (!r.ok) {
      showNotice(await errorText(r));
      // A refusal (4xx) will not succeed on retry; a server error may.
      if (r.status >= 400 && r.status < 500) {
        items = items.filter((i) => i !== item);
        if (l.previewUrl) URL.revokeObjectURL(l.previewUrl);
      } else l.state = "failed";
      render();
      return;
    }
    showNotice(null);
    const { message } = (await r.json()) as { message: VisitorMessage | null };
    // No message back: accepted but not stored (PROF-32); shown as sent, without telling the visitor why.
    upsert(message ?? { id: l.clientMessageId, from: "visitor", kind: l.kind, text: l.text, imageUrl: undefined, clientMessageId: l.clientMessageId, createdAt: new Date().toISOString() });
    render();
  } catch {
    l.state = "failed";
    render();
  }
}

function queue(local: Omit<Local, "state" | "clientMessageId">): void {
  const clientMessageId = randomId();
  const item = { key: clientMessageId, local: { ...local, clientMessageId, state: "sending" as const } };
  items.push(item);
  render();
  scrollToEnd();
  void deliver(item);
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  autosize();
  queue({ kind: "text", text });
  input.focus();
});

input.addEventListener("keydown", (e) => {
  // Enter sends, Shift+Enter is a new line; never while an IME is composing (注音、倉頡…).
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
    e.preventDefault();
    form.requestSubmit();
  }
});
function autosize(): void {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
}
input.addEventListener("input", autosize);

fileInput.addEventListener("change", () => {
  const file = fileInput.files?.[0];
  fileInput.value = "";
  if (!file) return;
  // MEDIA-7: refused before upload (the server checks the bytes again).
  if (!WIDGET_IMAGE_TYPES.includes(file.type)) return showNotice(WIDGET_ERRORS.badType.zh);
  if (file.size > WIDGET_IMAGE_LIMIT_BYTES) return showNotice(WIDGET_ERRORS.tooLarge.zh);
  showNotice(null);
  queue({ kind: "image", text: "", file, fileName: file.name, previewUrl: URL.createObjectURL(file) });
});

closeButton.hidden = !embedded;
closeButton.addEventListener("click", () => {
  isOpen = false;
  postToPage({ type: "parley:close" });
});

// ── The page around us ────────────────────────────────────────────────────
const isWebUrl = (s: string) => /^https?:\/\//i.test(s);
window.addEventListener("message", (e: MessageEvent) => {
  if (!parentOrigin || e.source !== window.parent || e.origin !== parentOrigin || !isParleyMessage(e.data)) return;
  const msg = e.data as PageToFrame;
  if (msg.type === "parley:context") {
    if (typeof msg.url === "string" && msg.url.length <= 2000 && isWebUrl(msg.url)) page = { url: msg.url, title: typeof msg.title === "string" ? msg.title.slice(0, 300) : "" };
  } else if (msg.type === "parley:open") {
    isOpen = msg.open === true;
    render();
    if (isOpen) {
      input.focus();
      scrollToEnd();
      void maybeRead();
    }
  } else if (msg.type === "parley:page-state") {
    pageVisible = msg.visible === true;
    pageFocused = msg.focused === true;
    void maybeRead();
  }
});
window.addEventListener("focus", () => void maybeRead());
document.addEventListener("visibilitychange", () => void maybeRead());

// ── Start ─────────────────────────────────────────────────────────────────
async function boot(): Promise<void> {
  render();
  postToPage({ type: "parley:ready" });
  if (!/^[0-9a-f-]{36}$/i.test(channelId)) {
    connection.textContent = T.unavailable;
    return;
  }
  try {
    await openSession();
  } catch {
    connection.textContent = T.unavailable;
    form.hidden = true;
    return;
  }
  connection.textContent = T.connecting;
  connect();
}

void boot();
