/**
 * WhatsApp Business Cloud API webhook (object "whatsapp_business_account").
 * Wire format and traps: /work/shared/reference/channels/whatsapp.md.
 * Same transport as Messenger: the signature and GET handshake are Meta's.
 */
import type { InboundEvent, MediaRef, NormalizedMessage, Sender } from "../types.js";
import { asArray, get, hashKey, idStr, isObj, metaTime, num, str, type Obj } from "../meta/common.js";

export { verifyMetaSignature, verifyMetaChallenge } from "../meta/webhook.js";

type Status = "sent" | "received" | "read" | "failed";
/** "delivered" is the inbox's Received (STAT-4). "played" (voice notes) is not in the v23 enum: ignored. */
// A Map, not an object literal: a status of "constructor" must not hit Object.prototype.
const STATUS = new Map<string, Status>([["sent", "sent"], ["delivered", "received"], ["read", "read"], ["failed", "failed"]]);

function media(o: unknown): MediaRef {
  if (!isObj(o)) return {};
  const ref: MediaRef = {};
  // The webhook never carries the binary: GET /{media-id} gives a 5-minute URL needing the Bearer token.
  const id = idStr(o.id);
  if (id) ref.platformMediaId = id;
  if (str(o.mime_type)) ref.mimeType = str(o.mime_type);
  if (str(o.filename)) ref.fileName = str(o.filename);
  if (str(o.link)) ref.url = str(o.link);
  return ref;
}

function contactsText(cards: unknown[]): string {
  return cards
    .filter(isObj)
    .map((c) => str(get(c, "name", "formatted_name")) ?? [str(get(c, "name", "first_name")), str(get(c, "name", "last_name"))].filter(Boolean).join(" "))
    .filter((s) => s !== "")
    .join(", ");
}

/** Normalises one messages[] item; returns null for items that are not chat bubbles. */
function normalize(m: Obj, type: string): NormalizedMessage | null {
  const body = isObj(m[type]) ? (m[type] as Obj) : {};
  const caption = str(body.caption);
  const cap = caption ? { text: caption } : {};
  switch (type) {
    case "text":
      return { kind: "text", text: typeof body.body === "string" ? body.body : "" };
    case "image":
    case "video":
      return { kind: type, media: media(body), ...cap };
    case "audio":
      // voice:true = push-to-talk voice note, false = forwarded audio file.
      return { kind: "audio", media: media(body), ...(body.voice === true ? { extra: { voice: true } } : {}) };
    case "document":
      return { kind: "file", media: media(body), ...cap };
    case "sticker":
      // WhatsApp stickers are webp media, not LINE-style package/sticker ids.
      return { kind: "sticker", media: media(body), extra: { animated: body.animated === true } };
    case "location": {
      const latitude = num(body.latitude), longitude = num(body.longitude);
      if (latitude === undefined || longitude === undefined) return { kind: "unsupported", extra: { whatsappType: type } };
      return { kind: "location", location: { latitude, longitude, title: str(body.name), address: str(body.address) }, ...(str(body.url) ? { extra: { url: str(body.url) } } : {}) };
    }
    case "contacts": {
      const cards = asArray(m.contacts);
      return { kind: "contact", text: contactsText(cards), extra: { contacts: cards } };
    }
    case "interactive": {
      // A tap on a reply button / list row the business sent: shown as a bubble with the
      // visible title, kind "postback" so bots can read the id from extra.payload.
      const itype = str(body.type) ?? "";
      const reply = isObj(body[itype]) ? (body[itype] as Obj) : {};
      if (itype === "button_reply" || itype === "list_reply") {
        return { kind: "postback", text: str(reply.title) ?? "", extra: { payload: idStr(reply.id), interactiveType: itype, ...(str(reply.description) ? { description: str(reply.description) } : {}) } };
      }
      return { kind: "unsupported", extra: { whatsappType: `interactive:${itype}` } }; // nfm_reply (flows) etc.
    }
    case "button":
      // Template quick-reply button: payload is what the template defined, text is what the user saw.
      return { kind: "postback", text: str(body.text) ?? str(body.payload) ?? "", extra: { payload: str(body.payload), interactiveType: "template_button" } };
    case "order": {
      // No "order" kind in the contract: a placeholder the UI can render from extra.order.
      const text = str(body.text);
      return { kind: "unsupported", ...(text ? { text } : {}), extra: { whatsappType: "order", order: { catalogId: idStr(body.catalog_id), items: asArray(body.product_items) } } };
    }
    case "reaction":
    case "system":
      return null;
    default: {
      // "unsupported" (errors[0].code 131051) and future types: placeholder bubble, never dropped.
      const err = asArray(m.errors).find(isObj);
      const sub = str(get(m, "unsupported", "type"));
      return { kind: "unsupported", extra: { whatsappType: type || "(none)", ...(sub ? { unsupportedType: sub } : {}), ...(err ? { errorCode: idStr(err.code), errorTitle: str(err.title) } : {}) } };
    }
  }
}

interface Ctx { now: () => Date; names: Map<string, string> }

function parseMessage(m: unknown, ctx: Ctx): InboundEvent {
  if (!isObj(m)) return { eventKey: hashKey("wa", m), at: ctx.now(), type: "ignored", reason: "message is not an object" };
  const wamid = idStr(m.id);
  const at = metaTime(m.timestamp) ?? ctx.now();
  const type = str(m.type) ?? "";
  const key = wamid ?? hashKey("wa", m);
  if (type === "system") return { eventKey: key, at, type: "ignored", reason: `whatsapp system ${str(get(m, "system", "type")) ?? ""}`.trim() };
  if (type === "reaction") {
    // A reaction (emoji "" = removed) decorates an existing message; it is not a new bubble.
    return { eventKey: key, at, type: "ignored", reason: `whatsapp reaction on ${idStr(get(m, "reaction", "message_id")) ?? "?"}` };
  }
  const from = idStr(m.from);
  if (!wamid || !from) return { eventKey: key, at, type: "ignored", reason: "message without id or from" };
  const message = normalize(m, type);
  if (!message) return { eventKey: key, at, type: "ignored", reason: `whatsapp ${type}` };
  const ctxObj = isObj(m.context) ? m.context : {};
  const extra: Obj = {};
  if (ctxObj.forwarded === true) extra.forwarded = true;
  if (ctxObj.frequently_forwarded === true) extra.frequentlyForwarded = true;
  if (isObj(ctxObj.referred_product)) extra.referredProduct = ctxObj.referred_product;
  if (isObj(m.referral)) extra.referral = m.referral; // Click-to-WhatsApp ad attribution
  if (Object.keys(extra).length) message.extra = { ...message.extra, ...extra };
  const name = ctx.names.get(from);
  const sender: Sender = { userId: from, phone: from, ...(name ? { displayName: name } : {}) };
  const quoted = idStr(ctxObj.id); // forwarded messages have context without id
  return { eventKey: wamid, at, type: "message", sender, platformMessageId: wamid, message, ...(quoted ? { quotedPlatformMessageId: quoted } : {}) };
}

function parseStatus(s: unknown, ctx: Ctx): InboundEvent {
  if (!isObj(s)) return { eventKey: hashKey("wa", s), at: ctx.now(), type: "ignored", reason: "status is not an object" };
  const wamid = idStr(s.id);
  const raw = str(s.status) ?? "";
  const at = metaTime(s.timestamp) ?? ctx.now();
  // Same wamid gets one receipt per status, possibly repeated and out of order (STAT-9 is applied downstream).
  const key = wamid ? `${wamid}:${raw}` : hashKey("wa", s);
  const status = STATUS.get(raw);
  if (!wamid || !status) return { eventKey: key, at, type: "ignored", reason: `whatsapp status ${raw || "(none)"}` };
  const recipient = idStr(s.recipient_id);
  const err = asArray(s.errors).find(isObj);
  const reason = status === "failed" && err
    ? { code: idStr(err.code) ?? "unknown", message: str(err.title) ?? str(err.message) ?? str(get(err, "error_data", "details")) ?? "unknown error" }
    : undefined;
  return { eventKey: key, at, type: "status", platformMessageId: wamid, status, ...(reason ? { reason } : {}), ...(recipient ? { recipientUserId: recipient } : {}) };
}

export interface ParseOptions {
  /** Used only when an item has no usable timestamp. */
  now?: () => Date;
}

/**
 * Normalises a parsed WhatsApp webhook body. Never throws.
 * Routing to the right channel (metadata.phone_number_id) is the caller's job.
 */
export function parseWhatsAppWebhook(body: unknown, opts: ParseOptions = {}): InboundEvent[] {
  const now = opts.now ?? (() => new Date());
  const out: InboundEvent[] = [];
  const guard = (v: unknown, f: () => InboundEvent): void => {
    try {
      out.push(f());
    } catch (err) {
      out.push({ eventKey: hashKey("wa", v), at: now(), type: "ignored", reason: `unparseable: ${err instanceof Error ? err.message : "error"}` });
    }
  };
  try {
    if (!isObj(body)) return [];
    if (body.object !== "whatsapp_business_account") {
      return [{ eventKey: hashKey("wa", body), at: now(), type: "ignored", reason: `whatsapp object ${str(body.object) ?? "(none)"}` }];
    }
    for (const entry of asArray(body.entry)) {
      for (const change of asArray(get(entry, "changes"))) {
        const value = get(change, "value");
        const field = str(get(change, "field"));
        if (field !== "messages" || !isObj(value)) {
          // message_template_status_update, account_update, group_* …
          guard(change, () => ({ eventKey: hashKey("wa", change), at: now(), type: "ignored", reason: `whatsapp change ${field ?? "(none)"}` }));
          continue;
        }
        // contacts[] carries the profile name; system messages come without it.
        const names = new Map<string, string>();
        for (const c of asArray(value.contacts)) {
          const wa = idStr(get(c, "wa_id")), name = str(get(c, "profile", "name"));
          if (wa && name) names.set(wa, name);
        }
        const ctx: Ctx = { now, names };
        for (const m of asArray(value.messages)) guard(m, () => parseMessage(m, ctx));
        for (const s of asArray(value.statuses)) guard(s, () => parseStatus(s, ctx));
        for (const e of asArray(value.errors)) guard(e, () => ({ eventKey: hashKey("wa", e), at: now(), type: "ignored", reason: "whatsapp webhook error" }));
      }
    }
    return out;
  } catch (err) {
    return [...out, { eventKey: hashKey("wa", body), at: now(), type: "ignored", reason: `unparseable body: ${err instanceof Error ? err.message : "error"}` }];
  }
}
