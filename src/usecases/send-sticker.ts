/**
 * An agent sends a sticker (MEDIA-17..MEDIA-19): a LINE official sticker by
 * package and sticker id. It is a human reply like text or media (MEDIA-25):
 * the same checks first, then stored as 發送中 with its delivery job in one
 * transaction. The stored content carries the sticker's picture on LINE's
 * CDN, so the console shows the sticker itself.
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { checkStickerSend, stickerImageUrl } from "../domain/stickers.js";
import { prepareHumanReply, storeHumanReply } from "./send-message.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export interface StickerInput {
  packageId: string;
  stickerId: string;
  clientMessageId?: string;
}

export async function sendSticker(ctx: AppContext, actor: Actor, conversationId: string, input: StickerInput) {
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const p = await prepareHumanReply(tx, actor, conversationId, now, input.clientMessageId);
    if (p.existing) return p.existing;
    const refused = checkStickerSend(p.platform, input);
    if (refused) throw AppError.fromDomain(refused);
    const sticker = { packageId: input.packageId, stickerId: input.stickerId };
    return storeHumanReply(tx, fx, p, { kind: "sticker", content: { kind: "sticker", sticker, media: { url: stickerImageUrl(input.stickerId) } }, text: "", clientMessageId: input.clientMessageId }, now);
  });
}
