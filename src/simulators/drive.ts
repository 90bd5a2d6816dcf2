/**
 * What the simulator control API asks of a platform simulator: a named
 * customer sends any inbound kind of the routing table (LIFE-14), LINE group
 * events, delivery/read receipts in the platform's own format, the record of
 * what the inbox sent, failures and holds. Each request becomes the webhook
 * the real platform would post, signed, over HTTP to this server.
 *
 * Refusals (a kind the platform does not have) are SimRefusal: the route
 * answers 400 with the reason.
 */
import { randomBytes } from "node:crypto";
import type { AppContext } from "../context.js";
import type { SimFailure, WebhookResult } from "../channels/simulator-kit.js";
import type { LineSimulator, LineEvent } from "../channels/line/simulator.js";
import type { MetaSimulator } from "../channels/meta/simulator.js";
import type { WhatsAppSimulator } from "../channels/whatsapp/simulator.js";
import type { WeChatSimulator } from "../channels/wechat/simulator.js";
import { customerWindows, lineGroupIdFor, platformUserIdFor, type HubEntry, type SimPlatform } from "./hub.js";

export class SimRefusal extends Error {
  constructor(
    message: string,
    readonly messageZh: string,
  ) {
    super(message);
  }
}

export const INBOUND_KINDS = [
  "text",
  "image",
  "video",
  "audio",
  "file",
  "sticker",
  "location",
  "rich_menu_bot_card",
  "rich_menu_text_inbox",
  "rich_menu_text_line_console",
  "community_code",
  "fb_get_started",
  "fb_persistent_menu",
  "follow",
  "unfollow",
] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

/** Which inbound kinds each platform can produce (LIFE-14 rows; follow = LINE follow / WeChat subscribe). */
export const KINDS_BY_PLATFORM: Record<SimPlatform, readonly InboundKind[]> = {
  line: ["text", "image", "video", "audio", "file", "sticker", "location", "rich_menu_bot_card", "rich_menu_text_inbox", "rich_menu_text_line_console", "community_code", "follow", "unfollow"],
  messenger: ["text", "image", "video", "audio", "file", "sticker", "location", "fb_get_started", "fb_persistent_menu"],
  instagram: ["text", "image", "video", "audio"],
  whatsapp: ["text", "image", "video", "audio", "file", "sticker", "location"],
  wechat: ["text", "image", "video", "audio", "location", "follow", "unfollow"],
};

export const FAILURE_KINDS = ["rate_limited", "server_error", "window_closed", "invalid_recipient", "lost_response"] as const;
/** LINE has no messaging window. */
export const FAILURES_BY_PLATFORM: Record<SimPlatform, readonly SimFailure[]> = {
  line: ["rate_limited", "server_error", "invalid_recipient", "lost_response"],
  messenger: FAILURE_KINDS,
  instagram: FAILURE_KINDS,
  whatsapp: FAILURE_KINDS,
  wechat: FAILURE_KINDS,
};

export interface InboundRequest {
  customer: { id: string; name?: string };
  kind: InboundKind;
  text?: string;
  quotedPlatformMessageId?: string;
  /** Postback data / payload (rich-menu and Facebook kinds); a default is used when absent. */
  payload?: string;
  /** The button's title (Facebook postbacks), a location's title, a file's name. */
  title?: string;
  mediaUrl?: string;
  fileName?: string;
  sticker?: { packageId?: string; stickerId?: string };
  location?: { latitude: number; longitude: number; title?: string; address?: string };
  /** The platform posts the same webhook again afterwards (a redelivery). */
  redeliver?: boolean;
}

export interface Posted {
  status: number;
  body: unknown;
}

export interface InboundResult {
  platform: SimPlatform;
  channelId: string;
  customer: { id: string; platformUserId: string; name?: string };
  kind: InboundKind;
  /** The customer's message id on the platform (to quote it, unsend it, …); absent for events without one. */
  platformMessageId?: string;
  /** The webhook's event ids (LINE webhookEventId; otherwise the message id). */
  platformEventIds: string[];
  webhook: Posted;
  redelivery?: Posted;
  /** Where the inbox filed it (read back after the webhook was answered). */
  conversationId?: string;
  contactId?: string;
}

const posted = (w: WebhookResult): Posted => ({ status: w.status, body: w.body });
const hex = (n: number) => randomBytes(n).toString("hex");
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("").replace(/^0/, "1");
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
function ulid(ms: number): string {
  let t = "";
  for (let i = 0, n = ms; i < 10; i++, n = Math.floor(n / 32)) t = CROCKFORD[n % 32] + t;
  return t + Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join("");
}

function refuse(en: string, zh: string): never {
  throw new SimRefusal(en, zh);
}

/** Opens the WeChat 48 h window for a kind the simulator has no helper for (video), as its helpers do. */
function weChatInteract(sim: WeChatSimulator, openId: string): void {
  const f = (sim as unknown as Record<string, unknown>).interact;
  if (typeof f !== "function") throw new Error("WeChat simulator has no interact()");
  (f as (id: string) => void).call(sim, openId);
}

export function customerOf(e: HubEntry, c: { id: string; name?: string }): { id: string; platformUserId: string; name?: string } {
  const known = e.customers.get(c.id);
  const platformUserId = known?.platformUserId ?? platformUserIdFor(e.platform, e.channelId, c.id);
  const name = c.name ?? known?.name;
  e.customers.set(c.id, { platformUserId, ...(name ? { name } : {}) });
  return { id: c.id, platformUserId, ...(name ? { name } : {}) };
}

function needText(r: InboundRequest, what = "text"): string {
  if (!r.text?.trim()) refuse(`"text" is required for ${what}`, `${what} 需要 text`);
  return r.text;
}

// ---- LINE ---------------------------------------------------------------------

function lineBase(sim: LineSimulator, type: string, source: Record<string, unknown>, withReply = true): LineEvent {
  const now = sim.kit.now().getTime();
  return {
    type,
    mode: "active",
    timestamp: now,
    source,
    webhookEventId: ulid(now),
    deliveryContext: { isRedelivery: false },
    ...(withReply ? { replyToken: hex(16) } : {}),
  };
}

function lineMessage(r: InboundRequest): { message: Record<string, unknown> } {
  const id = digits(18);
  const quote = r.quotedPlatformMessageId ? { quotedMessageId: r.quotedPlatformMessageId } : {};
  const content = r.mediaUrl ? { contentProvider: { type: "external", originalContentUrl: r.mediaUrl, previewImageUrl: r.mediaUrl } } : { contentProvider: { type: "line" } };
  if (r.quotedPlatformMessageId && !["text", "sticker", "rich_menu_text_line_console", "community_code"].includes(r.kind))
    refuse("LINE quotes only text and sticker messages", "LINE 只有文字與貼圖訊息可以引用");
  switch (r.kind) {
    case "text":
      return { message: { id, type: "text", text: needText(r), quoteToken: hex(24), ...quote } };
    case "rich_menu_text_line_console":
      // LIFE-21: a text button configured in LINE's console is an ordinary text event.
      return { message: { id, type: "text", text: r.text?.trim() ? r.text : "查看最新優惠", quoteToken: hex(24), ...quote } };
    case "community_code": {
      const code = (r.text ?? r.payload ?? "").trim();
      if (!/^\d{6}$/.test(code)) refuse('community_code needs the six-digit code in "text"', "community_code 需要六位數字碼 (text)");
      return { message: { id, type: "text", text: code, quoteToken: hex(24), ...quote } };
    }
    case "image":
      return { message: { id, type: "image", ...content, quoteToken: hex(24) } };
    case "video":
      return { message: { id, type: "video", duration: 12_000, ...content, quoteToken: hex(24) } };
    case "audio":
      return { message: { id, type: "audio", duration: 8_000, ...content } };
    case "file":
      return { message: { id, type: "file", fileName: r.fileName ?? r.title ?? "文件.pdf", fileSize: 24_576 } };
    case "sticker":
      return { message: { id, type: "sticker", packageId: r.sticker?.packageId ?? "446", stickerId: r.sticker?.stickerId ?? "1988", stickerResourceType: "STATIC", keywords: ["OK"], quoteToken: hex(24), ...quote } };
    case "location": {
      const l = r.location ?? { latitude: 25.033964, longitude: 121.564468, title: "台北101", address: "台北市信義區信義路五段7號" };
      return { message: { id, type: "location", title: l.title ?? r.title ?? "位置資訊", address: l.address ?? "台北市", latitude: l.latitude, longitude: l.longitude } };
    }
    default:
      throw new Error(`not a LINE message kind: ${r.kind}`);
  }
}

async function lineInbound(sim: LineSimulator, userId: string, r: InboundRequest): Promise<{ events: LineEvent[]; w: WebhookResult; redelivery?: WebhookResult; platformMessageId?: string }> {
  const source = { type: "user", userId };
  let event: LineEvent;
  let platformMessageId: string | undefined;
  switch (r.kind) {
    case "follow":
      event = { ...lineBase(sim, "follow", source), follow: { isUnblocked: false } };
      break;
    case "unfollow":
      event = lineBase(sim, "unfollow", source, false);
      break;
    case "rich_menu_bot_card":
    case "rich_menu_text_inbox": {
      // LIFE-22: postbacks from an inbox-configured rich menu carry Parley's prefixes.
      const prefix = r.kind === "rich_menu_bot_card" ? "parley:bot_card" : "parley:text_button";
      const data = r.payload === undefined ? prefix : r.payload.startsWith(prefix) ? r.payload : `${prefix}:${r.payload}`;
      event = { ...lineBase(sim, "postback", source), postback: { data } };
      break;
    }
    default: {
      const { message } = lineMessage(r);
      platformMessageId = message.id as string;
      event = { ...lineBase(sim, "message", source), message };
    }
  }
  const w = await sim.send([event]);
  const redelivery = r.redeliver ? await sim.redeliver([event]) : undefined;
  return { events: [event], w, redelivery, platformMessageId };
}

// ---- Messenger / Instagram ------------------------------------------------------

function metaMid(platform: "messenger" | "instagram"): string {
  return `${platform === "instagram" ? "aWdf" : "m_"}${randomBytes(24).toString("base64url")}`;
}

async function metaInbound(sim: MetaSimulator, platform: "messenger" | "instagram", psid: string, r: InboundRequest): Promise<{ w: WebhookResult; redelivery?: WebhookResult; platformMessageId: string }> {
  const now = sim.kit.now().getTime();
  const base = { sender: { id: psid }, recipient: { id: sim.pageId }, timestamp: now };
  const mid = metaMid(platform);
  let item: Record<string, unknown>;
  const quote = r.quotedPlatformMessageId ? { reply_to: { mid: r.quotedPlatformMessageId } } : {};
  const url = (fallback: string) => r.mediaUrl ?? fallback;
  switch (r.kind) {
    case "fb_get_started":
      item = { ...base, postback: { mid, title: r.title ?? "開始使用", payload: r.payload ?? "GET_STARTED" } };
      break;
    case "fb_persistent_menu": {
      const payload = r.payload === undefined ? "parley:menu" : r.payload.startsWith("parley:menu") || r.payload.startsWith("MENU") ? r.payload : `parley:menu:${r.payload}`;
      item = { ...base, postback: { mid, title: r.title ?? "查看商品", payload } };
      break;
    }
    case "text":
      item = { ...base, message: { mid, text: needText(r), ...quote } };
      break;
    case "image":
      item = { ...base, message: { mid, attachments: [{ type: "image", payload: { url: url("https://scontent.example/photo.jpg") } }], ...quote } };
      break;
    case "video":
      item = { ...base, message: { mid, attachments: [{ type: "video", payload: { url: url("https://video.example/clip.mp4") } }], ...quote } };
      break;
    case "audio":
      item = { ...base, message: { mid, attachments: [{ type: "audio", payload: { url: url("https://cdn.example/voice.mp4") } }], ...quote } };
      break;
    case "file":
      item = { ...base, message: { mid, attachments: [{ type: "file", payload: { url: url(`https://cdn.example/${encodeURIComponent(r.fileName ?? "文件.pdf")}`) } }], ...quote } };
      break;
    case "sticker":
      item = { ...base, message: { mid, attachments: [{ type: "image", payload: { url: url("https://scontent.example/sticker.png"), sticker_id: /^\d{1,15}$/.test(r.sticker?.stickerId ?? "") ? Number(r.sticker!.stickerId) : 369239263222822 } }] } };
      break;
    case "location": {
      const l = r.location ?? { latitude: 25.033964, longitude: 121.564468 };
      item = { ...base, message: { mid, attachments: [{ type: "location", title: l.title ?? r.title ?? "我的位置", payload: { coordinates: { lat: l.latitude, long: l.longitude } } }] } };
      break;
    }
    default:
      throw new Error(`not a Meta kind: ${r.kind}`);
  }
  // A customer's message or postback opens the messaging window, as in the simulator's own helpers.
  customerWindows(sim).set(psid, now);
  const w = await sim.send([item]);
  const redelivery = r.redeliver ? await sim.kit.resend(w) : undefined;
  return { w, redelivery, platformMessageId: mid };
}

// ---- WhatsApp -------------------------------------------------------------------

async function whatsAppInbound(sim: WhatsAppSimulator, waId: string, name: string | undefined, r: InboundRequest): Promise<{ w: WebhookResult; redelivery?: WebhookResult; platformMessageId: string }> {
  const now = sim.kit.now().getTime();
  const id = `wamid.${randomBytes(30).toString("base64")}`;
  const media = (mime: string, more: Record<string, unknown> = {}) => ({ mime_type: mime, sha256: randomBytes(32).toString("base64"), id: digits(16), ...more });
  let message: Record<string, unknown>;
  switch (r.kind) {
    case "text":
      message = { type: "text", text: { body: needText(r) } };
      break;
    case "image":
      message = { type: "image", image: media("image/jpeg", r.text ? { caption: r.text } : {}) };
      break;
    case "video":
      message = { type: "video", video: media("video/mp4", r.text ? { caption: r.text } : {}) };
      break;
    case "audio":
      message = { type: "audio", audio: media("audio/ogg; codecs=opus", { voice: true }) };
      break;
    case "file":
      message = { type: "document", document: media("application/pdf", { filename: r.fileName ?? r.title ?? "文件.pdf", ...(r.text ? { caption: r.text } : {}) }) };
      break;
    case "sticker":
      message = { type: "sticker", sticker: media("image/webp", { animated: false }) };
      break;
    case "location": {
      const l = r.location ?? { latitude: 25.033964, longitude: 121.564468, title: "台北101", address: "台北市信義區信義路五段7號" };
      message = { type: "location", location: { latitude: l.latitude, longitude: l.longitude, ...(l.title ?? r.title ? { name: l.title ?? r.title } : {}), ...(l.address ? { address: l.address } : {}) } };
      break;
    }
    default:
      throw new Error(`not a WhatsApp kind: ${r.kind}`);
  }
  const context = r.quotedPlatformMessageId ? { context: { from: sim.displayPhoneNumber, id: r.quotedPlatformMessageId } } : {};
  customerWindows(sim).set(waId, now);
  const value = { contacts: [{ profile: { name: name ?? "Customer" }, wa_id: waId }], messages: [{ from: waId, id, timestamp: String(Math.floor(now / 1000)), ...message, ...context }] };
  const w = await sim.send(value);
  const redelivery = r.redeliver ? await sim.kit.resend(w) : undefined;
  return { w, redelivery, platformMessageId: id };
}

// ---- WeChat ---------------------------------------------------------------------

async function weChatInbound(sim: WeChatSimulator, openId: string, r: InboundRequest): Promise<{ w: WebhookResult; redelivery?: WebhookResult; platformMessageId?: string }> {
  if (r.quotedPlatformMessageId) refuse("WeChat has no quoted replies", "微信沒有引用回覆");
  let w: Awaited<ReturnType<WeChatSimulator["text"]>>;
  switch (r.kind) {
    case "text":
      w = await sim.text(openId, needText(r));
      break;
    case "image":
      w = await sim.image(openId, r.mediaUrl ? { picUrl: r.mediaUrl } : {});
      break;
    case "audio":
      w = await sim.voice(openId, r.text ? { recognition: r.text } : {});
      break;
    case "video": {
      weChatInteract(sim, openId);
      const cdata = (s: string) => `<![CDATA[${s}]]>`;
      w = await sim.push(openId, `<MsgType>${cdata("video")}</MsgType><MediaId>${cdata(randomBytes(24).toString("base64url"))}</MediaId><ThumbMediaId>${cdata(randomBytes(24).toString("base64url"))}</ThumbMediaId>`, { msgId: digits(17) });
      break;
    }
    case "location": {
      const l = r.location ?? { latitude: 31.230416, longitude: 121.473701, address: "上海市黄浦区" };
      w = await sim.location(openId, l.latitude, l.longitude, l.address ?? l.title ?? r.title ?? "");
      break;
    }
    case "follow":
      w = await sim.subscribe(openId);
      break;
    case "unfollow":
      w = await sim.unsubscribe(openId);
      break;
    default:
      throw new Error(`not a WeChat kind: ${r.kind}`);
  }
  const redelivery = r.redeliver ? await sim.redeliver(w) : undefined;
  return { w, redelivery, platformMessageId: w.msgId };
}

// ---- inbound --------------------------------------------------------------------

/** A named customer sends one inbound message or event through the channel's simulator. */
export async function sendInbound(ctx: AppContext, e: HubEntry, r: InboundRequest): Promise<InboundResult> {
  if (!KINDS_BY_PLATFORM[e.platform].includes(r.kind))
    refuse(
      `"${r.kind}" is not available on ${e.platform}; it offers: ${KINDS_BY_PLATFORM[e.platform].join(", ")}`,
      `${e.platform} 沒有「${r.kind}」這種訊息;可用: ${KINDS_BY_PLATFORM[e.platform].join(", ")}`,
    );
  const customer = customerOf(e, r.customer);
  const uid = customer.platformUserId;
  let out: { w: WebhookResult; redelivery?: WebhookResult; platformMessageId?: string; eventIds?: string[] };
  switch (e.platform) {
    case "line": {
      const res = await lineInbound(e.sim, uid, r);
      out = { ...res, eventIds: res.events.map((x) => x.webhookEventId) };
      break;
    }
    case "messenger":
    case "instagram":
      out = await metaInbound(e.sim, e.platform, uid, r);
      break;
    case "whatsapp":
      out = await whatsAppInbound(e.sim, uid, customer.name, r);
      break;
    case "wechat":
      out = await weChatInbound(e.sim, uid, r);
      break;
  }
  if (out.w.status < 300 && customer.name) await fillProfileName(ctx, e.channelId, uid, customer.name);
  const filed = await whereFiled(ctx, e.channelId, uid);
  return {
    platform: e.platform,
    channelId: e.channelId,
    customer,
    kind: r.kind,
    ...(out.platformMessageId ? { platformMessageId: out.platformMessageId } : {}),
    platformEventIds: out.eventIds ?? (out.platformMessageId ? [out.platformMessageId] : []),
    webhook: posted(out.w),
    ...(out.redelivery ? { redelivery: posted(out.redelivery) } : {}),
    ...filed,
  };
}

/**
 * Stand-in for the platform's profile lookup: LINE, Messenger, Instagram and
 * WeChat webhooks carry no name (the inbox would ask the profile API, which is
 * not built yet), so a contact still bearing the placeholder name gets the
 * name the caller gave. WhatsApp carries the name in the webhook itself.
 */
export async function fillProfileName(ctx: AppContext, channelId: string, platformUserId: string, name: string): Promise<void> {
  const who = await ctx.db
    .selectFrom("contact_identities as i")
    .innerJoin("contacts as c", "c.id", "i.contact_id")
    .select(["i.id as identityId", "i.display_name as identityName", "c.id as contactId", "c.display_name as contactName"])
    .where("i.channel_id", "=", channelId)
    .where("i.platform_user_id", "=", platformUserId)
    .executeTakeFirst();
  if (!who || who.identityName) return;
  await ctx.db.updateTable("contact_identities").set({ display_name: name }).where("id", "=", who.identityId).execute();
  if (who.contactName === `客人 ${platformUserId.slice(-6)}`) await ctx.db.updateTable("contacts").set({ display_name: name, updated_at: ctx.clock.now() }).where("id", "=", who.contactId).execute();
}

export async function whereFiled(ctx: AppContext, channelId: string, platformUserId: string): Promise<{ conversationId?: string; contactId?: string }> {
  const row = await ctx.db
    .selectFrom("contact_identities as i")
    .leftJoin("conversations as c", "c.identity_id", "i.id")
    .select(["i.contact_id", "c.id as conversation_id"])
    .where("i.channel_id", "=", channelId)
    .where("i.platform_user_id", "=", platformUserId)
    .executeTakeFirst();
  if (!row) return {};
  return { contactId: row.contact_id, ...(row.conversation_id ? { conversationId: row.conversation_id } : {}) };
}

// ---- LINE groups ----------------------------------------------------------------

export const GROUP_EVENT_TYPES = ["join", "leave", "member_joined", "member_left", "message", "mention", "unsend"] as const;
export type GroupEventType = (typeof GROUP_EVENT_TYPES)[number];

export interface GroupEventRequest {
  type: GroupEventType;
  /** The member who writes, mentions or unsends (message, mention, unsend). */
  customer?: { id: string; name?: string };
  /** The member wrote without consenting to share their profile: the event has no userId. */
  anonymous?: boolean;
  /** Who joined or left (member_joined, member_left). */
  members?: { id: string; name?: string }[];
  text?: string;
  /** mention: who is mentioned (default: the official account). */
  mention?: { bot?: boolean; all?: boolean; customers?: { id: string; name?: string }[] };
  /** unsend: the platform message id to take back. */
  platformMessageId?: string;
  quotedPlatformMessageId?: string;
  redeliver?: boolean;
}

export interface GroupEventResult {
  channelId: string;
  groupId: string;
  platformGroupId: string;
  type: GroupEventType;
  platformEventIds: string[];
  platformMessageId?: string;
  members?: { id: string; platformUserId: string; name?: string }[];
  customer?: { id: string; platformUserId: string; name?: string };
  webhook: Posted;
  redelivery?: Posted;
}

export async function sendGroupEvent(ctx: AppContext, e: HubEntry, groupId: string, r: GroupEventRequest): Promise<GroupEventResult> {
  if (e.platform !== "line") refuse(`group events are LINE only; this channel is ${e.platform}`, `群組事件只適用於 LINE 渠道(此渠道為 ${e.platform})`);
  const sim = e.sim;
  const gid = e.groups.get(groupId) ?? lineGroupIdFor(groupId);
  e.groups.set(groupId, gid);
  const author = r.customer ? customerOf(e, r.customer) : undefined;
  const source = (userId?: string) => ({ type: "group", groupId: gid, ...(userId ? { userId } : {}) });
  const needAuthor = () => {
    if (!author && !r.anonymous) refuse(`"customer" is required for ${r.type}`, `${r.type} 需要 customer`);
    return r.anonymous ? undefined : author!.platformUserId;
  };
  let event: LineEvent;
  let platformMessageId: string | undefined;
  let members: { id: string; platformUserId: string; name?: string }[] | undefined;
  switch (r.type) {
    case "join":
      event = lineBase(sim, "join", source());
      break;
    case "leave":
      event = lineBase(sim, "leave", source(), false);
      break;
    case "member_joined":
    case "member_left": {
      if (!r.members?.length) refuse(`"members" is required for ${r.type}`, `${r.type} 需要 members`);
      members = r.members.map((m) => customerOf(e, m));
      const list = { members: members.map((m) => ({ type: "user", userId: m.platformUserId })) };
      event = r.type === "member_joined" ? { ...lineBase(sim, "memberJoined", source()), joined: list } : { ...lineBase(sim, "memberLeft", source(), false), left: list };
      break;
    }
    case "message": {
      const uid = needAuthor();
      platformMessageId = digits(18);
      const quote = r.quotedPlatformMessageId ? { quotedMessageId: r.quotedPlatformMessageId } : {};
      event = { ...lineBase(sim, "message", source(uid)), message: { id: platformMessageId, type: "text", text: r.text?.trim() ? r.text : "大家好", quoteToken: hex(24), ...quote } };
      break;
    }
    case "mention": {
      const uid = needAuthor();
      platformMessageId = digits(18);
      const m = r.mention ?? { bot: true };
      const parts: string[] = [];
      const mentionees: Record<string, unknown>[] = [];
      const add = (label: string, who: Record<string, unknown>) => {
        const at = `@${label}`;
        const index = parts.join(" ").length + (parts.length ? 1 : 0);
        parts.push(at);
        mentionees.push({ index, length: at.length, ...who });
      };
      if (m.all) add("All", { type: "all" });
      if (m.bot ?? !(m.all || m.customers?.length)) add("官方帳號", { type: "user", userId: sim.botUserId, isSelf: true });
      for (const c of m.customers ?? []) {
        const p = customerOf(e, c);
        add(p.name ?? c.id, { type: "user", userId: p.platformUserId, isSelf: false });
      }
      const text = `${parts.join(" ")} ${r.text?.trim() ? r.text : "請問有人在嗎?"}`;
      event = { ...lineBase(sim, "message", source(uid)), message: { id: platformMessageId, type: "text", text, quoteToken: hex(24), mention: { mentionees } } };
      break;
    }
    case "unsend": {
      const uid = needAuthor();
      if (!r.platformMessageId) refuse('"platformMessageId" is required for unsend', "unsend 需要 platformMessageId");
      event = { ...lineBase(sim, "unsend", source(uid), false), unsend: { messageId: r.platformMessageId } };
      break;
    }
  }
  const w = await sim.send([event]);
  const redelivery = r.redeliver ? await sim.redeliver([event]) : undefined;
  if (w.status < 300 && author?.name && !r.anonymous) await fillProfileName(ctx, e.channelId, author.platformUserId, author.name);
  return {
    channelId: e.channelId,
    groupId,
    platformGroupId: gid,
    type: r.type,
    platformEventIds: [event.webhookEventId],
    ...(platformMessageId ? { platformMessageId } : {}),
    ...(members ? { members } : {}),
    ...(author && !r.anonymous ? { customer: author } : {}),
    webhook: posted(w),
    ...(redelivery ? { redelivery: posted(redelivery) } : {}),
  };
}

// ---- what the inbox sent ------------------------------------------------------------

const SEND_PATH: Record<SimPlatform, (p: string) => boolean> = {
  line: (p) => p === "/v2/bot/message/push",
  messenger: (p) => /\/messages$/.test(p),
  instagram: (p) => /\/messages$/.test(p),
  whatsapp: (p) => /\/messages$/.test(p),
  wechat: (p) => p === "/cgi-bin/message/custom/send",
};

export interface SentItem {
  at: string;
  method: string;
  path: string;
  /** The platform's HTTP answer. */
  status: number;
  /** The platform accepted the message (also when the answer was lost on the way back). */
  accepted: boolean;
  platformMessageId?: string;
  /** LINE: one id per message object of the push. */
  platformMessageIds?: string[];
  recipient?: string;
  retryKey?: string;
  headers: Record<string, string>;
  body: unknown;
  response: unknown;
}

const HEADERS_OF_INTEREST = ["x-line-retry-key", "content-type"];

export function sentRequests(e: HubEntry): { items: SentItem[]; held: number } {
  const isSend = SEND_PATH[e.platform];
  const items = e.sim.kit.requests
    .filter((r) => r.method === "POST" && isSend(r.path))
    .map((r): SentItem => {
      const b = (r.body ?? {}) as Record<string, unknown>;
      const recipient = e.platform === "line" || e.platform === "whatsapp" ? b.to : e.platform === "wechat" ? b.touser : (b.recipient as Record<string, unknown> | undefined)?.id;
      const headers: Record<string, string> = {};
      for (const h of HEADERS_OF_INTEREST) {
        const v = r.headers[h];
        if (typeof v === "string") headers[h] = v;
      }
      const res = (r.response ?? {}) as Record<string, unknown>;
      const lineIds = e.platform === "line" ? (Array.isArray(res.sentMessages) ? res.sentMessages : []).map((m) => String((m as Record<string, unknown>).id)) : [];
      return {
        at: r.at.toISOString(),
        method: r.method,
        path: r.path,
        status: r.status,
        accepted: r.platformMessageId !== undefined,
        ...(r.platformMessageId ? { platformMessageId: r.platformMessageId } : {}),
        ...(lineIds.length ? { platformMessageIds: lineIds } : {}),
        ...(typeof recipient === "string" ? { recipient } : {}),
        ...(headers["x-line-retry-key"] ? { retryKey: headers["x-line-retry-key"] } : {}),
        headers,
        body: r.body ?? r.rawBody,
        response: r.response,
      };
    });
  return { items, held: e.sim.kit.heldCount };
}

// ---- failures and holds ---------------------------------------------------------------

export function failNext(e: HubEntry, kind: SimFailure, count: number, retryAfterSeconds?: number): void {
  if (!FAILURES_BY_PLATFORM[e.platform].includes(kind))
    refuse(`"${kind}" does not exist on ${e.platform} (LINE has no messaging window)`, `${e.platform} 沒有「${kind}」這種錯誤(LINE 沒有回覆時限)`);
  e.sim.kit.failNext(kind, count, retryAfterSeconds !== undefined ? { retryAfterSeconds } : {});
}

// ---- receipts ------------------------------------------------------------------------

export interface ReceiptRequest {
  platformMessageIds: string[];
  status: "delivered" | "read";
  order?: "in_order" | "reversed";
  redeliver?: boolean;
}

export interface ReceiptResult {
  platform: SimPlatform;
  receipts: { platformMessageId: string; status: "delivered" | "read"; format: string; webhook: Posted }[];
  redeliveries: { platformMessageId: string; webhook: Posted }[];
}

export async function sendReceipts(e: HubEntry, r: ReceiptRequest): Promise<ReceiptResult> {
  if (e.platform === "line")
    refuse(
      "LINE sends no delivery or read receipts: the inbox marks every earlier reply read when the customer writes again (STAT-6, STAT-11); make the customer send a message instead",
      "LINE 不提供送達或已讀回條:客人再次傳訊時,先前的回覆才標為已讀(STAT-6)。請改用客人傳訊。",
    );
  if (e.platform === "wechat") refuse("WeChat sends no delivery or read receipts for customer-service messages", "微信客服訊息沒有送達或已讀回條");
  if (e.platform === "instagram" && r.status === "delivered") refuse("Instagram sends no delivery receipts, only read (messaging_seen)", "Instagram 只有已讀回條,沒有送達回條");
  const ids = r.order === "reversed" ? [...r.platformMessageIds].reverse() : [...r.platformMessageIds];
  const sent = e.sim.kit.sent;
  const out: ReceiptResult = { platform: e.platform, receipts: [], redeliveries: [] };
  const posts: { id: string; w: WebhookResult }[] = [];
  for (const id of ids) {
    let w: WebhookResult;
    let format: string;
    if (e.platform === "whatsapp") {
      w = await e.sim.status(id, r.status);
      format = `statuses[].status=${r.status}`;
    } else {
      const rec = sent.find((s) => s.platformMessageId === id);
      if (!rec) refuse(`${id} is not a message this simulator accepted`, `${id} 不是此模擬器收到的訊息`);
      const psid = ((rec.body as Record<string, unknown>).recipient as Record<string, unknown>).id as string;
      if (e.platform === "instagram") {
        w = await e.sim.read(psid, { mid: id });
        format = "read.mid (messaging_seen)";
      } else if (r.status === "delivered") {
        w = await e.sim.delivery(psid, { mids: [id], watermark: rec.at.getTime() });
        format = "delivery.watermark+mids";
      } else {
        w = await e.sim.read(psid, { watermark: rec.at.getTime() });
        format = "read.watermark";
      }
    }
    posts.push({ id, w });
    out.receipts.push({ platformMessageId: id, status: r.status, format, webhook: posted(w) });
  }
  if (r.redeliver) for (const p of posts) out.redeliveries.push({ platformMessageId: p.id, webhook: posted(await e.sim.kit.resend(p.w)) });
  return out;
}
