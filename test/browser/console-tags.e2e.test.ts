/**
 * The console's two tag views, in Chromium against a real server (see
 * console-support.ts): 「標籤頻次」 in the customer panel lists each tag's
 * count and last time for the customer, filtered by tagging time, and counts
 * again after a repeated tagging (PROF-16, PROF-17); the team's tag export
 * (PROF-18..PROF-24) for 客服經理 refuses more than 30 days before asking the
 * server and downloads 貼標統計數據 and 貼標逐筆紀錄 as UTF-8 CSV with a BOM;
 * agents do not see it (PROF-22).
 *
 * The server's test clock is set to March 2031 (Asia/Taipei, like the
 * browser): taggings on 2/20, 3/2 and 3/20, so the day filters have
 * something to tell apart.
 *
 * Skipped when /usr/bin/chromium is missing, except under CI=true.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import type { App } from "../../src/app.js";
import { MAX_EXPORT_DAYS } from "../../src/usecases/export-tags.js";
import { MAX_TAG_EXPORT_DAYS } from "../../web/src/domain.js";
import { CHROMIUM, WAIT, createServerApp, ensureConsoleBuilt, freePort, hidden, httpClient, launchChromium, screenshot, serverConfig, visible } from "./console-support.js";

const hasChromium = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";
const PASSWORD = "tags-pass-1";
const CSV_NOTE = "匯出CSV檔案範例 (建議使用 Google Sheet 開啟 CSV 檔案,避免因非 UTF-8 encoding 版本呈現亂碼的問題)";
const TOO_LONG = "目前最多僅能選擇30天的資料匯出";

describe.skipIf(!hasChromium && !inCI)("console tag frequency and tag export in Chromium", () => {
  let app: App;
  let base = "";
  let tmp = "";
  let browser: Browser;
  const http = httpClient(() => base);
  const pageErrors: string[] = [];
  const w = { admin: "", integration: "", channelId: "", chang: { conversation: "", contact: "" }, lin: { conversation: "", contact: "" } };

  const setClock = async (iso: string) => expect((await http("POST", "/api/test/clock", { body: { set: iso } })).status).toBe(200);
  const token = async (email: string) => (await http("POST", "/api/auth/login", { body: { email, password: PASSWORD } })).body.token as string;
  const customer = async (userId: string, displayName: string, text: string) => {
    const r = await http("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body: { userId, displayName, messageId: `m-${userId}`, text } });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    const conversation = r.body.conversationId as string;
    const contact = (await http("GET", `/api/conversations/${conversation}`, { token: w.admin })).body.contact.id as string;
    return { conversation, contact };
  };
  /** 王小明 tags the customer through the API at the server's current time (a repeat is confirmed). */
  const tag = async (who: { conversation: string; contact: string }, name: string) => {
    const agent = await token("ming@tags.test"); // sessions last 14 days of the moving clock
    const r = await http("POST", `/api/contacts/${who.contact}/tags`, { token: agent, body: { name, conversationId: who.conversation, confirmRepeat: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  async function signedIn(email: string): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-TW", timezoneId: "Asia/Taipei", acceptDownloads: true });
    ctx.setDefaultTimeout(WAIT);
    const page = await ctx.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(base + "/");
    await page.getByLabel("電子郵件").fill(email);
    await page.getByLabel("密碼").fill(PASSWORD);
    await page.getByRole("button", { name: "登入" }).click();
    await visible(page.getByRole("navigation", { name: "對話分類" }));
    return { ctx, page };
  }

  /** The 標籤頻次 table as [tag, count, last applied] rows; none while it shows no table. */
  const frequencyRows = (dialog: Locator) =>
    dialog.locator("table tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())));

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`Chromium is required at ${CHROMIUM} when CI=true (apt-get install chromium)`);
    await ensureConsoleBuilt();
    tmp = mkdtempSync(join(tmpdir(), "parley-tags-"));
    const config = serverConfig(await freePort(), join(tmp, "db"));
    app = await createServerApp(config);
    await app.listen();
    base = config.publicUrl;

    await setClock("2031-02-20T10:00:00+08:00");
    const ws = await http("POST", "/api/workspaces", { body: { name: "晴天生活百貨", admin: { email: "admin@tags.test", password: PASSWORD, name: "系統管理員" } } });
    expect(ws.status).toBe(201);
    w.admin = await token("admin@tags.test");
    for (const [email, name, role] of [
      ["ming@tags.test", "王小明", "agent"],
      ["hua@tags.test", "李經理", "cs_manager"],
    ]) {
      const m = await http("POST", "/api/members", { token: w.admin, body: { email, name, role, password: PASSWORD } });
      expect(m.status, JSON.stringify(m.body)).toBe(201);
    }
    w.integration = (await http("POST", "/api/tokens", { token: w.admin, body: { name: "integration" } })).body.token;
    const ch = await http("POST", "/api/channels", { token: w.admin, body: { platform: "api", name: "官網客服 API" } });
    expect(ch.status).toBe(201);
    w.channelId = ch.body.id;
    w.chang = await customer("u-chang", "張先生", "請問週末有營業嗎?");
    w.lin = await customer("u-lin", "林小姐", "想團購禮盒");

    await tag(w.lin, "團購"); // 2/20: before the export range below
    await setClock("2031-03-02T10:00:00+08:00");
    await tag(w.chang, "VIP");
    await tag(w.chang, "退貨");
    await tag(w.lin, "團購");
    await setClock("2031-03-20T10:00:00+08:00");
    await tag(w.chang, "VIP");
    await tag(w.lin, "團購");
    w.admin = await token("admin@tags.test");

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("PROF-16, PROF-17: 標籤頻次 lists each tag's count and filters by tagging time; a removed tag still counts and a repeated tagging adds one", async () => {
    const { ctx, page } = await signedIn("ming@tags.test");
    try {
      await page.getByRole("link", { name: /待處理 - 真人客服/ }).click();
      await page.locator(".list-column [role=listitem]").filter({ hasText: "張先生" }).locator(".row-main").click();
      const panel = page.getByRole("complementary", { name: "客戶資料" });
      await visible(panel.locator(".tag-chip", { hasText: "VIP" }));

      // PROF-17: removing 退貨 keeps its record for the frequency.
      await panel.getByRole("button", { name: "移除標籤 退貨" }).click();
      await hidden(panel.locator(".tag-chip", { hasText: "退貨" }));

      await panel.getByRole("button", { name: "標籤頻次" }).click();
      const dialog = page.getByRole("dialog", { name: "標籤頻次" });
      await visible(dialog.getByRole("table", { name: "各標籤的貼標次數" }));
      await visible(dialog.getByText("未選擇日期:顯示所有時間的貼標次數")); // the default: all time (PROF-17)
      expect(await dialog.getByLabel("開始日期", { exact: true }).inputValue()).toBe("");
      expect(await dialog.getByLabel("結束日期", { exact: true }).inputValue()).toBe("");
      await expect.poll(() => frequencyRows(dialog)).toEqual([
        ["VIP", "2", "2031/03/20 10:00"],
        ["退貨", "1", "2031/03/02 10:00"],
      ]);
      await screenshot(dialog.locator(".modal-frame"), "tag-frequency");

      // From 3/15: only the VIP of 3/20.
      await dialog.getByLabel("開始日期", { exact: true }).fill("2031-03-15");
      await expect.poll(() => frequencyRows(dialog)).toEqual([["VIP", "1", "2031/03/20 10:00"]]);
      // Up to 3/10 (from cleared): the taggings of 3/2.
      await dialog.getByLabel("開始日期", { exact: true }).fill("");
      await dialog.getByLabel("結束日期", { exact: true }).fill("2031-03-10");
      await expect.poll(() => frequencyRows(dialog)).toEqual([
        ["VIP", "1", "2031/03/02 10:00"],
        ["退貨", "1", "2031/03/02 10:00"],
      ]);
      // A day range with no tagging.
      await dialog.getByLabel("開始日期", { exact: true }).fill("2031-03-05");
      await dialog.getByLabel("結束日期", { exact: true }).fill("2031-03-10");
      await visible(dialog.getByText("此期間沒有貼標紀錄"));
      // Cleared: all time again.
      await dialog.getByRole("button", { name: "清除日期" }).click();
      await expect.poll(() => frequencyRows(dialog)).toHaveLength(2);
      await dialog.getByRole("button", { name: "關閉" }).click();
      await hidden(dialog);

      // PROF-14: applying VIP again (confirmed) two hours later; the frequency follows.
      await http("POST", "/api/test/clock", { body: { set: "2031-03-20T12:00:00+08:00" } });
      const tagInput = panel.getByRole("combobox", { name: "新增標籤" });
      await tagInput.fill("VIP");
      await tagInput.press("Enter");
      const confirm = page.getByRole("dialog", { name: "要再次貼上此標籤嗎?" });
      await confirm.getByRole("button", { name: "確定" }).click();
      await visible(panel.locator(".tag-chip", { hasText: "×3" }));
      await panel.getByRole("button", { name: "標籤頻次" }).click();
      await expect.poll(() => frequencyRows(dialog)).toEqual([
        ["VIP", "3", "2031/03/20 12:00"],
        ["退貨", "1", "2031/03/02 10:00"],
      ]);

      // In English.
      await dialog.getByRole("button", { name: "關閉" }).click();
      await page.getByRole("combobox", { name: "語言" }).selectOption("en");
      await page.getByRole("complementary", { name: "Customer profile" }).getByRole("button", { name: "Tag frequency" }).click();
      const en = page.getByRole("dialog", { name: "Tag frequency" });
      await visible(en.getByRole("columnheader", { name: "Times applied" }));
      await visible(en.getByText("No dates picked: counts from all time"));
      await en.getByRole("button", { name: "Close" }).click();
      await page.getByRole("combobox", { name: "Language" }).selectOption("zh-TW");
      expect(pageErrors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it("PROF-19, PROF-22: the tag export refuses more than 30 days with 「目前最多僅能選擇30天的資料匯出」 and downloads statistics and records as CSV (UTF-8 BOM)", async () => {
    expect(MAX_TAG_EXPORT_DAYS).toBe(MAX_EXPORT_DAYS); // the dialog's limit is the server's
    const { ctx, page } = await signedIn("hua@tags.test");
    const exportRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/tags/export.csv")) exportRequests.push(r.url());
    });
    try {
      await page.getByRole("button", { name: "匯出標籤資料" }).click();
      const dialog = page.getByRole("dialog", { name: "匯出標籤資料" });
      await visible(dialog.getByText(CSV_NOTE, { exact: true })); // PROF-20
      await visible(dialog.getByRole("radio", { name: "貼標統計數據" }));
      await visible(dialog.getByRole("radio", { name: "貼標逐筆紀錄" }));
      expect(await dialog.getByRole("radio", { name: "貼標統計數據" }).isChecked()).toBe(true);
      const submit = dialog.getByRole("button", { name: "匯出", exact: true });

      // 3/1..3/31 is 31 days: refused in the dialog, no request.
      await dialog.getByLabel("開始日期", { exact: true }).fill("2031-03-01");
      await dialog.getByLabel("結束日期", { exact: true }).fill("2031-03-31");
      await visible(dialog.getByRole("alert").filter({ hasText: TOO_LONG }));
      expect(await submit.isDisabled()).toBe(true);
      await submit.click({ force: true }).catch(() => {});
      await screenshot(dialog.locator(".modal-frame"), "tag-export-too-long");
      expect(exportRequests).toEqual([]);

      // 3/1..3/30 is 30 days: allowed.
      await dialog.getByLabel("結束日期", { exact: true }).fill("2031-03-30");
      await hidden(dialog.getByRole("alert"));
      expect(await submit.isDisabled()).toBe(false);
      const [stats] = await Promise.all([page.waitForEvent("download"), submit.click()]);
      expect(stats.suggestedFilename()).toBe("tags-statistics.csv");
      const statsBytes = await readFile((await stats.path())!);
      expect([...statsBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // PROF-24: UTF-8 with a BOM
      const statsLines = statsBytes.subarray(3).toString("utf8").trim().split("\r\n");
      expect(statsLines[0]).toBe("標籤,貼標次數");
      expect(statsLines).toContain("團購,2"); // 3/2 and 3/20; the 2/20 tagging is outside the range
      expect(statsLines).toContain("退貨,1");
      expect(statsLines.some((l) => /^VIP,\d+$/.test(l))).toBe(true);
      await visible(page.locator(".toast").filter({ hasText: "已匯出 CSV 檔案" }));

      // 貼標逐筆紀錄: one row per tagging with the customer, channel, method and actor (PROF-23).
      await dialog.getByRole("radio", { name: "貼標逐筆紀錄" }).check();
      const [records] = await Promise.all([page.waitForEvent("download"), submit.click()]);
      expect(records.suggestedFilename()).toBe("tags-records.csv");
      const recordBytes = await readFile((await records.path())!);
      expect([...recordBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const recordLines = recordBytes.subarray(3).toString("utf8").trim().split("\r\n");
      expect(recordLines[0]).toBe("時間,客人名稱,客人ID,渠道,標籤,方式,貼標者");
      const linRows = recordLines.filter((l) => l.includes("團購"));
      expect(linRows).toHaveLength(2);
      for (const l of linRows) expect(l.split(",").slice(1)).toEqual(["林小姐", w.lin.contact, "官網客服 API", "團購", "手動", "王小明"]);
      expect(recordLines.some((l) => l.startsWith("2031-02-20"))).toBe(false);
      expect(recordLines.some((l) => l.includes("張先生") && l.includes("退貨"))).toBe(true);
      expect(exportRequests).toHaveLength(2);

      // English texts.
      await dialog.getByRole("button", { name: "關閉" }).click();
      await page.getByRole("combobox", { name: "語言" }).selectOption("en");
      await page.getByRole("button", { name: "Export tag data" }).click();
      const en = page.getByRole("dialog", { name: "Export tag data" });
      await visible(en.getByRole("radio", { name: "Per-record tagging log" }));
      await en.getByLabel("From", { exact: true }).fill("2031-01-01");
      await en.getByLabel("To", { exact: true }).fill("2031-03-30");
      await visible(en.getByRole("alert").filter({ hasText: "At most 30 days of data can currently be exported" }));
      await en.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("combobox", { name: "Language" }).selectOption("zh-TW");
      expect(exportRequests).toHaveLength(2);
      expect(pageErrors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it("PROF-22: agents do not see the tag export", async () => {
    const { ctx, page } = await signedIn("ming@tags.test");
    try {
      await visible(page.getByRole("button", { name: "登出" }));
      expect(await page.getByRole("button", { name: "匯出標籤資料" }).count()).toBe(0);
      // And the server refuses them too.
      const r = await page.request.get(`${base}/api/tags/export.csv?type=statistics&from=2031-03-01T00:00:00%2B08:00&to=2031-03-30T00:00:00%2B08:00`);
      expect(r.status()).toBe(403);
    } finally {
      await ctx.close();
    }
    const manager = await signedIn("admin@tags.test");
    try {
      await visible(manager.page.getByRole("button", { name: "匯出標籤資料" }));
    } finally {
      await manager.ctx.close();
    }
  });
});
