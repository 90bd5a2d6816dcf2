/**
 * Media customers send: the platform's webhook only names the content (LINE
 * message id, WhatsApp media id, Meta CDN URL); the inbox keeps its own copy
 * so agents can see it after the platform's link expires.
 *
 * queueMediaFetch runs inside the inbound transaction (receive-inbound.ts):
 * the fetch_media job is written with the message, so a stored message never
 * loses its download. The job (jobs/fetch-media.ts) downloads through the
 * channel's adapter, then storeInboundMedia keeps the bytes in media_files
 * (type from the bytes, never the platform's claim) and points the message's
 * media at /media/<id>/<token> — or markMediaUnavailable records why not. A
 * message that already has its copy is never downloaded or stored again.
 */
import { createHash, randomBytes } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import type { MediaRef, NormalizedMessage, FetchedMedia } from "../channels/types.js";
import { adapterFor } from "../channels/registry.js";
import { enqueue } from "../jobs/queue.js";
import { conversationAudience, toFacts } from "../store/conversations.js";
import { messageDto, type InsertedMessage } from "../store/messages.js";
import {
  MAX_INBOUND_MEDIA_BYTES,
  fallbackMime,
  mediaKindOfMime,
  needsDownload,
  withDownloadError,
  withStoredMedia,
  type DownloadErrorKind,
} from "../domain/inbound-media.js";
import { safeFileName } from "./send-media.js";
import { newId } from "../ids.js";

const parse = (v: unknown): NormalizedMessage => (typeof v === "string" ? JSON.parse(v) : v) as NormalizedMessage;

/**
 * Called once a customer message is stored, in the same transaction: queues the
 * download of its media (image, video, audio, file) when the channel's adapter
 * can fetch it. Does nothing for any other message. `platform`: the channel's, when the
 * caller has it (spares the lookup).
 */
export async function queueMediaFetch(tx: Tx, fx: Effects, stored: InsertedMessage, message: NormalizedMessage, at: Date, platform?: string): Promise<void> {
  if (!needsDownload(message)) return;
  const channel = platform ? { platform } : await tx.selectFrom("channels").select("platform").where("id", "=", stored.channel_id).executeTakeFirst();
  if (!channel || !adapterFor(channel.platform)?.fetchMedia) return;
  await enqueue(tx, fx, "fetch_media", { messageId: stored.id }, at, { dedupeKey: `fetch_media:${stored.id}` });
}

export interface MediaTarget {
  messageId: string;
  platform: string;
  credentials: Record<string, unknown>;
  media: MediaRef;
}

/** What the job downloads; null when there is nothing (left) to do: deleted, already stored, or not media. */
export async function loadMediaTarget(ctx: AppContext, messageId: string): Promise<MediaTarget | null> {
  const m = await ctx.db
    .selectFrom("messages as m")
    .innerJoin("channels as ch", "ch.id", "m.channel_id")
    .select(["m.id", "m.content", "m.direction", "ch.platform", "ch.credentials"])
    .where("m.id", "=", messageId)
    .executeTakeFirst();
  if (!m || m.direction !== "in") return null;
  const content = parse(m.content);
  if (!needsDownload(content)) return null;
  const credentials = (typeof m.credentials === "string" ? JSON.parse(m.credentials) : m.credentials) as Record<string, unknown>;
  return { messageId: m.id, platform: m.platform, credentials: credentials ?? {}, media: content.media! };
}

async function emitUpdated(tx: Tx, fx: Effects, row: InsertedMessage): Promise<void> {
  const conv = await tx
    .selectFrom("conversations")
    .select(["id", "workspace_id", "kind", "state", "queue", "follower_id", "last_handler_id", "reopenable"])
    .where("id", "=", row.conversation_id)
    .executeTakeFirst();
  if (!conv) return;
  fx.emit({ workspaceId: row.workspace_id, name: "message.updated", audience: conversationAudience(conv.kind, toFacts(conv)), data: { conversationId: row.conversation_id, message: messageDto(row) } });
}

/** Locks the message and rewrites its content (one writer at a time; a stored copy is final). */
async function updateContent(
  ctx: AppContext,
  messageId: string,
  change: (tx: Tx, content: NormalizedMessage, row: { workspace_id: string; conversation_id: string; platform: string }) => Promise<NormalizedMessage | null>,
): Promise<NormalizedMessage | null> {
  return inTransaction(ctx, async (tx, fx) => {
    const row = await tx
      .selectFrom("messages as m")
      .innerJoin("channels as ch", "ch.id", "m.channel_id")
      .select(["m.content", "m.workspace_id", "m.conversation_id", "ch.platform"])
      .where("m.id", "=", messageId)
      .forUpdate("m")
      .executeTakeFirst();
    if (!row) return null;
    const content = parse(row.content);
    if (content.media?.mediaFileId) return null; // stored by an earlier run
    const next = await change(tx, content, row);
    if (!next) return null;
    const updated = await tx.updateTable("messages").set({ content: JSON.stringify(next) }).where("id", "=", messageId).returningAll().executeTakeFirstOrThrow();
    await emitUpdated(tx, fx, updated);
    return next;
  });
}

export type StoreOutcome = { status: "stored"; url: string; mediaFileId: string } | { status: "too_large" } | { status: "skipped" };

/**
 * Keeps downloaded bytes: the type comes from the magic bytes (text and unknown
 * binaries from fallbackMime), the media_files kind from that type; over the
 * inbound limit (or empty) only the platform reference stays, marked with
 * downloadError. Emits message.updated for the conversation.
 */
export async function storeInboundMedia(ctx: AppContext, messageId: string, got: FetchedMedia): Promise<StoreOutcome> {
  if (got.bytes.length > MAX_INBOUND_MEDIA_BYTES || got.bytes.length === 0) {
    const kind: DownloadErrorKind = got.bytes.length === 0 ? "rejected" : "too_large";
    await markMediaUnavailable(ctx, messageId, kind, got.bytes.length === 0 ? "the platform sent an empty file" : `${got.bytes.length} bytes`);
    return kind === "too_large" ? { status: "too_large" } : { status: "skipped" };
  }
  const detected = await fileTypeFromBuffer(got.bytes);
  let outcome: StoreOutcome = { status: "skipped" };
  await updateContent(ctx, messageId, async (tx, content, row) => {
    const named = content.media?.fileName ?? got.fileName;
    const mimeType = detected?.mime ?? fallbackMime(got.bytes, named);
    const now = ctx.clock.now();
    const id = newId(now.getTime());
    const token = randomBytes(24).toString("base64url");
    let fileName: string;
    try {
      fileName = safeFileName(named ?? "");
    } catch {
      fileName = `${content.kind}-${messageId.slice(-8)}.${detected?.ext ?? (mimeType.startsWith("text/") ? "txt" : "bin")}`;
    }
    await tx
      .insertInto("media_files")
      .values({
        id,
        workspace_id: row.workspace_id,
        conversation_id: row.conversation_id,
        token,
        kind: mediaKindOfMime(mimeType),
        mime_type: mimeType,
        file_name: fileName,
        size: got.bytes.length,
        sha256: createHash("sha256").update(got.bytes).digest("hex"),
        bytes: got.bytes,
        expires_at: null,
        created_at: now,
      })
      .execute();
    const url = `${ctx.publicUrl ?? ""}/media/${id}/${token}`;
    outcome = { status: "stored", url, mediaFileId: id };
    return withStoredMedia(content, { mediaFileId: id, url, mimeType, size: got.bytes.length, fileName });
  });
  return outcome;
}

/**
 * The media cannot be downloaded (gone, refused, too large, retries used up): the
 * platform reference stays and `downloadError` says why; an Instagram photo
 * becomes the MEDIA-16 placeholder.
 */
export async function markMediaUnavailable(ctx: AppContext, messageId: string, kind: DownloadErrorKind, detail?: string): Promise<void> {
  await updateContent(ctx, messageId, async (_tx, content, row) => withDownloadError(row.platform, content, kind, detail));
}
