/**
 * `npm run demo`: the demo workspace gets a LINE, a Messenger, an Instagram
 * and a WhatsApp channel, each served by its platform simulator, and every
 * few seconds a simulated customer writes a zh-TW message on one of them —
 * through the platform's real signed webhook, like a real customer. Replies
 * the agents send are read by the customer a little later (Messenger,
 * Instagram and WhatsApp receipts; LINE marks them read on the next message).
 * Bounded: stops after `maxMessages`, or when stopped.
 */
import type { AppContext } from "../context.js";
import { sendInbound, sendReceipts, type InboundKind } from "./drive.js";
import type { HubEntry, SimPlatform, SimulatorHub } from "./hub.js";

export const DEMO_CHANNELS: { platform: SimPlatform; name: string }[] = [
  { platform: "line", name: "LINE 官方帳號(模擬)" },
  { platform: "messenger", name: "Facebook 粉絲專頁(模擬)" },
  { platform: "instagram", name: "Instagram(模擬)" },
  { platform: "whatsapp", name: "WhatsApp(模擬)" },
];

const CUSTOMERS = [
  { id: "demo-lin", name: "林小姐" },
  { id: "demo-chen", name: "陳先生" },
  { id: "demo-wang", name: "王太太" },
  { id: "demo-chang", name: "張先生" },
  { id: "demo-lee", name: "李小姐" },
  { id: "demo-huang", name: "黃先生" },
  { id: "demo-wu", name: "吳小姐" },
  { id: "demo-liu", name: "劉先生" },
  { id: "demo-tsai", name: "蔡小姐" },
  { id: "demo-hsu", name: "許先生" },
];

const MESSAGES = [
  "請問你們的營業時間是幾點到幾點?",
  "我上週訂的商品還沒收到,可以幫我查一下嗎?",
  "請問這款還有現貨嗎?",
  "可以開統一編號的發票嗎?",
  "運費怎麼計算?滿多少免運?",
  "我想退貨,請問流程是什麼?",
  "週末有門市可以取貨嗎?",
  "請問可以用 LINE Pay 付款嗎?",
  "這件有 M 號嗎?想買兩件",
  "訂單編號 20240518-0032,想改寄送地址",
  "收到的商品有瑕疵,要怎麼換貨?",
  "請問會員點數怎麼使用?",
  "今天下單明天會到嗎?",
  "你好,我想詢問團購價格",
  "謝謝你們的協助!",
  "請問有提供禮品包裝嗎?",
  "信用卡分期有手續費嗎?",
  "我忘記會員密碼了,怎麼辦?",
  "請問台中有門市嗎?",
  "可以預約到店試穿嗎?",
  "上次買的很好用,想再回購",
  "優惠碼輸入後顯示無效,怎麼回事?",
];

/** Now and then a customer sends something other than text (LIFE-14 row 9). */
const OTHER_KINDS: Partial<Record<SimPlatform, InboundKind[]>> = {
  line: ["sticker", "image"],
  messenger: ["image", "sticker"],
  instagram: ["image"],
  whatsapp: ["image", "location"],
};

export interface DemoDriverOptions {
  /** Milliseconds between two customer messages. */
  intervalMs?: number;
  /** Stop after this many customer messages. */
  maxMessages?: number;
  log?: (line: string) => void;
  random?: () => number;
  /** The workspace to fill (default: the seeded demo workspace). */
  workspaceSlug?: string;
}

export interface DemoDriver {
  channels: { id: string; platform: SimPlatform; name: string; simulatorUrl: string }[];
  /** Customer messages sent so far. */
  readonly sent: number;
  stop(): Promise<void>;
}

/** The demo workspace's simulated channels: found again after a restart, created otherwise (through the hub). */
export async function ensureDemoChannels(ctx: AppContext, hub: SimulatorHub, workspaceSlug = "demo"): Promise<{ entry: HubEntry; name: string }[]> {
  const ws = await ctx.db.selectFrom("workspaces").select("id").where("slug", "=", workspaceSlug).executeTakeFirst();
  if (!ws) throw new Error(`demo: workspace "${workspaceSlug}" does not exist (seed it first)`);
  const out: { entry: HubEntry; name: string }[] = [];
  for (const c of DEMO_CHANNELS) {
    const row = await ctx.db.selectFrom("channels").select("id").where("workspace_id", "=", ws.id).where("platform", "=", c.platform).where("name", "=", c.name).executeTakeFirst();
    const entry = row ? await hub.ensure(row.id) : await hub.createChannel(ws.id, c.platform, c.name);
    if (entry) out.push({ entry, name: c.name });
  }
  return out;
}

export async function startDemoDriver(ctx: AppContext, hub: SimulatorHub, o: DemoDriverOptions = {}): Promise<DemoDriver> {
  const intervalMs = o.intervalMs ?? 5000;
  const maxMessages = o.maxMessages ?? 60;
  const log = o.log ?? (() => {});
  const random = o.random ?? Math.random;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const channels = await ensureDemoChannels(ctx, hub, o.workspaceSlug);
  const receipted = new Set<string>();
  let sent = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  /** Agents' replies that reached the customer are read a tick later. */
  const readReplies = async () => {
    for (const { entry } of channels) {
      if (entry.platform !== "messenger" && entry.platform !== "instagram" && entry.platform !== "whatsapp") continue;
      const ids = entry.sim.kit.sent.map((r) => r.platformMessageId!).filter((id) => !receipted.has(id));
      if (!ids.length) continue;
      ids.forEach((id) => receipted.add(id));
      if (entry.platform !== "instagram") await sendReceipts(entry, { platformMessageIds: ids, status: "delivered" });
      await sendReceipts(entry, { platformMessageIds: ids, status: "read" });
    }
  };

  const tick = async () => {
    if (stopped || !channels.length) return;
    try {
      await readReplies();
      const { entry, name } = pick(channels);
      hub.aim(entry);
      const customer = pick(CUSTOMERS);
      const other = OTHER_KINDS[entry.platform];
      const kind: InboundKind = other && random() < 0.15 ? pick(other) : "text";
      const text = pick(MESSAGES);
      const r = await sendInbound(ctx, entry, { customer, kind, ...(kind === "text" ? { text } : {}) });
      sent++;
      log(`[demo] ${name} ← ${customer.name}: ${kind === "text" ? text : `(${kind})`}${r.webhook.status === 200 ? "" : `  [webhook ${r.webhook.status}]`}`);
    } catch (e) {
      log(`[demo] a simulated customer could not write: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    if (sent >= maxMessages) {
      log(`[demo] ${sent} simulated messages sent; the simulated customers stop here (the simulators keep running)`);
      return;
    }
    timer = setTimeout(() => {
      running = tick().then(() => schedule(intervalMs));
    }, ms);
    timer.unref();
  };
  schedule(Math.min(1000, intervalMs));

  return {
    channels: channels.map(({ entry, name }) => ({ id: entry.channelId, platform: entry.platform, name, simulatorUrl: entry.sim.baseUrl })),
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
