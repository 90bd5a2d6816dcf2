/**
 * Signed platform webhooks, byte for byte what the simulators send
 * (src/channels/line/simulator.ts, src/channels/whatsapp/simulator.ts):
 * LINE bodies signed with x-line-signature = base64 HMAC-SHA256(channel
 * secret, body); WhatsApp bodies \u-escaped like Meta's and signed with
 * X-Hub-Signature-256. One customer text message per webhook, so a request
 * is a message.
 */
import { createHmac, randomBytes } from "node:crypto";
import { hubSignature, metaJson } from "../src/channels/simulator-kit.js";

export interface Target {
  platform: "line" | "whatsapp";
  channelId: string;
  secret: string;
  phoneNumberId?: string;
}

export interface Webhook {
  path: string;
  body: string;
  headers: Record<string, string>;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
function ulid(ms: number): string {
  let t = "";
  for (let i = 0, n = ms; i < 10; i++, n = Math.floor(n / 32)) t = CROCKFORD[n % 32] + t;
  return t + Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join("");
}

const BOT = `U${randomBytes(16).toString("hex")}`;
const RUN = String(Date.now()).slice(-9);
let messageSeq = 0;

/** A LINE user id or WhatsApp wa_id for customer number i of a pool named `pool`. */
export function customerId(platform: Target["platform"], pool: string, i: number): string {
  if (platform === "line") return `U${createHmac("md5", pool).update(String(i)).digest("hex")}`;
  return `8869${String(Math.abs(hashCode(pool)) % 1000).padStart(3, "0")}${String(i).padStart(7, "0")}`;
}

function hashCode(s: string): number {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

export function webhook(t: Target, userId: string, text: string): Webhook {
  const now = Date.now();
  const seq = ++messageSeq;
  if (t.platform === "line") {
    const event = {
      type: "message",
      mode: "active",
      timestamp: now,
      source: { type: "user", userId },
      webhookEventId: ulid(now),
      deliveryContext: { isRedelivery: false },
      replyToken: randomBytes(16).toString("hex"),
      message: { id: `9${RUN}${String(seq).padStart(8, "0")}`, type: "text", text, quoteToken: randomBytes(24).toString("hex") },
    };
    const body = JSON.stringify({ destination: BOT, events: [event] });
    return {
      path: `/webhooks/line/${t.channelId}`,
      body,
      headers: { "content-type": "application/json; charset=utf-8", "x-line-signature": createHmac("sha256", t.secret).update(body).digest("base64") },
    };
  }
  const body = metaJson({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: t.phoneNumberId },
              contacts: [{ profile: { name: `Customer ${userId.slice(-4)}` }, wa_id: userId }],
              messages: [{ from: userId, id: `wamid.${randomBytes(30).toString("base64")}`, timestamp: String(Math.floor(now / 1000)), type: "text", text: { body: text } }],
            },
            field: "messages",
          },
        ],
      },
    ],
  });
  return { path: `/webhooks/whatsapp/${t.channelId}`, body, headers: { "content-type": "application/json", "x-hub-signature-256": hubSignature(t.secret, body) } };
}
