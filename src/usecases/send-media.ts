/**
 * An agent sends an image, video, audio or file (MEDIA-1..MEDIA-13). The
 * bytes decide the type (never the name or the client's claim); the
 * channel's capabilities decide whether it may go (MEDIA-7, MEDIA-8); LINE
 * files sent 1:1 get their download expiry (MEDIA-9..MEDIA-12). The file is
 * stored, the message is 發送中 and its delivery job is queued, in one
 * transaction.
 */
import { createHash, randomBytes } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { checkMedia, lineFileExpiry, MEDIA_TEXT, type MediaKind } from "../domain/channel-capabilities.js";
import { newId } from "../ids.js";
import { prepareHumanReply, storeHumanReply } from "./send-message.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export interface MediaInput {
  bytes: Buffer;
  fileName: string;
  /** Optional: the kind the agent picked in the 「+」 menu (MEDIA-2); otherwise from the bytes. */
  kind?: MediaKind;
  clientMessageId?: string;
}

/** A file name safe to store and to send in Content-Disposition: no path, no control characters. */
export function safeFileName(name: string): string {
  const base = name.replace(/\\/g, "/").split("/").pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f"<>:|?*]/g, "").trim().slice(0, 200);
  if (!clean || clean === "." || clean === "..") throw new AppError("validation", "檔案名稱無效", { messageEn: "Invalid file name" });
  return clean;
}

function kindOf(mime: string): MediaKind {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  return "file";
}

/** Text files have no magic bytes; anything else unknown is an opaque binary. */
function fallbackMime(bytes: Buffer, fileName: string): string {
  const textual = bytes.subarray(0, 4096).every((b) => b === 9 || b === 10 || b === 13 || b >= 32);
  if (textual) return /\.csv$/i.test(fileName) ? "text/csv" : "text/plain";
  return "application/octet-stream";
}

export async function sendMedia(ctx: AppContext, actor: Actor, conversationId: string, input: MediaInput, publicUrl: string) {
  const fileName = safeFileName(input.fileName);

  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const p = await prepareHumanReply(tx, actor, conversationId, now, input.clientMessageId);
    if (p.existing) return { message: p.existing, hint: null };
    if (input.bytes.length === 0) throw new AppError("validation", "檔案是空的", { messageEn: "The file is empty" });
    const detected = await fileTypeFromBuffer(input.bytes);
    const mimeType = detected?.mime ?? fallbackMime(input.bytes, fileName);
    const kind = input.kind ?? kindOf(mimeType);
    // The bytes must agree with the kind picked: an "image" that is not one is refused.
    if (kind !== "file" && kindOf(mimeType) !== kind) throw new AppError("validation", MEDIA_TEXT.unsupported.zh, { messageEn: MEDIA_TEXT.unsupported.en });
    const check = checkMedia(p.platform, kind, { bytes: input.bytes.length, mimeType, fileName });
    if (check.error) throw AppError.fromDomain(check.error);
    const id = newId(now.getTime());
    const token = randomBytes(24).toString("base64url");
    const expiresAt = p.platform === "line" && kind === "file" ? lineFileExpiry(now) : null;
    await tx
      .insertInto("media_files")
      .values({
        id,
        workspace_id: actor.workspaceId,
        conversation_id: p.conv.id,
        token,
        kind,
        mime_type: mimeType,
        file_name: fileName,
        size: input.bytes.length,
        sha256: createHash("sha256").update(input.bytes).digest("hex"),
        bytes: input.bytes,
        expires_at: expiresAt,
        created_at: now,
      })
      .execute();
    const url = `${publicUrl}/media/${id}/${token}`;
    const message = await storeHumanReply(
      tx,
      fx,
      p,
      { kind, content: { kind, media: { url, mimeType, fileName, size: input.bytes.length } }, text: kind === "file" ? fileName : "", clientMessageId: input.clientMessageId, mediaExpiresAt: expiresAt ?? undefined },
      now,
    );
    return { message, hint: check.hint };
  });
}
