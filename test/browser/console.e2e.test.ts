/**
 * The agent console in a real browser (issue 4, item 8): Debian's Chromium
 * through playwright-core against a real server on an embedded database.
 * An agent logs in, sees a customer's message arrive live, follows it,
 * replies (with the contact-name variable and attachments), sees the status
 * go 已送出 → 已讀, edits the customer panel, searches, transfers; a second
 * agent closes and reopens; three conversations are batch-closed; hostile
 * names and messages stay text; the server restarts and the console shows
 * 重新連線, then catches up without duplicates. Then, with the test clock
 * moved: Messenger's reply-window hints, a LINE file's download period, and
 * an administrator's CSV export, partly in English. Screenshots of the main
 * screens go to docs/screenshots/.
 *
 * Skipped when /usr/bin/chromium is missing, except under CI=true where a
 * missing browser fails the suite.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { App } from "../../src/app.js";
import type { Config } from "../../src/config.js";
import { CHROMIUM, WAIT, createServerApp, ensureConsoleBuilt, freePort, hidden, httpClient, launchChromium, screenshot, serverConfig, visible } from "./console-support.js";

const hasChromium = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
const PASSWORD = "console-pass-1";
const HOSTILE_NAME = "<img src=x onerror=alert(1)>";
const HOSTILE_TEXT = "<script>alert(2)</script>";

describe.skipIf(!hasChromium && !inCI)("agent console in Chromium", () => {
  let app: App;
  let config: Config;
  let base = "";
  let tmp = ""; // the database folder and files to upload
  let browser: Browser;
  let agentCtx: BrowserContext;
  let page: Page;
  const http = httpClient(() => base);
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const w = { admin: "", integration: "", channelId: "" };
  let seq = 0;
  let linId = "";
  let hostileId = "";

  const say = async (userId: string, displayName: string, text: string) => {
    const r = await http("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body: { userId, displayName, messageId: `m-${userId}-${++seq}`, text } });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    return r.body as { conversationId: string };
  };
  const row = (p: Page, name: string) => p.locator(".list-column [role=listitem]").filter({ hasText: name });
  const toast = (p: Page, text: string) => p.locator(".toast").filter({ hasText: text });
  const messages = (p: Page) => p.getByRole("log", { name: "訊息" });
  /** Toasts of earlier steps out of the picture. */
  const clearToasts = async (p: Page) => {
    for (const b of await p.locator(".toast .icon-btn").all()) await b.click({ timeout: 500 }).catch(() => {}); // it may expire meanwhile
    await hidden(p.locator(".toast"));
  };

  async function login(p: Page, email: string) {
    await p.goto(base + "/");
    await p.getByLabel("電子郵件").fill(email);
    await p.getByLabel("密碼").fill(PASSWORD);
    await p.getByRole("button", { name: "登入" }).click();
    await visible(p.getByRole("navigation", { name: "對話分類" }));
  }

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`Chromium is required at ${CHROMIUM} when CI=true (apt-get install chromium)`);
    await ensureConsoleBuilt();
    tmp = mkdtempSync(join(tmpdir(), "parley-browser-"));
    config = serverConfig(await freePort(), join(tmp, "db"));
    app = await createServerApp(config);
    await app.listen();
    base = config.publicUrl;

    // The team, its members and an integrator's API channel, through the API.
    const ws = await http("POST", "/api/workspaces", {
      body: { name: "晴天生活百貨", admin: { email: "admin@sunny.test", password: PASSWORD, name: "系統管理員" }, settings: { conversationExport: true } },
    });
    expect(ws.status).toBe(201);
    w.admin = (await http("POST", "/api/auth/login", { body: { email: "admin@sunny.test", password: PASSWORD } })).body.token;
    for (const [email, name] of [["ming@sunny.test", "王小明"], ["mei@sunny.test", "陳美麗"]]) {
      const m = await http("POST", "/api/members", { token: w.admin, body: { email, name, role: "agent", password: PASSWORD } });
      expect(m.status).toBe(201);
    }
    w.integration = (await http("POST", "/api/tokens", { token: w.admin, body: { name: "integration" } })).body.token;
    const ch = await http("POST", "/api/channels", { token: w.admin, body: { platform: "api", name: "官網客服 API" } });
    expect(ch.status).toBe(201);
    w.channelId = ch.body.id;
    await say("u-chang", "張先生", "請問週末有營業嗎?");
    await say("u-lee", "李小姐", "我想退貨,請問流程?");
    await say("u-huang", "黃先生", "運費怎麼計算?");

    browser = await launchChromium();
    agentCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-TW", timezoneId: "Asia/Taipei" });
    agentCtx.setDefaultTimeout(WAIT);
    page = await agentCtx.newPage();
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("logs in and sees a customer's message arrive live", async () => {
    await page.goto(base + "/");
    await visible(page.getByRole("heading", { name: "登入 Parley" }));
    await screenshot(page, "login");
    await login(page, "ming@sunny.test");
    await visible(row(page, "黃先生"));
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    linId = (await say("u-lin", "林小姐", "你好,我上週的訂單還沒收到")).conversationId;
    await visible(row(page, "林小姐"));
    await visible(row(page, "林小姐").getByText("你好,我上週的訂單還沒收到"));
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await screenshot(page, "inbox-list");
  });

  it("follows, replies with the contact-name variable, and shows 已送出 then 已讀 live", async () => {
    await row(page, "林小姐").locator(".row-main").click();
    await visible(page.getByRole("heading", { name: "林小姐", level: 2 }));
    await page.getByRole("button", { name: "跟進", exact: true }).click();
    await page.waitForURL(new RegExp(`/inbox/my_processing/${linId}$`));

    const box = page.getByRole("textbox", { name: "回覆訊息" });
    await box.fill("您好");
    await page.getByRole("button", { name: "插入變數" }).click();
    await page.getByRole("menuitem", { name: "聯絡人姓名" }).click();
    await page.keyboard.type(",請提供訂單編號,我們立即為您查詢。");
    expect(await box.inputValue()).toBe("您好{{system:customer_name}},請提供訂單編號,我們立即為您查詢。");
    await box.press("Enter");

    const reply = messages(page).locator(".msg-out").filter({ hasText: "您好林小姐,請提供訂單編號" });
    await visible(reply);
    await visible(reply.locator(".msg-status", { hasText: "已送出" }));

    const list = await http("GET", `/api/conversations/${linId}/messages`, { token: w.admin });
    const sent = list.body.items.find((m: { senderKind: string }) => m.senderKind === "agent");
    const read = await http("POST", `/api/channels/${w.channelId}/statuses`, { token: w.integration, body: { messageId: sent.platformMessageId ?? sent.id, status: "read" } });
    expect(read.status).toBe(200);
    await visible(reply.locator(".msg-status", { hasText: "已讀" }));
  });

  it("offers the channel's media kinds, refuses a wrong file before upload, and uploads with progress", async () => {
    const pick = async (kind: string, file: string | { name: string; mimeType: string; buffer: Buffer }) => {
      await page.getByRole("button", { name: "傳送圖片、影片、音訊或檔案" }).click();
      const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("menuitem", { name: kind, exact: true }).click()]);
      await chooser.setFiles(file);
    };
    await page.getByRole("button", { name: "傳送圖片、影片、音訊或檔案" }).click();
    expect(await page.getByRole("menuitem").allTextContents()).toEqual(["圖片", "影片", "音訊", "檔案"]);
    await page.keyboard.press("Escape");

    const tray = page.getByRole("list", { name: "上傳中的檔案" });
    await pick("圖片", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not an image") });
    await visible(tray.getByText("不支援此檔案類型"));
    // Large files from disk: the browser reads them itself instead of receiving their bytes.
    const huge = join(tmp, "huge.png");
    await writeFile(huge, Buffer.alloc(10 * 1024 * 1024 + 1));
    await pick("圖片", huge);
    await visible(tray.getByText("檔案超過大小限制(10MB)"));
    for (let i = 0; i < 2; i++) await tray.getByRole("button", { name: "關閉通知" }).first().click();
    await hidden(tray);

    const photo = await productPhoto(page);
    await pick("圖片", { name: "receipt.png", mimeType: "image/png", buffer: photo });
    const image = messages(page).locator("img.msg-image");
    await visible(image);
    await page.waitForFunction(() => (document.querySelector("img.msg-image") as HTMLImageElement | null)?.naturalWidth === 320);
    // Progress: every progressbar state the tray shows is recorded while a 2 MB PDF goes up.
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { progress: string[] }).progress = []);
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('[role="progressbar"]')) seen.push(bar.getAttribute("aria-valuenow") ?? "");
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"] });
    });
    const pdf = join(tmp, "型錄.pdf");
    await writeFile(pdf, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(2 * 1024 * 1024, 0x20), Buffer.from("\n%%EOF\n")]));
    await pick("檔案", pdf);
    await visible(messages(page).getByRole("link", { name: "型錄.pdf" }));
    expect((await page.evaluate(() => (window as unknown as { progress: string[] }).progress)).length).toBeGreaterThan(0);
    await pick("檔案", { name: "訂單明細.csv", mimeType: "text/csv", buffer: Buffer.from("單號,金額\nA001,1200\n") });
    await visible(messages(page).getByRole("link", { name: "訂單明細.csv" }));
    await visible(messages(page).locator(".msg-out").last().locator(".msg-status", { hasText: "已送出" }));
    await clearToasts(page);
    await screenshot(page, "conversation");
  });

  it("PROF-2, PROF-4, PROF-10, PROF-11, PROF-14: edits the customer panel: profile with the pencil, tags with type-ahead and repeat confirmation, the eye icon, the block switch", async () => {
    const panel = page.getByRole("complementary", { name: "客戶資料" });
    await panel.getByRole("button", { name: "編輯客戶資料" }).click();
    await panel.getByLabel("郵件").fill("not-an-email");
    await panel.getByRole("button", { name: "儲存" }).click();
    await visible(panel.getByText("請輸入正確的電子郵件地址"));
    await panel.getByLabel("郵件").fill("lin@example.com");
    await panel.getByLabel("電話").fill("0912-345-678");
    await panel.getByLabel("備註").fill("偏好下午聯絡");
    await panel.getByRole("button", { name: "儲存" }).click();
    await visible(panel.getByText("lin@example.com"));
    await visible(panel.getByText("0912-345-678"));

    const tagInput = panel.getByRole("combobox", { name: "新增標籤" });
    await tagInput.fill("VIP");
    await tagInput.press("Enter");
    await visible(panel.locator(".tag-chip", { hasText: "VIP" }));
    await tagInput.fill("VI");
    await panel.getByRole("option", { name: "VIP" }).click();
    const confirm = page.getByRole("dialog", { name: "要再次貼上此標籤嗎?" });
    await visible(confirm.getByText("標籤名稱:VIP"));
    await confirm.getByRole("button", { name: "確定" }).click();
    await visible(panel.locator(".tag-chip", { hasText: "×2" }));
    await tagInput.fill("退貨");
    await tagInput.press("Enter");
    await visible(panel.locator(".tag-chip", { hasText: "退貨" }));
    await panel.getByRole("button", { name: "移除標籤 退貨" }).click();
    await hidden(panel.locator(".tag-chip", { hasText: "退貨" }));
    expect(await panel.getByRole("button", { name: "導出對話" }).count()).toBe(0); // administrators only (PROF-38)
    await clearToasts(page);
    await screenshot(panel, "customer-panel");

    await panel.getByRole("button", { name: "隱藏客戶資料" }).click();
    await visible(panel.getByText("客戶資料已隱藏"));
    expect(await panel.getByText("lin@example.com").count()).toBe(0);
    await panel.getByRole("button", { name: "顯示客戶資料" }).click();
    await visible(panel.getByText("lin@example.com"));

    const active = panel.getByRole("switch", { name: "狀態功能:有效" });
    expect(await active.isChecked()).toBe(true);
    await active.click({ force: true });
    await visible(page.getByText("此客人已被封鎖,開啟「狀態功能:有效」後才能回覆。"));
    expect(await page.getByRole("textbox", { name: "回覆訊息" }).isDisabled()).toBe(true);
    await active.click({ force: true });
    await page.waitForFunction(() => !(document.querySelector(".composer textarea") as HTMLTextAreaElement).disabled);
  });

  it("searches by customer data and opens the result", async () => {
    await page.getByRole("button", { name: "搜尋對話" }).click();
    const search = page.getByRole("search", { name: "搜尋對話" });
    await search.getByRole("searchbox").fill("林");
    await visible(search.getByText("找到 1 個對話"));
    await search.getByRole("combobox", { name: "搜尋欄位" }).selectOption("phone");
    await search.getByRole("searchbox").fill("0912345678");
    await visible(search.locator("[role=listitem]", { hasText: "林小姐" }));
    await clearToasts(page);
    await screenshot(page, "search");
    await search.locator("[role=listitem]", { hasText: "林小姐" }).locator(".row-main").click();
    await page.waitForURL(new RegExp(`/inbox/my_processing/${linId}$`));
    await search.getByRole("button", { name: "關閉搜尋" }).click();
  });

  it("transfers to another agent, who closes and reopens it in a second browser context", async () => {
    await page.getByRole("button", { name: "移轉", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "移轉事件" });
    await dialog.getByRole("searchbox").fill("陳");
    await hidden(dialog.getByRole("radio", { name: /系統管理員/ })); // member search (VIEW-44)
    await dialog.getByRole("radio", { name: /陳美麗/ }).check();
    await clearToasts(page);
    await screenshot(page, "transfer-dialog");
    await dialog.getByRole("button", { name: "移轉事件" }).click();
    await dialog.getByRole("button", { name: "確定" }).click();
    await visible(toast(page, "已移轉對話"));
    await hidden(row(page, "林小姐"));

    const ctx2 = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-TW", timezoneId: "Asia/Taipei" });
    ctx2.setDefaultTimeout(WAIT);
    try {
      const mei = await ctx2.newPage();
      mei.on("dialog", (d) => (dialogs.push(d.message()), void d.dismiss()));
      await login(mei, "mei@sunny.test");
      await mei.getByRole("link", { name: /我的處理中/ }).click();
      await row(mei, "林小姐").locator(".row-main").click();
      await visible(messages(mei).getByText("您好林小姐,請提供訂單編號", { exact: false }));
      await mei.getByRole("button", { name: "✓ 結束" }).click();
      await visible(toast(mei, "已結束對話"));
      await mei.getByRole("button", { name: "重啟" }).click();
      await visible(toast(mei, "已重啟對話"));
      await mei.waitForURL(new RegExp(`/inbox/my_processing/${linId}$`));
      await visible(mei.getByRole("button", { name: "✓ 結束" }));
    } finally {
      await ctx2.close();
    }
  });

  it("VIEW-42: selects three pending conversations (已選擇 3 筆) and batch-closes them: 成功結束 3 筆,失敗 0 筆", async () => {
    await page.getByRole("link", { name: /待處理 - 真人客服/ }).click();
    await clearToasts(page);
    for (const name of ["張先生", "李小姐", "黃先生"]) await page.getByRole("checkbox", { name: `選取 ${name}` }).check();
    await visible(page.getByText("已選擇 3 筆"));
    await page.getByRole("toolbar", { name: "批量動作" }).getByRole("button", { name: "結束" }).click();
    await visible(toast(page, "成功結束 3 筆,失敗 0 筆"));
    await screenshot(page, "batch-result");
    for (const name of ["張先生", "李小姐", "黃先生"]) await hidden(row(page, name));
  });

  it("shows hostile names and messages as text", async () => {
    hostileId = (await say("u-evil", HOSTILE_NAME, HOSTILE_TEXT)).conversationId;
    await visible(row(page, HOSTILE_NAME));
    await row(page, HOSTILE_NAME).locator(".row-main").click();
    await visible(messages(page).getByText(HOSTILE_TEXT, { exact: true }));
    await visible(page.getByRole("heading", { name: HOSTILE_NAME, level: 2 }));
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => [...document.scripts].some((s) => s.textContent?.includes("alert(2)")))).toBe(false);
    expect(dialogs).toEqual([]);
  });

  it("shows 重新連線 while the server restarts, then catches up once", async () => {
    const chou = await say("u-chou", "周小姐", "請問禮盒還有貨嗎?");
    await row(page, "周小姐").locator(".row-main").click();
    await page.waitForURL(new RegExp(`/inbox/pending_human/${chou.conversationId}$`));
    await visible(messages(page).getByText("請問禮盒還有貨嗎?"));
    await clearToasts(page);
    await app.close();
    const banner = page.getByRole("alert").filter({ hasText: "連線已中斷" });
    await visible(banner);
    await visible(banner.getByRole("button", { name: "重新連線" }));
    expect(await page.getByRole("textbox", { name: "回覆訊息" }).isDisabled()).toBe(true);
    await screenshot(page, "reconnect-banner");

    // Same port, same database; a message arrives before the console is connected again.
    app = await createServerApp(config);
    const late = await app.server.inject({
      method: "POST",
      url: `/api/channels/${w.channelId}/inbound`,
      headers: { authorization: `Bearer ${w.integration}` },
      payload: { userId: "u-chou", displayName: "周小姐", messageId: "m-while-down", text: "斷線期間傳來的訊息" },
    });
    expect(late.statusCode).toBe(201);
    await app.listen();

    await banner.getByRole("button", { name: "重新連線" }).click({ timeout: 3000 }).catch(() => {}); // it may have reconnected by itself
    await hidden(banner, 15_000);
    const caughtUp = messages(page).getByText("斷線期間傳來的訊息");
    await visible(caughtUp);
    await visible(row(page, "周小姐").getByText("斷線期間傳來的訊息"));
    await page.waitForTimeout(500); // any late refetch or event would add a duplicate now
    expect(await caughtUp.count()).toBe(1);
    expect(await messages(page).getByText("請問禮盒還有貨嗎?").count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("ADV-20, ADV-25: shows Messenger's reply-window hints above the composer and disables it after 7 days", async () => {
    const pageId = "sunny-page";
    const appSecret = "messenger-app-secret";
    const ch = await http("POST", "/api/channels", {
      token: w.admin,
      body: { platform: "messenger", name: "晴天 Facebook", externalId: pageId, credentials: { accessToken: "page-token", appSecret, verifyToken: "verify", pageId, graphBaseUrl: "http://127.0.0.1:9" } },
    });
    expect(ch.status).toBe(201);
    const at = Date.parse((await http("GET", "/api/test/clock")).body.now);
    const raw = JSON.stringify({ object: "page", entry: [{ id: pageId, time: at, messaging: [{ sender: { id: "psid-wu" }, recipient: { id: pageId }, timestamp: at, message: { mid: "mid-wu-1", text: "這件外套有 M 號嗎?" } }] }] });
    const hook = await fetch(`${base}/webhooks/meta/${ch.body.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}` },
      body: raw,
    });
    expect(hook.status).toBe(200);
    // Messenger sends no name with the message: the team names the customer.
    const found = await http("GET", `/api/conversations/search?message=${encodeURIComponent("外套")}`, { token: w.admin });
    expect((await http("PATCH", `/api/contacts/${found.body.items[0].contact.id}`, { token: w.admin, body: { name: "吳先生" } })).status).toBe(200);
    await row(page, "這件外套有 M 號嗎?").locator(".row-main").click();
    await visible(page.getByRole("heading", { name: "吳先生", level: 2 }));
    const box = page.getByRole("textbox", { name: "回覆訊息" });
    await visible(messages(page).getByText("這件外套有 M 號嗎?"));
    expect(await page.locator(".window-hint").count()).toBe(0);
    expect(await box.isDisabled()).toBe(false);

    await http("POST", "/api/test/clock", { body: { advanceMinutes: 25 * 60 } });
    await page.reload();
    await visible(page.getByRole("note").filter({ hasText: "此用戶的訊息已超過24小時,只能傳送「非推廣性質」的訊息" }));
    expect(await box.isDisabled()).toBe(false);
    await screenshot(page, "reply-window");

    await http("POST", "/api/test/clock", { body: { advanceMinutes: 7 * 24 * 60 } });
    await page.reload();
    await visible(page.getByRole("note").filter({ hasText: "無法傳送訊息,你已經超過Facebook的對話限制" }));
    expect(await box.isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "傳送圖片、影片、音訊或檔案" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "插入變數" }).isDisabled()).toBe(true);
  });

  it("MEDIA-12: a file sent 1:1 on LINE shows 下載期限 in the viewer's time", async () => {
    const secret = "line-channel-secret";
    const ch = await http("POST", "/api/channels", {
      token: w.admin,
      body: { platform: "line", name: "晴天 LINE", externalId: "U0000000000000000000000000000line", credentials: { channelSecret: secret, channelAccessToken: "line-token", apiBaseUrl: "http://127.0.0.1:9" } },
    });
    expect(ch.status).toBe(201);
    const at = Date.parse((await http("GET", "/api/test/clock")).body.now);
    const event = {
      type: "message",
      mode: "active",
      timestamp: at,
      source: { type: "user", userId: "U1234567890abcdef1234567890abcdef" },
      webhookEventId: "01JLINEBROWSERTEST000000001",
      deliveryContext: { isRedelivery: false },
      replyToken: "reply-token-1",
      message: { id: "600000000000000001", type: "text", text: "可以寄保固書給我嗎?", quoteToken: "q1" },
    };
    const raw = JSON.stringify({ destination: "U0000000000000000000000000000line", events: [event] });
    const hook = await fetch(`${base}/webhooks/line/${ch.body.id}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "x-line-signature": createHmac("sha256", secret).update(raw).digest("base64") },
      body: raw,
    });
    expect(hook.status).toBe(200);
    const found = await http("GET", `/api/conversations/search?message=${encodeURIComponent("保固書")}`, { token: w.admin });
    expect((await http("PATCH", `/api/contacts/${found.body.items[0].contact.id}`, { token: w.admin, body: { name: "鄭小姐" } })).status).toBe(200);
    await row(page, "可以寄保固書給我嗎?").locator(".row-main").click();
    await visible(page.getByRole("heading", { name: "鄭小姐", level: 2 }));
    await page.getByRole("button", { name: "跟進", exact: true }).click();
    await page.waitForURL(/\/inbox\/my_processing\//);

    await page.getByRole("button", { name: "傳送圖片、影片、音訊或檔案" }).click();
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("menuitem", { name: "檔案", exact: true }).click()]);
    await chooser.setFiles({ name: "保固書.txt", mimeType: "text/plain", buffer: Buffer.from("保固期間:一年\n") });
    const card = messages(page).locator(".file-card", { hasText: "保固書.txt" });
    await visible(card);
    const items = (await http("GET", `/api/conversations/${found.body.items[0].id}/messages`, { token: w.admin })).body.items;
    const expires = items.find((m: { kind: string }) => m.kind === "file").mediaExpiresAt as string;
    const p = Object.fromEntries(
      new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Taipei", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(expires)).map((x) => [x.type, x.value]),
    );
    await visible(card.getByText(`下載期限:${p.month}/${p.day} ${p.hour}:${p.minute}`));
  });

  it("PROF-35..PROF-38: an administrator exports the conversation as CSV and sees 最後導出時間; the console also speaks English", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-TW", timezoneId: "Asia/Taipei" });
    ctx.setDefaultTimeout(WAIT);
    try {
      const admin = await ctx.newPage();
      await login(admin, "admin@sunny.test");
      await row(admin, "吳先生").locator(".row-main").click();
      const panel = admin.getByRole("complementary", { name: "客戶資料" });
      await visible(panel.getByText("最後導出時間:尚未導出"));
      const [download] = await Promise.all([admin.waitForEvent("download"), panel.getByRole("button", { name: "導出對話" }).click()]);
      expect(download.suggestedFilename()).toMatch(/^conversation-.*\.csv$/);
      const csv = await readFile((await download.path())!, "utf8");
      expect(csv.startsWith("\uFEFF時間,由誰發出,名字,對話內容")).toBe(true);
      expect(csv).toContain("這件外套有 M 號嗎?");
      await hidden(panel.getByText("最後導出時間:尚未導出"));
      await visible(panel.getByText(/最後導出時間:\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/));
      // By email (PROF-35): this server has no SMTP, and says so.
      await panel.getByRole("button", { name: "以 Email 導出" }).click();
      await visible(admin.locator(".toast-error", { hasText: "SMTP_URL" }));

      await admin.getByRole("combobox", { name: "語言" }).selectOption("en");
      await visible(admin.getByRole("complementary", { name: "Customer profile" }).getByRole("button", { name: "Export conversation" }));
      await visible(admin.getByRole("button", { name: "Send an image, video, audio or file" }));
      await visible(admin.getByRole("note").filter({ hasText: "Cannot send: you have exceeded Facebook's conversation limit" }));
      await visible(admin.getByRole("switch", { name: "Status: active" }));
      await visible(admin.getByRole("button", { name: "Search conversations" }));
    } finally {
      await ctx.close();
    }
  });
});

/** A product photo drawn on a canvas in the page (a real PNG, no file needed). */
async function productPhoto(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement("canvas");
    c.width = 320;
    c.height = 200;
    const g = c.getContext("2d")!;
    const bg = g.createLinearGradient(0, 0, 320, 200);
    bg.addColorStop(0, "#fef3c7");
    bg.addColorStop(1, "#fde68a");
    g.fillStyle = bg;
    g.fillRect(0, 0, 320, 200);
    g.fillStyle = "#b45309";
    g.fillRect(96, 58, 128, 100);
    g.fillStyle = "#dc2626";
    g.fillRect(152, 58, 16, 100);
    g.fillRect(96, 100, 128, 16);
    g.fillStyle = "#78350f";
    g.font = "bold 18px sans-serif";
    g.textAlign = "center";
    g.fillText("訂單 A001 · 禮盒", 160, 186);
    return c.toDataURL("image/png");
  });
  return Buffer.from(dataUrl.split(",")[1], "base64");
}
