/**
 * The integrator API channel: customers' messages come in through
 * POST /api/channels/:id/inbound; replies go out to the integrator's
 * `outboundUrl` (signed with the channel secret), or, with no URL, are
 * marked sent and read by the integrator through the messages API.
 */
import { createHmac } from "node:crypto";
import type { ChannelAdapter, OutboundMessage, SendResult, ChannelCredentials } from "../types.js";
import { PlatformError, retryAfterMs } from "../types.js";

export const apiAdapter: ChannelAdapter = {
  platform: "api",
  verify: () => true, // inbound is authenticated by API token, not by signature
  parse: () => [],
  async send(msg: OutboundMessage, creds: ChannelCredentials): Promise<SendResult> {
    const url = typeof creds.outboundUrl === "string" ? creds.outboundUrl : "";
    if (!url) return { platformMessageId: msg.id };
    const body = JSON.stringify({ id: msg.id, recipient: msg.recipientUserId, message: msg.message });
    const sig = createHmac("sha256", String(creds.secret ?? "")).update(body).digest("hex");
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-signature": `sha256=${sig}`, "idempotency-key": msg.id },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new PlatformError("temporary", "network", (e as Error).message);
    }
    if (res.status === 429) throw new PlatformError("rate_limited", "429", "rate limited", retryAfterMs(res.headers) ?? 1000);
    if (res.status >= 500) throw new PlatformError("temporary", String(res.status), `integrator answered ${res.status}`);
    if (!res.ok) throw new PlatformError("content_rejected", String(res.status), (await res.text()).slice(0, 500));
    const json = (await res.json().catch(() => ({}))) as { id?: unknown };
    return { platformMessageId: typeof json.id === "string" ? json.id : msg.id };
  },
};
