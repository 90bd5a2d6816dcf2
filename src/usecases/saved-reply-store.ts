/** Loading saved replies and mapping them to the domain's facts. */
import type { Db } from "../store/db.js";
import type { SavedReplyFacts, Audience } from "../domain/saved-replies.js";
import { AppError } from "./errors.js";

export type SavedReplyItem = { kind: "text"; text: string } | { kind: "image" | "video" | "file"; url: string; fileName?: string };

export interface SavedReply {
  id: string;
  title: string;
  category: string | null;
  keywords: string[];
  items: SavedReplyItem[];
  audience: Audience;
  ownerId: string | null;
  kind: "custom" | "bot";
}

type Row = { id: string; title: string; category: string | null; items: unknown; audience: unknown; owner_member_id: string | null; kind: string };

export function fromRow(r: Row): SavedReply {
  const audience = (typeof r.audience === "string" ? JSON.parse(r.audience) : r.audience) as Audience & { keywords?: string[] };
  const items = (typeof r.items === "string" ? JSON.parse(r.items) : r.items) as SavedReplyItem[];
  return { id: r.id, title: r.title, category: r.category, keywords: audience.keywords ?? [], items, audience: { kind: audience.kind, roles: audience.roles, branchIds: audience.branchIds }, ownerId: r.owner_member_id, kind: r.kind as SavedReply["kind"] };
}

export function toSavedReplyFacts(r: SavedReply): SavedReplyFacts {
  return {
    ownerId: r.ownerId,
    audience: r.audience,
    title: r.title,
    category: r.category,
    keywords: r.keywords,
    text: r.items.map((i) => (i.kind === "text" ? i.text : (i.fileName ?? ""))).join("\n"),
    hasFiles: r.items.some((i) => i.kind === "file"),
  };
}

export async function loadSavedReply(db: Db, workspaceId: string, id: string): Promise<SavedReply> {
  const r = await db.selectFrom("saved_replies").selectAll().where("id", "=", id).where("workspace_id", "=", workspaceId).executeTakeFirst();
  if (!r) throw AppError.notFound("預存回覆");
  return fromRow(r);
}
