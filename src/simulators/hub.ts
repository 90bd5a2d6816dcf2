/**
 * Test and demo mode: one platform simulator per LINE, Messenger, Instagram,
 * WhatsApp and WeChat channel, started from the channel's stored credentials
 * (missing secrets are generated and stored), with the channel's API base URL
 * pointed at it. The simulator posts its signed webhooks to this server over
 * loopback (http://127.0.0.1:<port>/webhooks/<platform>/<channelId>).
 *
 * A channel created with an explicit apiBaseUrl/graphBaseUrl is left alone
 * (the caller runs its own simulator). At start-up, channels of an earlier
 * run whose base URL is a loopback address get a new simulator.
 */
import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { AppContext } from "../context.js";
import { newId } from "../ids.js";
import { LineSimulator } from "../channels/line/simulator.js";
import { MetaSimulator } from "../channels/meta/simulator.js";
import { WhatsAppSimulator } from "../channels/whatsapp/simulator.js";
import { WeChatSimulator } from "../channels/wechat/simulator.js";

export const SIMULATED_PLATFORMS = ["line", "messenger", "instagram", "whatsapp", "wechat"] as const;
export type SimPlatform = (typeof SIMULATED_PLATFORMS)[number];
export const isSimulatedPlatform = (p: string): p is SimPlatform => (SIMULATED_PLATFORMS as readonly string[]).includes(p);

/** Credentials that point a channel at another platform host (see routes/channels.ts). */
const URL_KEYS = ["apiBaseUrl", "graphBaseUrl", "dataApiBaseUrl"] as const;
/** The webhook path of each platform (routes/webhooks.ts). */
const WEBHOOK_PATH: Record<SimPlatform, string> = { line: "line", messenger: "meta", instagram: "meta", whatsapp: "whatsapp", wechat: "wechat" };

export type AnySimulator =
  | { platform: "line"; sim: LineSimulator }
  | { platform: "messenger" | "instagram"; sim: MetaSimulator }
  | { platform: "whatsapp"; sim: WhatsAppSimulator }
  | { platform: "wechat"; sim: WeChatSimulator };

export type HubEntry = AnySimulator & {
  channelId: string;
  workspaceId: string;
  /** The caller's customer id → the platform user id the simulator uses, and the name given. */
  customers: Map<string, { platformUserId: string; name?: string }>;
  /** The caller's group id → LINE group id. */
  groups: Map<string, string>;
};

type Row = { id: string; workspace_id: string; platform: string; credentials: unknown };

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const parseCreds = (c: unknown): Record<string, unknown> => {
  if (typeof c === "string") {
    try {
      return JSON.parse(c) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return c && typeof c === "object" ? (c as Record<string, unknown>) : {};
};
const isLoopbackUrl = (u: string): boolean => {
  try {
    const h = new URL(u).hostname;
    return h === "127.0.0.1" || h === "localhost" || h === "[::1]" || h === "::1";
  } catch {
    return false;
  }
};

/** http://127.0.0.1:<port> of a listening server (loopback whatever address it is bound to), or null. */
export function loopbackOrigin(address: AddressInfo | string | null | undefined): string | null {
  if (!address || typeof address === "string") return null;
  const host = address.address === "::1" ? "[::1]" : "127.0.0.1";
  return `http://${host}:${address.port}`;
}

/** A stable platform user id for the caller's customer id (kept as is when it already has the platform's shape). */
export function platformUserIdFor(platform: SimPlatform, channelId: string, customerId: string): string {
  const digest = createHash("sha256").update(`${platform === "line" || platform === "whatsapp" ? platform : channelId}:${customerId}`).digest();
  const digits = (n: number) => {
    let s = "";
    for (let i = 0; s.length < n; i++) s += String(digest[i % digest.length] % 10);
    return s;
  };
  switch (platform) {
    case "line":
      return /^U[0-9a-f]{32}$/.test(customerId) ? customerId : `U${digest.toString("hex").slice(0, 32)}`;
    case "messenger":
    case "instagram":
      return /^[1-9]\d{5,19}$/.test(customerId) ? customerId : `1${digits(15)}`;
    case "whatsapp":
      return /^[1-9]\d{5,14}$/.test(customerId) ? customerId : `8869${digits(8)}`;
    case "wechat":
      return /^o[A-Za-z0-9_-]{27}$/.test(customerId) ? customerId : `o${digest.toString("base64url").slice(0, 27)}`;
  }
}

export function lineGroupIdFor(groupId: string): string {
  return /^[CR][0-9a-f]{32}$/.test(groupId) ? groupId : `C${createHash("sha256").update(`line-group:${groupId}`).digest("hex").slice(0, 32)}`;
}

/**
 * When each customer last wrote, as the Meta and WhatsApp simulators keep it (it
 * opens the messaging window). Only the simulators' own customer helpers update
 * it; the kinds they do not offer are built by the hub (drive.ts), which opens
 * the window the same way.
 */
export function customerWindows(sim: MetaSimulator | WhatsAppSimulator): Map<string, number> {
  const m = (sim as unknown as Record<string, unknown>).lastInbound;
  if (!(m instanceof Map)) throw new Error("simulator has no lastInbound map");
  return m as Map<string, number>;
}

export interface HubOptions {
  /** http://127.0.0.1:<port> of this server once it listens (null before). */
  webhookOrigin: () => string | null;
}

export class SimulatorHub {
  private readonly entries = new Map<string, HubEntry>();
  private readonly starting = new Map<string, Promise<HubEntry | null>>();
  /** Bumped by reset(): a simulator that finishes starting after a reset is closed at once. */
  private generation = 0;
  private closed = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly o: HubOptions,
  ) {}

  list(): HubEntry[] {
    return [...this.entries.values()];
  }

  get(channelId: string): HubEntry | undefined {
    return this.entries.get(channelId);
  }

  /** http://127.0.0.1:<port> of this server, once it listens. */
  origin(): string | null {
    return this.o.webhookOrigin();
  }

  webhookUrl(e: { platform: SimPlatform; channelId: string }): string | null {
    const origin = this.o.webhookOrigin();
    return origin ? `${origin}/webhooks/${WEBHOOK_PATH[e.platform]}/${e.channelId}` : null;
  }

  /** Points the simulator at this server's webhook (the port is known once the server listens). */
  aim(e: HubEntry): void {
    const url = this.webhookUrl(e);
    if (!url) throw new Error("the server is not listening yet: simulators cannot post webhooks to it");
    e.sim.webhookUrl = url;
  }

  /**
   * The channel-created hook (routes/channels.ts): starts a simulator unless the
   * credentials already point the channel elsewhere; returns what to add to them.
   */
  async onChannelCreated(row: Row): Promise<Record<string, unknown> | void> {
    if (!isSimulatedPlatform(row.platform)) return;
    const creds = parseCreds(row.credentials);
    if (URL_KEYS.some((k) => creds[k] !== undefined)) return;
    const started = await this.start(row, creds);
    return started?.added;
  }

  /** Creates a channel served by a simulator (the demo driver). */
  async createChannel(workspaceId: string, platform: SimPlatform, name: string): Promise<HubEntry> {
    const id = newId();
    await this.ctx.db
      .insertInto("channels")
      .values({ id, workspace_id: workspaceId, platform, name, external_id: null, credentials: JSON.stringify({}), settings: JSON.stringify({}), created_at: this.ctx.clock.now() })
      .execute();
    const started = await this.start({ id, workspace_id: workspaceId, platform, credentials: {} }, {});
    if (!started) throw new Error("simulator hub is closed");
    await this.ctx.db.updateTable("channels").set({ credentials: JSON.stringify(started.added) }).where("id", "=", id).execute();
    return started.entry;
  }

  /**
   * The simulator of a channel, starting one for a channel that has none and no
   * platform URL of its own (created before the hub, or by the seed). A channel
   * pointed at another simulator by its creator gets none (undefined).
   */
  async ensure(channelId: string): Promise<HubEntry | undefined> {
    const have = this.entries.get(channelId);
    if (have) return have;
    const pending = this.starting.get(channelId);
    if (pending) return (await pending) ?? undefined;
    const row = await this.ctx.db.selectFrom("channels").select(["id", "workspace_id", "platform", "credentials"]).where("id", "=", channelId).executeTakeFirst();
    if (!row || !isSimulatedPlatform(row.platform)) return undefined;
    const creds = parseCreds(row.credentials);
    if (URL_KEYS.some((k) => creds[k] !== undefined)) return undefined;
    const started = await this.start(row, creds);
    if (!started) return undefined;
    await this.ctx.db.updateTable("channels").set({ credentials: JSON.stringify({ ...creds, ...started.added }) }).where("id", "=", channelId).execute();
    await this.restoreWindows(started.entry);
    return started.entry;
  }

  /** Start-up: channels whose base URL is a loopback address (a simulator of an earlier run) get a new one. */
  async adoptExisting(): Promise<number> {
    const rows = await this.ctx.db.selectFrom("channels").select(["id", "workspace_id", "platform", "credentials"]).where("platform", "in", [...SIMULATED_PLATFORMS]).where("active", "=", true).execute();
    let n = 0;
    for (const row of rows) {
      const creds = parseCreds(row.credentials);
      const urls = URL_KEYS.map((k) => creds[k]).filter((v): v is string => typeof v === "string");
      if (!urls.length || !urls.every(isLoopbackUrl)) continue;
      const rest = { ...creds };
      for (const k of URL_KEYS) delete rest[k];
      const started = await this.start(row, rest);
      if (!started) continue;
      await this.ctx.db.updateTable("channels").set({ credentials: JSON.stringify({ ...rest, ...started.added }) }).where("id", "=", row.id).execute();
      await this.restoreWindows(started.entry);
      n++;
    }
    return n;
  }

  /**
   * A new Meta or WhatsApp simulator only lets the inbox write to customers who have
   * written to it: customers of an earlier run are remembered from the database.
   */
  private async restoreWindows(e: HubEntry): Promise<void> {
    if (e.platform !== "messenger" && e.platform !== "instagram" && e.platform !== "whatsapp") return;
    const rows = await this.ctx.db
      .selectFrom("conversations as c")
      .innerJoin("contact_identities as i", "i.id", "c.identity_id")
      .select(["i.platform_user_id", "c.last_customer_message_at"])
      .where("c.channel_id", "=", e.channelId)
      .where("c.last_customer_message_at", "is not", null)
      .execute();
    const opened = customerWindows(e.sim);
    for (const r of rows) opened.set(r.platform_user_id, new Date(r.last_customer_message_at!).getTime());
  }

  /** POST /api/test/reset: every simulator is closed and forgotten (the channels are gone too). */
  async reset(): Promise<void> {
    this.generation++;
    const all = [...this.entries.values()];
    this.entries.clear();
    this.starting.clear();
    await Promise.all(all.map((e) => e.sim.close().catch(() => {})));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reset();
  }

  private start(row: Row, creds: Record<string, unknown>): Promise<{ entry: HubEntry; added: Record<string, unknown> } | null> {
    const gen = this.generation;
    const p = this.launch(row, creds).then(async (r) => {
      if (this.closed || gen !== this.generation) {
        await r.entry.sim.close().catch(() => {});
        return null;
      }
      this.entries.set(row.id, r.entry);
      return r;
    });
    const entryOnly = p.then((r) => r?.entry ?? null);
    this.starting.set(row.id, entryOnly);
    void entryOnly.finally(() => {
      if (this.starting.get(row.id) === entryOnly) this.starting.delete(row.id);
    }).catch(() => {});
    return p;
  }

  /** Starts the platform's simulator with the channel's secrets (generated when missing). */
  private async launch(row: Row, creds: Record<string, unknown>): Promise<{ entry: HubEntry; added: Record<string, unknown> }> {
    const now = () => this.ctx.clock.now();
    const added: Record<string, unknown> = {};
    /** The stored value, or a new one that is added to the credentials. */
    const secret = (key: string, make: () => string): string => {
      const v = str(creds[key]);
      if (v) return v;
      added[key] = make();
      return added[key] as string;
    };
    const base = { channelId: row.id, workspaceId: row.workspace_id, customers: new Map(), groups: new Map() };
    const platform = row.platform as SimPlatform;
    let entry: HubEntry;
    switch (platform) {
      case "line": {
        const sim = await LineSimulator.start({ channelSecret: secret("channelSecret", () => hex(16)), channelAccessToken: secret("channelAccessToken", () => randomBytes(32).toString("base64url")), now });
        added.apiBaseUrl = sim.baseUrl;
        entry = { ...base, platform, sim };
        break;
      }
      case "messenger":
      case "instagram": {
        const sim = await MetaSimulator.start({ platform, appSecret: secret("appSecret", () => hex(16)), accessToken: secret("accessToken", () => `EAA${randomBytes(30).toString("base64url")}`), pageId: str(creds.pageId), now });
        if (!str(creds.pageId)) added.pageId = sim.pageId;
        added.graphBaseUrl = sim.baseUrl;
        entry = { ...base, platform, sim };
        break;
      }
      case "whatsapp": {
        const sim = await WhatsAppSimulator.start({ appSecret: secret("appSecret", () => hex(16)), accessToken: secret("accessToken", () => `EAA${randomBytes(30).toString("base64url")}`), phoneNumberId: str(creds.phoneNumberId), now });
        if (!str(creds.phoneNumberId)) added.phoneNumberId = sim.phoneNumberId;
        added.graphBaseUrl = sim.baseUrl;
        entry = { ...base, platform, sim };
        break;
      }
      case "wechat": {
        const sim = await WeChatSimulator.start({ appId: secret("appId", () => `wx${hex(8)}`), appSecret: secret("appSecret", () => hex(16)), token: secret("token", () => hex(12)), now });
        added.apiBaseUrl = sim.baseUrl;
        entry = { ...base, platform, sim };
        break;
      }
    }
    const url = this.webhookUrl(entry);
    if (url) entry.sim.webhookUrl = url;
    return { entry, added };
  }
}
