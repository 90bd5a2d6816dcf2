/**
 * The one script a site embeds (principle 11):
 *   <script src="https://parley.example/widget/loader.js" data-channel="<webchat channel id>" async></script>
 * It adds a chat bubble and an iframe with the chat (/widget/frame.html) and
 * nothing else: no access to the conversation, no cookies, no globals but
 * one flag. Page ↔ frame messages are objects typed "parley:*", posted to
 * the frame's exact origin and accepted only from the frame's window and
 * origin. The page tells the frame its URL and title (the inbox records
 * the page a message was sent from, PROF-34) and whether it is focused
 * (read receipts, STAT-12).
 * Built as a single IIFE file (widget/vite.config.ts).
 */
import { isParleyMessage, type FrameToPage, type PageToFrame } from "../../src/channels/webchat/contract.js";

const FLAG = Symbol.for("parley.widget");
const CHANNEL_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BLUE = "#0b6bcb";

type Styles = Partial<Record<keyof CSSStyleDeclaration, string>>;
// Styles through the CSSOM, not style attributes or <style>: a site's CSP cannot block them.
const css = (el: HTMLElement | SVGElement, s: Styles) => Object.assign(el.style, s);

function findScript(): HTMLScriptElement | null {
  const cur = document.currentScript;
  if (cur instanceof HTMLScriptElement && cur.dataset.channel) return cur;
  return document.querySelector<HTMLScriptElement>('script[data-channel][src*="/widget/loader.js"]');
}

function chatIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "28");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
  svg.appendChild(path);
  return svg;
}

function start(frameOrigin: string, channel: string): void {
  const host = document.createElement("div");
  host.setAttribute("data-parley-widget", "");
  css(host, { position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000", width: "0", height: "0" });
  // The site's CSS cannot reach inside the shadow root.
  const root = host.attachShadow({ mode: "open" });

  const bubble = document.createElement("button");
  bubble.type = "button";
  bubble.setAttribute("aria-label", "開啟線上客服");
  bubble.setAttribute("aria-expanded", "false");
  bubble.title = "線上客服";
  css(bubble, {
    position: "absolute", right: "0", bottom: "0", width: "56px", height: "56px", borderRadius: "50%", border: "0", padding: "0",
    background: BLUE, color: "#fff", cursor: "pointer", boxShadow: "0 4px 14px rgba(0,0,0,.25)", display: "flex", alignItems: "center", justifyContent: "center",
  });
  bubble.appendChild(chatIcon());

  const badge = document.createElement("span");
  badge.setAttribute("aria-hidden", "true");
  css(badge, {
    position: "absolute", top: "-4px", right: "-4px", minWidth: "20px", height: "20px", borderRadius: "10px", background: "#d92d20", color: "#fff",
    font: "600 12px/20px system-ui, sans-serif", textAlign: "center", padding: "0 5px", boxSizing: "border-box", display: "none",
  });
  bubble.appendChild(badge);

  const frame = document.createElement("iframe");
  const src = new URL("/widget/frame.html", frameOrigin);
  src.searchParams.set("channel", channel);
  src.searchParams.set("origin", location.origin);
  frame.src = src.toString();
  frame.title = "線上客服";
  frame.referrerPolicy = "origin";
  // The chat may run scripts and keep its visitor id, never navigate the site's page.
  frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox");
  css(frame, {
    position: "absolute", right: "0", bottom: "72px", width: "min(360px, calc(100vw - 40px))", height: "min(560px, calc(100vh - 112px))",
    border: "0", borderRadius: "12px", boxShadow: "0 8px 30px rgba(0,0,0,.25)", background: "#fff", display: "none",
  });

  root.append(frame, bubble);
  document.body.appendChild(host);

  let open = false;
  let ready = false;
  const post = (msg: PageToFrame) => {
    if (ready) frame.contentWindow?.postMessage(msg, frameOrigin);
  };
  // The page address without its fragment (often app state, sometimes tokens).
  const pageUrl = () => location.origin + location.pathname + location.search;
  let lastContext = "";
  const sendContext = (force = false) => {
    const ctx = { url: pageUrl(), title: document.title.slice(0, 300) };
    const key = `${ctx.url}\n${ctx.title}`;
    if (!force && key === lastContext) return;
    lastContext = key;
    post({ type: "parley:context", ...ctx });
  };
  const sendPageState = () => post({ type: "parley:page-state", visible: document.visibilityState === "visible", focused: document.hasFocus() });

  const setOpen = (value: boolean) => {
    open = value;
    frame.style.display = open ? "block" : "none";
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", open ? "關閉線上客服" : "開啟線上客服");
    post({ type: "parley:open", open });
    if (open) frame.focus();
  };
  bubble.addEventListener("click", () => setOpen(!open));

  window.addEventListener("message", (e: MessageEvent) => {
    if (e.origin !== frameOrigin || e.source !== frame.contentWindow || !isParleyMessage(e.data)) return;
    const msg = e.data as FrameToPage;
    if (msg.type === "parley:ready") {
      ready = true;
      sendContext(true);
      sendPageState();
      post({ type: "parley:open", open });
    } else if (msg.type === "parley:close") {
      setOpen(false);
      bubble.focus();
    } else if (msg.type === "parley:unread") {
      const n = Number.isInteger(msg.count) && msg.count > 0 ? Math.min(msg.count, 99) : 0;
      badge.textContent = n ? String(n) : "";
      badge.style.display = n ? "block" : "none";
    }
  });

  for (const ev of ["focus", "blur"]) window.addEventListener(ev, sendPageState);
  document.addEventListener("visibilitychange", sendPageState);
  // Single-page sites change address without reloading: follow it.
  window.addEventListener("popstate", () => sendContext());
  window.addEventListener("hashchange", () => sendContext());
  window.setInterval(() => sendContext(), 1000);
}

function main(): void {
  const w = window as unknown as Record<symbol, boolean>;
  if (w[FLAG]) return; // embedded twice
  const script = findScript();
  const channel = script?.dataset.channel ?? "";
  if (!script || !CHANNEL_RE.test(channel)) {
    console.warn("[Parley] 對話插件缺少有效的 data-channel");
    return;
  }
  let frameOrigin: string;
  try {
    frameOrigin = new URL(script.src, location.href).origin;
  } catch {
    return;
  }
  w[FLAG] = true;
  if (document.body) start(frameOrigin, channel);
  else document.addEventListener("DOMContentLoaded", () => start(frameOrigin, channel), { once: true });
}

main();
