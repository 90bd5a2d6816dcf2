/** Finding or creating the customer behind a channel identity, race-free. */
import type { Tx } from "./db.js";
import { newId } from "../ids.js";

export interface IdentityRef {
  identityId: string;
  contactId: string;
  blocked: boolean;
  blacklisted: boolean;
  displayName: string;
}

export function phoneDigits(phone: string | null | undefined): string | null {
  const d = (phone ?? "").replace(/\D/g, "");
  return d || null;
}

/**
 * Two first messages of a new customer can arrive at once: the unique
 * (channel, platform user id) constraint decides, the loser reads the winner.
 */
export async function findOrCreateIdentity(
  tx: Tx,
  workspaceId: string,
  channelId: string,
  user: { userId: string; displayName?: string; phone?: string },
  now: Date,
): Promise<IdentityRef> {
  const existing = await tx
    .selectFrom("contact_identities as i")
    .innerJoin("contacts as c", "c.id", "i.contact_id")
    .select(["i.id as identityId", "c.id as contactId", "c.blocked", "c.blacklisted_at", "c.display_name"])
    .where("i.channel_id", "=", channelId)
    .where("i.platform_user_id", "=", user.userId)
    .executeTakeFirst();
  if (existing) {
    return {
      identityId: existing.identityId,
      contactId: existing.contactId,
      blocked: existing.blocked,
      blacklisted: existing.blacklisted_at !== null,
      displayName: existing.display_name,
    };
  }
  const contactId = newId(now.getTime());
  const name = user.displayName?.trim() || user.phone || `客人 ${user.userId.slice(-6)}`;
  await tx
    .insertInto("contacts")
    .values({
      id: contactId,
      workspace_id: workspaceId,
      display_name: name,
      email: null,
      phone: user.phone ?? null,
      phone_digits: phoneDigits(user.phone),
      note: null,
      avatar_url: null,
      store_member_id: null,
      profile: JSON.stringify({}),
      blacklisted_at: null,
      unsubscribed_at: null,
      last_page_url: null,
      last_page_title: null,
      last_seen_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const inserted = await tx
    .insertInto("contact_identities")
    .values({
      id: newId(now.getTime()),
      workspace_id: workspaceId,
      channel_id: channelId,
      contact_id: contactId,
      platform_user_id: user.userId,
      display_name: user.displayName ?? null,
      avatar_url: null,
      omo_binding: null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(["channel_id", "platform_user_id"]).doNothing())
    .returning(["id"])
    .executeTakeFirst();
  if (!inserted) {
    await tx.deleteFrom("contacts").where("id", "=", contactId).execute();
    return findOrCreateIdentity(tx, workspaceId, channelId, user, now);
  }
  return { identityId: inserted.id, contactId, blocked: false, blacklisted: false, displayName: name };
}
