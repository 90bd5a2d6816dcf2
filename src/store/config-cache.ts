/**
 * What every inbound message of a channel reads and what rarely changes —
 * the channel row with its secrets and the workspace's keyword rules — kept
 * in memory per process, so a webhook spends no round trip on it.
 *
 * Correctness does not rest on anyone remembering to invalidate: every
 * change to channels or keyword_rules bumps the workspace's row in
 * config_versions by trigger (migration 0007), and the inbound transaction
 * reads that version in the statement it starts with anyway
 * (store/inbound.ts). A mismatch throws StaleConfig: the transaction rolls
 * back having stored nothing, the entry is dropped, and the caller runs the
 * webhook again on fresh rows (and checks its signature again). So a rule
 * changed or a channel deactivated — through the API, in another process or
 * by hand — applies to the very next message.
 */
import { sql, type RawBuilder, type Selectable } from "kysely";
import type { Db, Tx } from "./db.js";
import type { KeywordRuleRow } from "./schema.js";

export type KeywordRule = Selectable<KeywordRuleRow>;

export interface ChannelConfig {
  id: string;
  workspace_id: string;
  platform: string;
  credentials: Record<string, unknown>;
  /** The workspace's active rules that apply to this channel, in match order (priority, then age). */
  rules: KeywordRule[];
  /** config_versions.version of the workspace when these rows were read ("0": never changed). */
  version: string;
}

/** The configuration a transaction was given has changed since it was read: run it again. */
export class StaleConfig extends Error {
  constructor() {
    super("the channel's configuration changed while the request used a cached copy");
  }
}

/** The version column as the inbound statements read it (text: PGlite and node-postgres agree). */
export const configVersionOf = (workspaceId: string | RawBuilder<unknown>) =>
  sql<string>`coalesce((select version from config_versions where workspace_id = ${workspaceId}), 0)::text`;

/** The workspace's active keyword rules that apply to a channel, in match order (LIFE-47). */
export async function loadRules(db: Db | Tx, workspaceId: string, channelId: string): Promise<KeywordRule[]> {
  const rows = await db
    .selectFrom("keyword_rules")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .orderBy("priority", "desc")
    .orderBy("created_at")
    .execute();
  return rows.filter((r) => !r.channel_ids || r.channel_ids.length === 0 || r.channel_ids.includes(channelId));
}

/**
 * Reads a channel and its rules. The version is read first (with the
 * channel): a change committed between the two reads leaves this entry with
 * an older version than the rows, which the next check treats as stale.
 */
async function load(db: Db, channelId: string): Promise<ChannelConfig | null> {
  const ch = await db
    .selectFrom("channels")
    .select(["id", "workspace_id", "platform", "active", "credentials"])
    .select(sql<string>`coalesce((select version from config_versions v where v.workspace_id = channels.workspace_id), 0)::text`.as("version"))
    .where("id", "=", channelId)
    .executeTakeFirst();
  if (!ch || !ch.active) return null;
  const rules = await loadRules(db, ch.workspace_id, ch.id);
  // Shared by every request of this process: frozen, so no caller can change it for the others.
  return deepFreeze({
    id: ch.id,
    workspace_id: ch.workspace_id,
    platform: ch.platform,
    credentials: (typeof ch.credentials === "string" ? JSON.parse(ch.credentials) : (ch.credentials ?? {})) as Record<string, unknown>,
    rules,
    version: ch.version,
  });
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export class ConfigCache {
  readonly #entries = new Map<string, Promise<ChannelConfig | null>>();

  /** The active channel's configuration, or null (missing or inactive channels are never kept). */
  get(db: Db, channelId: string): Promise<ChannelConfig | null> {
    const hit = this.#entries.get(channelId);
    if (hit) return hit;
    const loading = load(db, channelId);
    this.#entries.set(channelId, loading);
    const forget = () => {
      if (this.#entries.get(channelId) === loading) this.#entries.delete(channelId);
    };
    loading.then((c) => (c ? undefined : forget()), forget);
    return loading;
  }

  /** Throws StaleConfig, forgetting the entry, when `version` (read in a transaction) is not the entry's. */
  check(config: ChannelConfig, version: string): void {
    if (version === config.version) return;
    this.invalidate(config.id);
    throw new StaleConfig();
  }

  invalidate(channelId: string): void {
    this.#entries.delete(channelId);
  }
}
