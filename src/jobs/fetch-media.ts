/**
 * The `fetch_media` job: downloads one inbound message's media through its
 * channel's adapter and keeps a copy (usecases/store-inbound-media.ts).
 * Temporary platform errors and rate limits are retried with backoff; gone,
 * refused or too large media is marked on the message at once (the platform
 * reference is kept), and so is media still unavailable after the last
 * attempt. A message that already has its copy is left alone, so a re-run
 * never downloads or stores twice.
 */
import type { JobHandler } from "./worker.js";
import { PermanentJobError, RetryJobError } from "./worker.js";
import { adapterFor } from "../channels/registry.js";
import { PlatformError, type FetchedMedia } from "../channels/types.js";
import type { DownloadErrorKind } from "../domain/inbound-media.js";
import { loadMediaTarget, markMediaUnavailable, storeInboundMedia } from "../usecases/store-inbound-media.js";

function errorKind(e: PlatformError): DownloadErrorKind {
  if (e.code === "too_large") return "too_large";
  if (e.retryable) return "unavailable";
  if (e.kind === "auth_revoked") return "auth";
  if (e.code === "404" || e.code === "410") return "not_found";
  if (e.code === "unsafe_url" || e.code === "bad_url" || e.code === "untrusted_media_host") return "refused";
  return "rejected";
}

export const fetchMediaJob: JobHandler = async (ctx, job) => {
  const messageId = String(job.payload.messageId);
  const target = await loadMediaTarget(ctx, messageId);
  if (!target) return; // deleted, already stored or marked, or nothing to fetch
  const adapter = adapterFor(target.platform);
  if (!adapter?.fetchMedia) return;
  let got: FetchedMedia;
  try {
    got = await adapter.fetchMedia(target.media, target.credentials);
  } catch (err) {
    const e = err instanceof PlatformError ? err : new PlatformError("temporary", "error", err instanceof Error ? err.message : String(err));
    const detail = `${e.code}: ${e.message}`;
    if (e.retryable && job.attempts < job.max_attempts) throw new RetryJobError(detail, e.retryAfterMs);
    await markMediaUnavailable(ctx, messageId, errorKind(e), detail);
    throw new PermanentJobError(detail);
  }
  const stored = await storeInboundMedia(ctx, messageId, got);
  if (stored.status === "too_large") throw new PermanentJobError(`too_large: ${got.bytes.length} bytes`);
};
