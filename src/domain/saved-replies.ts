/**
 * Saved replies (spec/saved-replies.md): who sees one (SR-5..SR-7), who may
 * change it (SR-8), which channels may receive file items (SR-9, SR-10), and
 * search (SR-3). Pure.
 */
import { can, type Role } from "./roles.js";
import type { DomainError } from "./errors.js";

export interface Audience {
  /** SR-7: a set of roles, a set of branches, or only the creator. */
  kind: "roles" | "branches" | "only_me";
  roles?: Role[];
  branchIds?: string[];
}

export interface SavedReplyFacts {
  ownerId: string | null;
  audience: Audience;
  title: string;
  category: string | null;
  keywords: string[];
  text: string; // all text items joined, for search
  hasFiles: boolean;
}

export function visibleTo(r: SavedReplyFacts, m: { id: string; role: Role; branchId: string | null }): boolean {
  if (r.ownerId === m.id) return true;
  if (r.audience.kind === "roles") return (r.audience.roles ?? []).includes(m.role);
  if (r.audience.kind === "branches") return m.branchId !== null && (r.audience.branchIds ?? []).includes(m.branchId);
  return false; // only_me
}

export function canEdit(r: SavedReplyFacts, m: { id: string; role: Role }): boolean {
  return r.ownerId === m.id || can(m.role, "manage_any_saved_reply");
}

/** SR-3: case-insensitive substring over title, keywords and text; AND with the category. */
export function matchesSearch(r: SavedReplyFacts, q: { text?: string; category?: string }): boolean {
  if (q.category && r.category !== q.category) return false;
  const t = q.text?.trim().toLowerCase();
  if (!t) return true;
  return [r.title, ...r.keywords, r.text].some((s) => s.toLowerCase().includes(t));
}

export const FILE_CHANNELS = ["whatsapp", "messenger"] as const; // SR-9
export const SR_TEXT = {
  filesUnsupported: { zh: "目標渠道不支援發送含有檔案類型的預存回覆", en: "The target channel does not support sending saved replies that contain files" }, // SR-10
};

export function checkSavedReplyChannel(r: SavedReplyFacts, platform: string): DomainError | null {
  if (r.hasFiles && !(FILE_CHANNELS as readonly string[]).includes(platform))
    return { code: "validation", message: SR_TEXT.filesUnsupported.zh, messageEn: SR_TEXT.filesUnsupported.en };
  return null;
}
