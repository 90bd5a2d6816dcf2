/**
 * The sticker window's packs for one conversation the member may see
 * (MEDIA-19): LINE's official packs in a LINE conversation, none elsewhere
 * (no sticker button, MEDIA-17, MEDIA-23).
 */
import type { AppContext } from "../context.js";
import type { Actor } from "./actor.js";
import { loadVisibleConversation } from "./get-conversation.js";
import { stickerImageUrl, stickerPacksFor } from "../domain/stickers.js";

export async function listStickerPacks(ctx: AppContext, actor: Actor, conversationId: string) {
  const { row } = await loadVisibleConversation(ctx.db, actor, conversationId);
  return {
    packs: stickerPacksFor(row.platform).map((p) => ({ packageId: p.packageId, stickers: p.stickerIds.map((stickerId) => ({ stickerId, url: stickerImageUrl(stickerId) })) })),
  };
}
