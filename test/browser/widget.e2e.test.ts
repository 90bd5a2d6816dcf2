/**
 * The website chat widget in a real browser: a shop page on another origin
 * (another port) embeds the loader under a strict CSP; a visitor opens the
 * bubble and writes; the message reaches the inbox with the page; an agent
 * replies through the API; the reply shows in the iframe and turns 已讀 only
 * while the widget is open (STAT-7, STAT-12); markup is shown as text.
 *
 * Needs Chromium at /usr/bin/chromium (apt-get install -y chromium): skipped
 * without it, except under CI=true where a missing browser fails the run.
 * Builds widget/dist with vite first when it is missing or older than its sources.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import { chromium, type Browser, type Page } from "playwright-core";
import { makeWorld, type World } from "../support/world.js";
import { startWidgetApp, eventually, type WidgetTestApp } from "../widget/support.js";
import { WIDGET_DIST } from "../../src/api/routes/widget.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SCREENSHOT = join(REPO, "test-results", "widget.png");

/** A real PNG of w×h pixels: a two-colour stripe pattern (something to see in the screenshot). */
function makePng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set(Math.floor((x + y) / 12) % 2 ? [11, 107, 203] : [255, 196, 61], 1 + x * 3);
    rows.push(row);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}
const PNG = makePng(160, 96);

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(readdirSync(p).map((f) => join(p, f))));
    else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** vite build of widget/ when dist is missing or older than its sources. */
async function ensureWidgetBuilt(): Promise<void> {
  const outputs = ["loader.js", "frame.html"].map((f) => join(WIDGET_DIST, f));
  const sources = ["widget/src", "widget/frame.html", "widget/vite.config.ts", "src/channels/webchat/contract.ts", "src/domain/message-status.ts"].map((p) => join(REPO, p));
  const built = outputs.every(existsSync) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  if (built && built >= newestMtime(sources)) return;
  const { build } = await import("vite");
  // Vitest runs with NODE_ENV=test; the widget left in dist must be the production build.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: join(REPO, "widget/vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    process.env.NODE_ENV = env;
  }
}

let t: WidgetTestApp;
let w: World;
let channelId: string;
let site: Server;
let siteOrigin: string;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

function shopPage(parley: string): string {
  return `<!doctype html>
<html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>純棉T恤 - 測試商店</title></head>
<body>
<h1>純棉T恤</h1><p>NT$ 590 · 尺寸 S / M / L</p>
<script src="${parley}/widget/loader.js" data-channel="${channelId}" async></script>
</body></html>`;
}

async function inboxConversation(text: string): Promise<any> {
  return eventually(async () => {
    const list = await w.get(w.tokens.admin, `/api/conversations?view=pending_human&channelId=${channelId}`);
    return list.items.find((i: any) => i.lastMessagePreview === text);
  }, 10_000, `"${text}" in the inbox`);
}

async function statusOf(conversationId: string, messageId: string): Promise<string> {
  const msgs = await w.get(w.tokens.admin, `/api/conversations/${conversationId}/messages`);
  return msgs.items.find((m: any) => m.id === messageId)?.status;
}

async function agentReply(conversationId: string, text: string): Promise<string> {
  const r = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.admin, body: { text } });
  expect(r.status).toBe(201);
  return r.body.id;
}

describe.skipIf(!hasChromium && !inCI)("website widget in a browser", () => {
  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI=true and ${CHROMIUM} is missing: install it (apt-get install -y chromium)`);
    await ensureWidgetBuilt();
    t = await startWidgetApp({ runJobs: true, offlineGraceMs: 200 });
    w = await makeWorld(t, "browser");
    const ch = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "webchat", name: "測試商店" } });
    expect(ch.status).toBe(201);
    channelId = ch.body.id;

    // The shop: another origin (another port), with a CSP that allows no inline style or script, only Parley's script and frame.
    site = createServer((req, res) => {
      if (!req.url?.startsWith("/products/")) return void res.writeHead(404).end();
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": `default-src 'self'; script-src ${t.base}; frame-src ${t.base}; style-src 'self'; img-src 'self'`,
      });
      res.end(shopPage(t.base));
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    siteOrigin = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    expect(siteOrigin).not.toBe(t.base);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    const context = await browser.newContext({ viewport: { width: 1024, height: 760 }, locale: "zh-TW" });
    page = await context.newPage();
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (site ? site.close(r) : r(null)));
    await t?.close();
  });

  it("a visitor writes from the shop, the inbox gets it with the page, the agent's reply shows with its status; markup stays text", async () => {
    await page.goto(`${siteOrigin}/products/42?color=red#reviews`);
    const bubble = page.getByRole("button", { name: "開啟線上客服" });
    // Styled through the CSSOM, so the shop's CSP (no inline styles) does not undo it.
    expect(await bubble.boundingBox()).toMatchObject({ width: 56, height: 56 });
    await bubble.click();
    const chat = page.frameLocator('iframe[title="線上客服"]');
    await chat.getByText("我們會盡快回覆您").waitFor(); // connected
    // Principle 11: the chat is another origin's sandboxed frame; it cannot navigate the shop's page.
    const sandbox = await page.locator('iframe[title="線上客服"]').getAttribute("sandbox");
    expect(sandbox).toContain("allow-scripts");
    expect(sandbox).not.toContain("allow-top-navigation");

    const input = chat.getByPlaceholder("輸入訊息…");
    await input.fill("請問這件有 M 號嗎?");
    await chat.getByRole("button", { name: "傳送", exact: true }).click();
    await chat.locator("li.msg.mine", { hasText: "請問這件有 M 號嗎?" }).and(chat.locator('[data-status="sent"]')).waitFor();

    // In the inbox, pending, with the page it was sent from (PROF-34; the fragment is not sent).
    const conv = await inboxConversation("請問這件有 M 號嗎?");
    expect(conv).toMatchObject({ state: "pending", channel: { platform: "webchat" } });
    const contact = await w.get(w.tokens.admin, `/api/contacts/${conv.contact.id}`);
    expect(contact).toMatchObject({ online: true, lastPageUrl: `${siteOrigin}/products/42?color=red` });
    const row = await t.app.ctx.db.selectFrom("contacts").select("last_page_title").where("id", "=", conv.contact.id).executeTakeFirstOrThrow();
    expect(row.last_page_title).toBe("純棉T恤 - 測試商店");

    // The agent answers; the frame shows it, acknowledges it and — open, visible, focused — reads it (STAT-7, STAT-12).
    expect((await w.act("admin", conv.id, "follow")).status).toBe(200);
    const replyId = await agentReply(conv.id, "有的,M 號還有 3 件。");
    const shown = chat.locator(`li.msg.theirs[data-id="${replyId}"]`);
    await shown.waitFor();
    expect(await shown.locator(".bubble").textContent()).toBe("有的,M 號還有 3 件。");
    await chat.locator(`li[data-id="${replyId}"][data-status="read"]`).waitFor({ timeout: 10_000 });
    expect(await shown.locator(".status").textContent()).toBe("已讀");
    await eventually(async () => (await statusOf(conv.id, replyId)) === "read", 5000, "已讀 in the inbox");

    // Markup from the visitor and from the agent is text: no element, no script, no dialog.
    const attack = "<img src=x onerror=alert(1)>";
    await input.fill(attack);
    await input.press("Enter");
    await chat.locator("li.msg.mine .bubble", { hasText: attack }).waitFor();
    const attackReply = await agentReply(conv.id, `<script>alert(2)</script>${attack}`);
    await chat.locator(`li[data-id="${attackReply}"]`).waitFor();
    expect(await chat.locator(`li[data-id="${attackReply}"] .bubble`).textContent()).toBe(`<script>alert(2)</script>${attack}`);
    expect(await chat.locator("li.msg img").count()).toBe(0);
    expect(await chat.locator("li.msg script").count()).toBe(0);
    const inInbox = await w.get(w.tokens.admin, `/api/conversations/${conv.id}/messages`);
    expect(inInbox.items.some((m: any) => m.senderKind === "customer" && m.text === attack)).toBe(true);

    // An image through the picker: checked by its bytes on the server, shown from our origin.
    await chat.locator('input[type="file"]').setInputFiles({ name: "尺寸表.png", mimeType: "image/png", buffer: PNG });
    const img = chat.locator("li.msg.mine img");
    await chat.locator('li.msg.mine[data-status="sent"] img').waitFor();
    expect(await img.getAttribute("src")).toMatch(/^\/widget\/api\/uploads\/[0-9a-f-]{36}$/);

    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    // The loader leaves no globals behind on the shop's page.
    expect(await page.evaluate("typeof window.ParleyWidgetLoader")).toBe("undefined");
  }, 90_000);

  it("STAT-12: a reply that arrives while the widget is closed is 已收到, counted on the bubble, and 已讀 once opened", async () => {
    const chat = page.frameLocator('iframe[title="線上客服"]');
    await chat.getByRole("button", { name: "關閉" }).click();
    const bubble = page.getByRole("button", { name: "開啟線上客服" });
    await bubble.waitFor();
    const conv = (await w.get(w.tokens.admin, `/api/conversations?view=my_processing&channelId=${channelId}`)).items[0];
    const id = await agentReply(conv.id, "還有其他問題嗎?");
    await eventually(async () => (await statusOf(conv.id, id)) === "received", 10_000, "已收到");
    await page.waitForTimeout(500);
    expect(await statusOf(conv.id, id)).toBe("received"); // closed: not read
    const badge = page.locator("[data-parley-widget] button span");
    await eventually(async () => (await badge.textContent()) === "1", 5000, "unread badge");

    await bubble.click();
    await chat.locator(`li[data-id="${id}"][data-status="read"]`).waitFor({ timeout: 10_000 });
    await eventually(async () => (await statusOf(conv.id, id)) === "read", 5000, "已讀 after opening");
    await eventually(async () => (await badge.isVisible()) === false, 5000, "badge cleared");

    await mkdir(join(REPO, "test-results"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  }, 60_000);

  it("PROF-34: leaving the shop turns the visitor 用戶已離線 in the inbox and drops the page", async () => {
    const conv = (await w.get(w.tokens.admin, `/api/conversations?view=my_processing&channelId=${channelId}`)).items[0];
    await page.goto("about:blank");
    await eventually(async () => {
      const c = await w.get(w.tokens.admin, `/api/contacts/${conv.contact.id}`);
      return c.online === false && c.lastPageUrl === null;
    }, 10_000, "用戶已離線");
  }, 30_000);
});
