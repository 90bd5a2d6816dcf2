/** The customer behind a channel identity (created by store/inbound.ts, race-free). */

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
