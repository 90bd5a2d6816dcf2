/**
 * The website chat widget channel ("webchat"). Inbound messages come from the
 * widget's own endpoints (src/api/routes/widget.ts), not from webhooks, so
 * verify/parse refuse everything. Sending hands the agent's message to the
 * visitor's live sockets through an emitter injected at start-up (the
 * /widget Socket.IO namespace, src/realtime/widget-namespace.ts). A visitor
 * who is offline still gets 已送出: the message is stored, and the frame
 * loads it from the history the next time it opens. 已收到 and 已讀 come
 * from the frame (STAT-7, STAT-10, STAT-12).
 */
import type { ChannelAdapter, OutboundMessage, SendResult } from "../types.js";
import { PlatformError } from "../types.js";

export interface WebchatEmitter {
  /** Pushes one outbound message (by the inbox's id) to the visitor's open sockets, if any. */
  deliver(msg: OutboundMessage): Promise<void>;
  /** Pushes an event to every open socket of one visitor (all their tabs). */
  toVisitor(channelId: string, visitorId: string, event: string, data: unknown): void;
}

let emitter: WebchatEmitter | null = null;

/** Set once at start-up, after the realtime server exists (null in processes without sockets). */
export function setWebchatEmitter(e: WebchatEmitter | null): void {
  emitter = e;
}

export function webchatEmitter(): WebchatEmitter | null {
  return emitter;
}

export const webchatAdapter: ChannelAdapter = {
  platform: "webchat",
  verify: () => false, // no webhooks: the widget posts through its own authenticated endpoints
  parse: () => [],
  async send(msg: OutboundMessage): Promise<SendResult> {
    if (emitter) {
      try {
        await emitter.deliver(msg);
      } catch (e) {
        // The database or the socket adapter (Redis) failed: let the job retry.
        throw new PlatformError("temporary", "widget_push", (e as Error).message);
      }
    }
    // Our id is the platform id: receipts from the frame name it.
    return { platformMessageId: msg.id };
  },
};
