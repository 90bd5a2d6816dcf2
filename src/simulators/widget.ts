/**
 * A simulated website visitor: the control API's inbound for a webchat
 * channel goes through the widget's own public endpoints over HTTP (a
 * visitor session, then a text message or an image upload), exactly as the
 * widget frame does. Only when this server serves the widget routes.
 */
import { createHash, randomBytes } from "node:crypto";
import type { AppContext } from "../context.js";
import { allowedOrigins, loadWidgetChannel } from "../channels/webchat/visitor.js";
import { fillProfileName, SimRefusal, whereFiled, type InboundRequest, type InboundResult } from "./drive.js";

export const WIDGET_KINDS = ["text", "image"] as const;
const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** A 1×1 PNG: the upload endpoint reads the type from the bytes. */
const PIXEL = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

export const visitorIdFor = (channelId: string, customerId: string): string =>
  VISITOR_ID.test(customerId) ? customerId : `v${createHash("sha256").update(`${channelId}:${customerId}`).digest("base64url").slice(0, 31)}`;

async function call(url: string, init: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export async function widgetInbound(ctx: AppContext, origin: string, channelId: string, r: InboundRequest): Promise<Omit<InboundResult, "platform"> & { platform: "webchat" }> {
  if (!(WIDGET_KINDS as readonly string[]).includes(r.kind))
    throw new SimRefusal(`"${r.kind}" is not available on webchat; it offers: ${WIDGET_KINDS.join(", ")}`, `網站對話插件沒有「${r.kind}」這種訊息;可用: ${WIDGET_KINDS.join(", ")}`);
  if (r.quotedPlatformMessageId) throw new SimRefusal("The website widget has no quoted replies", "網站對話插件沒有引用回覆");
  if (r.kind === "text" && !r.text?.trim()) throw new SimRefusal('"text" is required for text', "text 需要 text");
  const channel = await loadWidgetChannel(ctx.db, channelId);
  const site = channel ? allowedOrigins(channel)[0] : undefined;
  const visitorId = visitorIdFor(channelId, r.customer.id);
  const session = await call(`${origin}/widget/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ channelId, visitorId, ...(site ? { origin: site } : {}) }),
  });
  if (session.status !== 201) return { platform: "webchat", channelId, customer: { id: r.customer.id, platformUserId: visitorId }, kind: r.kind, platformEventIds: [], webhook: session };
  const auth = { authorization: `Bearer ${session.body.token as string}` };
  const clientMessageId = randomBytes(12).toString("base64url");
  const sent =
    r.kind === "text"
      ? await call(`${origin}/widget/api/messages`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: r.text, clientMessageId }) })
      : await call(`${origin}/widget/api/uploads?${new URLSearchParams({ clientMessageId, name: r.fileName ?? "photo.png" })}`, { method: "POST", headers: { ...auth, "content-type": "image/png" }, body: PIXEL });
  const platformMessageId = `${visitorId}:${clientMessageId}`;
  if (sent.status < 300 && r.customer.name) await fillProfileName(ctx, channelId, visitorId, r.customer.name);
  return {
    platform: "webchat",
    channelId,
    customer: { id: r.customer.id, platformUserId: visitorId, ...(r.customer.name ? { name: r.customer.name } : {}) },
    kind: r.kind,
    platformMessageId,
    platformEventIds: [`widget:${platformMessageId}`],
    webhook: sent,
    ...(await whereFiled(ctx, channelId, visitorId)),
  };
}
