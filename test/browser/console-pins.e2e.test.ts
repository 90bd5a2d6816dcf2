/**
 * Pins and quoted replies in the agent console, in Chromium against a real
 * server (see console-support.ts): an agent pins a conversation of 我的處理中
 * from its row and it comes first, then unpins it from the header
 * (ADV-11..ADV-14); a customer's quoted reply on an API channel shows the
 * quoted text, or 「原訊息無法顯示」 when the quoted message is unknown
 * (ADV-1, ADV-5); in a WhatsApp conversation the hover 「回覆」 puts a message
 * above the input, × cancels it, and the reply is sent with the quote
 * (ADV-7..ADV-10); 「全選」 selects the rows loaded so far, not those a scroll
 * loads later (VIEW-43); 「貼圖」 sends LINE stickers and remembers the recent
 * ones (MEDIA-19, MEDIA-22, MEDIA-23).
 *
 * Skipped when /usr/bin/chromium is missing, except under CI=true.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { App } from "../../src/app.js";
import { CHROMIUM, WAIT, createServerApp, ensureConsoleBuilt, freePort, hidden, httpClient, launchChromium, screenshot, serverConfig, visible } from "./console-support.js";

const hasChromium = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
const PASSWORD = "pins-pass-1";

describe.skipIf(!hasChromium && !inCI)("console pins and quoted replies in Chromium", () => {
  let app: App;
  let base = "";
  let tmp = "";
  let browser: Browser;
  let page: Page;
  const http = httpClient(() => base);
  const pageErrors: string[] = [];
  const w = { admin: "", agent: "", integration: "", channelId: "" };

  const say = async (userId: string, displayName: string, messageId: string, text: string, quotedMessageId?: string) => {
    const r = await http("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body: { userId, displayName, messageId, text, quotedMessageId } });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    return r.body as { conversationId: string };
  };
  const follow = async (id: string) => {
    const conv = await http("GET", `/api/conversations/${id}`, { token: w.agent });
    const r = await http("POST", `/api/conversations/${id}/follow`, { token: w.agent, body: { version: conv.body.version } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const rows = (p: Page) => p.locator(".list-column [role=listitem]");
  const row = (p: Page, name: string) => rows(p).filter({ hasText: name });
  const firstRow = (p: Page) => p.locator('.list-column [role=listitem][aria-posinset="1"]');
  const messages = (p: Page) => p.getByRole("log", { name: "訊息" });

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`Chromium is required at ${CHROMIUM} when CI=true (apt-get install chromium)`);
    await ensureConsoleBuilt();
    tmp = mkdtempSync(join(tmpdir(), "parley-pins-"));
    const config = serverConfig(await freePort(), join(tmp, "db"));
    app = await createServerApp(config);
    await app.listen();
    base = config.publicUrl;

    const ws = await http("POST", "/api/workspaces", { body: { name: "晴天生活百貨", admin: { email: "admin@pins.test", password: PASSWORD, name: "系統管理員" } } });
    expect(ws.status).toBe(201);
    w.admin = (await http("POST", "/api/auth/login", { body: { email: "admin@pins.test", password: PASSWORD } })).body.token;
    expect((await http("POST", "/api/members", { token: w.admin, body: { email: "ming@pins.test", name: "王小明", role: "agent", password: PASSWORD } })).status).toBe(201);
    w.agent = (await http("POST", "/api/auth/login", { body: { email: "ming@pins.test", password: PASSWORD } })).body.token;
    w.integration = (await http("POST", "/api/tokens", { token: w.admin, body: { name: "integration" } })).body.token;
    const ch = await http("POST", "/api/channels", { token: w.admin, body: { platform: "api", name: "官網客服 API" } });
    expect(ch.status).toBe(201);
    w.channelId = ch.body.id;

    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-TW", timezoneId: "Asia/Taipei" });
    ctx.setDefaultTimeout(WAIT);
    page = await ctx.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("ADV-11, ADV-12, ADV-14: pins a conversation of 我的處理中 from its row, sees it first, and unpins it from the header", async () => {
    for (const [user, name, text] of [
      ["u-chang", "張先生", "請問週末有營業嗎?"],
      ["u-lee", "李小姐", "我想退貨,請問流程?"],
      ["u-huang", "黃先生", "運費怎麼計算?"],
    ])
      await follow((await say(user, name, `m-${user}-1`, text)).conversationId);
    await say("u-pending", "吳小姐", "m-u-pending-1", "還沒有人跟進的對話");

    await page.goto(base + "/");
    await page.getByLabel("電子郵件").fill("ming@pins.test");
    await page.getByLabel("密碼").fill(PASSWORD);
    await page.getByRole("button", { name: "登入" }).click();
    await visible(page.getByRole("navigation", { name: "對話分類" }));

    // ADV-11: no pin outside 我的處理中.
    await page.getByRole("link", { name: /待處理 - 真人客服/ }).click();
    await visible(row(page, "吳小姐"));
    expect(await row(page, "吳小姐").getByRole("button", { name: "釘選對話" }).count()).toBe(0);

    await page.getByRole("link", { name: /我的處理中/ }).click();
    await page.waitForURL(/\/inbox\/my_processing$/);
    await visible(row(page, "張先生"));
    await visible(row(page, "黃先生"));
    expect(await rows(page).count()).toBe(3);
    const firstBefore = (await firstRow(page).locator(".row-name").textContent())!;
    const target = (await rows(page).nth(2).locator(".row-name").textContent())!; // the last row
    expect(target).not.toBe(firstBefore);

    // The pin button shows on hover (and stays while pinned).
    const pinBtn = row(page, target).getByRole("button", { name: "釘選對話" });
    await row(page, target).hover();
    await pinBtn.click();
    await visible(row(page, target).getByRole("button", { name: "取消釘選" }));
    await visible(row(page, target).getByText("已釘選"));
    await visible(firstRow(page).filter({ hasText: target }));
    await page.mouse.move(0, 0);
    expect(await row(page, target).getByRole("button", { name: "取消釘選" }).evaluate((b) => getComputedStyle(b).opacity)).toBe("1");
    expect((await http("GET", "/api/conversations?view=my_processing", { token: w.agent })).body.items[0]).toMatchObject({ pinned: true, contact: { name: target } });

    // Unpin from the open conversation's header.
    await row(page, target).locator(".row-main").click();
    await visible(page.getByRole("heading", { name: target, level: 2 }));
    const header = page.locator(".conversation-header");
    await header.getByRole("button", { name: "取消釘選" }).click();
    await visible(header.getByRole("button", { name: "釘選對話" }));
    await hidden(row(page, target).getByText("已釘選"));
    await visible(firstRow(page).filter({ hasText: firstBefore }));
    expect((await http("GET", "/api/conversations?view=my_processing", { token: w.agent })).body.items.some((c: { pinned: boolean }) => c.pinned)).toBe(false);

    // And pinned again from the header: the row follows.
    await header.getByRole("button", { name: "釘選對話" }).click();
    await visible(row(page, target).getByText("已釘選"));
    await visible(firstRow(page).filter({ hasText: target }));
    expect(pageErrors).toEqual([]);
  });

  it("ADV-1, ADV-5: a customer's quoted reply shows the quoted message above its text, or 原訊息無法顯示; no 回覆 outside WhatsApp (ADV-10)", async () => {
    const { conversationId } = await say("u-chou", "周小姐", "m-chou-1", "請問這件外套有藍色嗎?");
    await say("u-chou", "周小姐", "m-chou-2", "我是說 M 號的", "m-chou-1");
    await say("u-chou", "周小姐", "m-chou-3", "那這個呢?", "m-not-stored");

    await page.getByRole("link", { name: /待處理 - 真人客服/ }).click();
    await row(page, "周小姐").locator(".row-main").click();
    await page.waitForURL(new RegExp(`/inbox/pending_human/${conversationId}$`));
    const quoted = messages(page).locator(".msg").filter({ hasText: "我是說 M 號的" });
    await visible(quoted.getByRole("blockquote").filter({ hasText: "請問這件外套有藍色嗎?" }));
    await visible(quoted.getByRole("blockquote").filter({ hasText: "周小姐" }));
    const unknown = messages(page).locator(".msg").filter({ hasText: "那這個呢?" });
    await visible(unknown.getByRole("blockquote").filter({ hasText: "原訊息無法顯示" }));
    expect(await messages(page).locator(".msg").filter({ hasText: "請問這件外套有藍色嗎?" }).first().getByRole("blockquote").count()).toBe(0);

    // Live: a quoted reply arriving while the conversation is open.
    await say("u-chou", "周小姐", "m-chou-4", "還有 L 號嗎?", "m-chou-2");
    const live = messages(page).locator(".msg").filter({ hasText: "還有 L 號嗎?" });
    await visible(live.getByRole("blockquote").filter({ hasText: "我是說 M 號的" }));

    await messages(page).locator(".msg").filter({ hasText: "請問這件外套有藍色嗎?" }).first().hover();
    expect(await messages(page).getByRole("button", { name: "回覆" }).count()).toBe(0);
  });

  it("ADV-7..ADV-10: in WhatsApp, 「回覆」 on hover quotes a message above the input, × cancels, and the reply is sent with the quote", async () => {
    const ch = await http("POST", "/api/channels", { token: w.admin, body: { platform: "whatsapp", name: "晴天 WhatsApp" } });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    const wa = ch.body.id as string;
    const inbound = await http("POST", `/api/simulator/channels/${wa}/inbound`, { body: { customer: { id: "886912345678", name: "陳先生" }, kind: "text", text: "我要訂兩盒禮盒" } });
    expect(inbound.status, JSON.stringify(inbound.body)).toBe(200);
    const { conversationId, platformMessageId } = inbound.body as { conversationId: string; platformMessageId: string };
    await follow(conversationId);

    await page.getByRole("link", { name: /我的處理中/ }).click();
    await row(page, "陳先生").locator(".row-main").click();
    await page.waitForURL(new RegExp(`/inbox/my_processing/${conversationId}$`));
    const customerMsg = messages(page).locator(".msg").filter({ hasText: "我要訂兩盒禮盒" });
    await visible(customerMsg);

    const quoting = page.getByRole("group", { name: "回覆的訊息" });
    await customerMsg.hover();
    await customerMsg.getByRole("button", { name: "回覆" }).click();
    await visible(quoting.getByText("我要訂兩盒禮盒"));
    await visible(quoting.getByText("回覆 陳先生"));
    await quoting.getByRole("button", { name: "取消回覆" }).click();
    await hidden(quoting);

    await customerMsg.hover();
    await customerMsg.getByRole("button", { name: "回覆" }).click();
    await visible(quoting);
    const box = page.getByRole("textbox", { name: "回覆訊息" });
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill("好的,已為您保留兩盒");
    await box.press("Enter");
    await hidden(quoting);

    const reply = messages(page).locator(".msg-out").filter({ hasText: "好的,已為您保留兩盒" });
    await visible(reply.getByRole("blockquote").filter({ hasText: "我要訂兩盒禮盒" }));
    await visible(reply.locator(".msg-status", { hasText: "已送出" }));

    // The quote went to WhatsApp as the message's context (ADV-10).
    type SentBody = { context?: { message_id?: string }; text?: { body?: string } };
    let body: SentBody | undefined = undefined as SentBody | undefined;
    for (let i = 0; i < 50 && !body; i++) {
      const sent = await http("GET", `/api/simulator/channels/${wa}/sent?accepted=true`);
      body = (sent.body.items as { body: SentBody }[]).map((s) => s.body).find((b) => b?.text?.body === "好的,已為您保留兩盒");
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body?.context?.message_id).toBe(platformMessageId);

    // Reloaded, the server's answer shows the same quote.
    await page.reload();
    await visible(messages(page).locator(".msg-out").filter({ hasText: "好的,已為您保留兩盒" }).getByRole("blockquote").filter({ hasText: "我要訂兩盒禮盒" }));
    expect(pageErrors).toEqual([]);
  });

  it("VIEW-43: 全選 selects the conversations loaded so far; those loaded later by scrolling arrive unselected", async () => {
    for (let i = 0; i < 40; i++) await say(`u-bulk-${i}`, `批量客人${String(i).padStart(2, "0")}`, `m-bulk-${i}`, `第 ${i} 則詢問`);
    await page.getByRole("link", { name: /待處理 - 真人客服/ }).click();
    await page.waitForURL(/\/inbox\/pending_human$/);
    const total = (await http("GET", "/api/conversations?view=pending_human&limit=100", { token: w.agent })).body.items.length as number;
    expect(total).toBeGreaterThan(40); // more than the console's first page of 30
    await visible(page.locator(".list-title .count-chip").filter({ hasText: String(total) }));

    const selectAll = page.getByRole("checkbox", { name: "全選" });
    await selectAll.check();
    await visible(page.getByText("已選擇 30 筆"));

    // Scrolling to the end loads the rest of the list; none of it is selected.
    const list = page.locator(".list-scroll");
    for (let i = 0; i < 20 && (await rows(page).filter({ hasText: "批量客人00" }).count()) === 0; i++) {
      await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.waitForTimeout(150);
    }
    await visible(rows(page).filter({ hasText: "批量客人00" }));
    await visible(page.getByText("已選擇 30 筆"));
    expect(await selectAll.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);
    expect(await page.getByRole("checkbox", { name: "選取 批量客人00" }).isChecked()).toBe(false);

    // 全選 again takes every conversation now loaded.
    await selectAll.click();
    await visible(page.getByText(`已選擇 ${total} 筆`));
    await page.locator(".clear-selection").click();
    await visible(page.locator(".list-title .count-chip").filter({ hasText: String(total) }));
    expect(pageErrors).toEqual([]);
  });

  it("MEDIA-19, MEDIA-22, MEDIA-23: in LINE 「貼圖」 opens the first pack, a click sends the sticker to LINE and shows it, 近期發送紀錄 lists stickers newest first without duplicates, also after a reload; an API conversation has no 貼圖", async () => {
    // MEDIA-23: the API channel sends no stickers.
    await page.getByRole("link", { name: /我的處理中/ }).click();
    await row(page, "張先生").locator(".row-main").click();
    await visible(page.getByRole("textbox", { name: "回覆訊息" }));
    expect(await page.getByRole("button", { name: "貼圖", exact: true }).count()).toBe(0);

    const ch = await http("POST", "/api/channels", { token: w.admin, body: { platform: "line", name: "晴天 LINE" } });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    const line = ch.body.id as string;
    const inbound = await http("POST", `/api/simulator/channels/${line}/inbound`, { body: { customer: { id: "U-sticker-fan", name: "許小姐" }, kind: "text", text: "可以傳個貼圖給我嗎?" } });
    expect(inbound.status, JSON.stringify(inbound.body)).toBe(200);
    const conversationId = inbound.body.conversationId as string;
    await follow(conversationId);
    await row(page, "許小姐").locator(".row-main").click();
    await page.waitForURL(new RegExp(`/inbox/my_processing/${conversationId}$`));

    const button = page.getByRole("button", { name: "貼圖", exact: true });
    const win = page.getByRole("dialog", { name: "貼圖" });
    await button.click();
    await visible(win);
    expect(await win.getByRole("tab", { name: "貼圖包 446" }).getAttribute("aria-selected")).toBe("true");
    await screenshot(page, "sticker-window");
    await win.getByRole("button", { name: "傳送貼圖 1990" }).click();
    await hidden(win);
    const stickers = messages(page).locator(".msg-out img.msg-sticker");
    await expect.poll(() => stickers.count()).toBe(1);
    expect(await stickers.first().getAttribute("src")).toBe("https://stickershop.line-scdn.net/stickershop/v1/sticker/1990/android/sticker.png");

    // Pushed to LINE as a sticker message.
    type Push = { messages?: { type: string; packageId?: string; stickerId?: string }[] };
    let pushed: Push["messages"] | undefined;
    for (let i = 0; i < 50 && !pushed; i++) {
      const sent = await http("GET", `/api/simulator/channels/${line}/sent?accepted=true`);
      pushed = (sent.body.items as { body: Push }[]).map((x) => x.body.messages).find((m) => m?.[0]?.type === "sticker");
      if (!pushed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pushed).toEqual([{ type: "sticker", packageId: "446", stickerId: "1990" }]);

    // Another pack, then the first sticker again: the recent list has each once, newest first.
    await button.click();
    await win.getByRole("tab", { name: "貼圖包 789" }).click();
    await win.getByRole("button", { name: "傳送貼圖 10860" }).click();
    await button.click();
    await win.getByRole("tab", { name: "近期發送紀錄" }).click();
    const recentNames = () => win.getByRole("group", { name: "近期發送紀錄" }).getByRole("button").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
    expect(await recentNames()).toEqual(["傳送貼圖 10860", "傳送貼圖 1990"]);
    await win.getByRole("button", { name: "傳送貼圖 1990" }).click();
    await expect.poll(() => stickers.count()).toBe(3);
    await button.click();
    expect(await recentNames()).toEqual(["傳送貼圖 1990", "傳送貼圖 10860"]);

    // A sticker from the customer shows as its picture too.
    const fromCustomer = await http("POST", `/api/simulator/channels/${line}/inbound`, { body: { customer: { id: "U-sticker-fan", name: "許小姐" }, kind: "sticker", sticker: { packageId: "789", stickerId: "10856" } } });
    expect(fromCustomer.status, JSON.stringify(fromCustomer.body)).toBe(200);
    await page.keyboard.press("Escape");
    await visible(messages(page).locator(".msg-in img.msg-sticker[src$='/sticker/10856/android/sticker.png']"));

    // Kept by this browser for this member.
    await page.reload();
    await button.click();
    await win.getByRole("tab", { name: "近期發送紀錄" }).click();
    expect(await recentNames()).toEqual(["傳送貼圖 1990", "傳送貼圖 10860"]);
    await page.keyboard.press("Escape");
    await hidden(win);
    expect(pageErrors).toEqual([]);
  });
});
