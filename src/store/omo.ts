/** Reads shared by the OMO binding use cases. */
import type { Db, Tx } from "./db.js";
import { AppError } from "../usecases/errors.js";

export async function isOmoWorkspace(db: Db | Tx, workspaceId: string): Promise<boolean> {
  const ws = await db.selectFrom("workspaces").select("settings").where("id", "=", workspaceId).executeTakeFirstOrThrow();
  return Boolean((ws.settings as Record<string, unknown>).omo);
}

/** A channel identity of the workspace with its platform; 404 otherwise. */
export async function omoIdentity(db: Db | Tx, workspaceId: string, identityId: string) {
  const i = await db
    .selectFrom("contact_identities as i")
    .innerJoin("channels as ch", "ch.id", "i.channel_id")
    .select(["i.id", "i.omo_binding", "ch.platform", "i.contact_id"])
    .where("i.id", "=", identityId)
    .where("i.workspace_id", "=", workspaceId)
    .executeTakeFirst();
  if (!i) throw AppError.notFound("渠道身分");
  return i;
}
