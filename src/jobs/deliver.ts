/**
 * The `deliver` job: hands one outbound message to its channel's adapter.
 * Temporary platform errors and rate limits are retried with backoff;
 * permanent ones fail the message at once with the platform's reason
 * (STAT-13). A message already past 發送中 is not sent again, so a job
 * re-run after a crash delivers at most once from our side.
 */
import type { AppContext } from "../context.js";
import type { JobHandler } from "./worker.js";
import { PermanentJobError, RetryJobError } from "./worker.js";
import { adapterFor } from "../channels/registry.js";
import { PlatformError, type NormalizedMessage, type OutboundMessage } from "../channels/types.js";
import { setMessageStatus } from "../usecases/update-message-status.js";

async function load(ctx: AppContext, messageId: string) {
  return ctx.db
    .selectFrom("messages as m")
    .innerJoin("conversations as c", "c.id", "m.conversation_id")
    .innerJoin("channels as ch", "ch.id", "m.channel_id")
    .leftJoin("contact_identities as i", "i.id", "c.identity_id")
    .select(["m.id", "m.status", "m.content", "m.quoted_platform_message_id", "ch.platform", "ch.credentials", "i.platform_user_id"])
    .where("m.id", "=", messageId)
    .executeTakeFirst();
}

export const deliverJob: JobHandler = async (ctx, job) => {
  const messageId = String(job.payload.messageId);
  const m = await load(ctx, messageId);
  if (!m || m.status !== "sending") return; // deleted, or already sent by an earlier run
  const adapter = adapterFor(m.platform);
  const fail = async (reason: string) => {
    await setMessageStatus(ctx, messageId, { status: "failed", reason });
    throw new PermanentJobError(reason);
  };
  if (!adapter) return fail(`此渠道尚未支援傳送 (${m.platform})`);
  try {
    const content = (typeof m.content === "string" ? JSON.parse(m.content) : m.content) as NormalizedMessage & { messageTag?: string; template?: OutboundMessage["template"] };
    const res = await adapter.send(
      {
        id: m.id,
        recipientUserId: m.platform_user_id ?? "",
        message: content,
        messageTag: content.messageTag,
        template: content.template,
        quotedPlatformMessageId: m.quoted_platform_message_id ?? undefined,
      },
      (typeof m.credentials === "string" ? JSON.parse(m.credentials) : m.credentials) as Record<string, unknown>,
    );
    await setMessageStatus(ctx, messageId, { status: "sent", platformMessageId: res.platformMessageId });
  } catch (e) {
    if (e instanceof PermanentJobError) throw e;
    if (e instanceof PlatformError && !e.retryable) return fail(`${e.code}: ${e.message}`);
    if (job.attempts >= job.max_attempts) return fail(e instanceof Error ? e.message : String(e));
    throw new RetryJobError(e instanceof Error ? e.message : String(e), e instanceof PlatformError ? e.retryAfterMs : undefined);
  }
};
