/**
 * The authorization matrix: every route the app registers × every role ×
 * own / other workspace, generated from the domain's permission table
 * (`PERMISSIONS` / `can()` in src/domain/roles.ts, the role matrix of
 * spec/README.md).
 *
 * - The list of routes comes from the app (an `onRoute` hook on every Fastify
 *   instance, see test/support/route-matrix.ts); `TABLE` below maps each one
 *   to its access rule. A route the app has and the table lacks, or the
 *   reverse, fails the first test, so a new route cannot escape the matrix.
 * - Own workspace: a member of each role calls each authenticated route on a
 *   resource of their workspace with a valid body; the call is allowed (2xx,
 *   or a declared business answer) exactly when `can(role, capability)` —
 *   computed at test time — and otherwise refused with 403 and
 *   `{ error: { code, message } }`, changing nothing.
 * - Other workspace: a member of each role of workspace B calls every route
 *   with a resource id in its path on A's resource: 404, and nothing of A changed.
 * - Anonymous: every authenticated route answers 401, changing nothing.
 *
 * What is covered elsewhere: state-dependent action rules beyond the role
 * (LIFE-25..LIFE-38: stale versions, collaborators, groups) in
 * test/domain/lifecycle*.test.ts and test/api/flow.test.ts; per-item batch
 * refusals in test/api/batch.test.ts; integration tokens, deactivated members
 * and CSRF in test/api/auth.test.ts and test/api/security.test.ts; ids of
 * another workspace inside request bodies in test/api/isolation.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";

vi.mock("fastify", async (importOriginal) => (await import("../support/route-matrix.js")).recordingFastify(await importOriginal<{ default: unknown }>()));

import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { registeredRoutes, workspaceSnapshot } from "../support/route-matrix.js";
import { ROLES, PERMISSIONS, can, type Role, type Capability } from "../../src/domain/roles.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";

// ---- the table ---------------------------------------------------------------------------

/** A capability of PERMISSIONS, or "member": any member of the workspace. */
type Rule = Capability | "member";

interface Call {
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Call with this token instead of the role's session (e.g. logout ends the session it is called with). */
  token?: string;
}

/**
 * Builds the call for a member of `role` on a resource of workspace A (the
 * path's ids are always A's). `as` is the caller's world: ids a body refers
 * to come from it, so across workspaces only the path's resource is foreign.
 * A builder may create a fresh resource (destructive routes).
 */
type Build = (role: Role, as: World) => Promise<Call> | Call;

interface Probe {
  rule: Rule;
  /** Spec rule IDs governing this probe (start the test names). */
  spec?: string;
  /** What distinguishes this probe when a route has several. */
  label?: string;
  call: Build;
  /** Non-2xx answers that still mean "allowed" (business outcomes). */
  business?: number[];
  /** Extra checks on an allowed answer. */
  then?: (res: { status: number; body: any }, role: Role) => void;
}

type Entry = { public: string } | { probes: Probe[]; /** the call across workspaces (default: the first probe's) */ cross?: Build };

const TEST_MODE = "test mode only (PARLEY_TEST_MODE, refused in production): drives the clock and empties the database";
const SIMULATOR = "platform simulators: test and demo mode only, documented as login-free (docs/testing.md)";
const WEBHOOK = "platform webhook: the channel's signature (HMAC of the raw body) or signed handshake, not a member";
const WIDGET = "website widget: an anonymous visitor with a short-lived signed visitor token";
const WIDGET_STATIC = "website widget: static loader, frame and assets";

const conv = (id: string, rest = "") => `/api/conversations/${id}${rest}`;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** Reads of one conversation: any member on a pending one (VIEW-5), team views' roles on another's processing one (VIEW-4, VIEW-5). */
const convRead = (rest: string): Probe[] => [
  { rule: "member", spec: "VIEW-5", label: "pending conversation", call: () => ({ url: conv(a.pending, rest) }) },
  { rule: "view_team", spec: "VIEW-4 VIEW-5", label: "another member's processing conversation", call: () => ({ url: conv(a.team, rest) }) },
];
/** Replies: any member who may see a pending conversation; into another's processing one only the team views' roles while collaboration is off (VIEW-25, COLLAB-6). */
const convReply = (build: (id: string) => Call, business?: number[]): Probe[] => [
  { rule: "member", spec: "VIEW-5", label: "pending conversation", call: () => build(a.pending), business },
  { rule: "view_team", spec: "VIEW-25 COLLAB-6", label: "another member's processing conversation", call: () => build(a.team), business },
];
const batch = (action: string, rule: Rule, spec: string, ids: (role: Role) => Promise<string>, then?: Probe["then"]): Probe => ({
  rule,
  spec,
  label: action,
  call: async (role, as) => ({ url: "/api/conversations/batch", body: { action, ids: [await ids(role)], ...(action === "transfer" ? { toMemberId: as.agent2.id } : {}) } }),
  then,
});
const succeeded = (n: number) => (r: { body: any }) => expect(r.body, JSON.stringify(r.body)).toMatchObject({ succeeded: n });

const TABLE: Record<string, Entry> = {
  // Public, or authenticated otherwise than as a member.
  "GET /api/openapi.json": { public: "the API description, no data" },
  "GET /api/health": { public: "health check for load balancers" },
  "POST /api/auth/login": { public: "login with email and password (rate limited, test/api/security.test.ts)" },
  "POST /api/workspaces": { public: "sign-up: a new workspace and its first administrator" },
  "GET /api/test/clock": { public: TEST_MODE },
  "POST /api/test/clock": { public: TEST_MODE },
  "POST /api/test/reset": { public: TEST_MODE },
  "GET /api/simulator/channels": { public: SIMULATOR },
  "GET /api/simulator/channels/:channelId": { public: SIMULATOR },
  "POST /api/simulator/channels/:channelId/inbound": { public: SIMULATOR },
  "POST /api/simulator/channels/:channelId/groups/:groupId/events": { public: SIMULATOR },
  "GET /api/simulator/channels/:channelId/sent": { public: SIMULATOR },
  "POST /api/simulator/channels/:channelId/failures": { public: SIMULATOR },
  "POST /api/simulator/channels/:channelId/hold": { public: SIMULATOR },
  "POST /api/simulator/channels/:channelId/release": { public: SIMULATOR },
  "POST /api/simulator/channels/:channelId/receipts": { public: SIMULATOR },
  "POST /webhooks/line/:channelId": { public: WEBHOOK },
  "GET /webhooks/meta/:channelId": { public: WEBHOOK },
  "POST /webhooks/meta/:channelId": { public: WEBHOOK },
  "GET /webhooks/whatsapp/:channelId": { public: WEBHOOK },
  "POST /webhooks/whatsapp/:channelId": { public: WEBHOOK },
  "GET /webhooks/wechat/:channelId": { public: WEBHOOK },
  "POST /webhooks/wechat/:channelId": { public: WEBHOOK },
  "POST /widget/api/sessions": { public: WIDGET },
  "GET /widget/api/messages": { public: WIDGET },
  "POST /widget/api/messages": { public: WIDGET },
  "POST /widget/api/uploads": { public: WIDGET },
  "GET /widget/api/uploads/:id": { public: "a visitor's image by its unguessable id" },
  "POST /widget/api/read": { public: WIDGET },
  "GET /widget/loader.js": { public: WIDGET_STATIC },
  "GET /widget/frame.html": { public: WIDGET_STATIC },
  "GET /widget/assets/:file": { public: WIDGET_STATIC },
  "GET /media/:id/:token": { public: "sent media by an unguessable token (platforms fetch it)" },

  // Session, preferences, tokens.
  "POST /api/auth/logout": { probes: [{ rule: "member", call: async (role) => ({ url: "/api/auth/logout", token: await freshSession(role) }) }] },
  "GET /api/me": { probes: [{ rule: "member", call: () => ({ url: "/api/me" }) }] },
  "GET /api/me/preferences": { probes: [{ rule: "member", spec: "VIEW-8 PROF-7", call: () => ({ url: "/api/me/preferences" }) }] },
  "PATCH /api/me/preferences": { probes: [{ rule: "member", spec: "VIEW-8 PROF-7", call: () => ({ url: "/api/me/preferences", body: { profileHidden: false } }) }] },
  "POST /api/tokens": {
    probes: [
      { rule: "member", label: "member token", call: () => ({ url: "/api/tokens", body: { name: "matrix", member: true } }) },
      { rule: "manage_workspace", label: "workspace integration token", call: () => ({ url: "/api/tokens", body: { name: "matrix" } }) },
    ],
  },

  // Workspace, members, places, channels.
  "GET /api/workspace": { probes: [{ rule: "member", call: () => ({ url: "/api/workspace" }) }] },
  "PATCH /api/workspace": { probes: [{ rule: "manage_workspace", call: () => ({ url: "/api/workspace", body: { settings: { timeZone: "Asia/Taipei" } } }) }] },
  "GET /api/regions": { probes: [{ rule: "member", call: () => ({ url: "/api/regions" }) }] },
  "POST /api/regions": { probes: [{ rule: "manage_workspace", call: () => ({ url: "/api/regions", body: { name: uid("region") } }) }] },
  "GET /api/branches": { probes: [{ rule: "member", call: () => ({ url: "/api/branches" }) }] },
  "POST /api/branches": { probes: [{ rule: "manage_workspace", call: () => ({ url: "/api/branches", body: { name: uid("branch") } }) }] },
  "GET /api/members": { probes: [{ rule: "member", call: () => ({ url: "/api/members" }) }] },
  "POST /api/members": { probes: [{ rule: "manage_workspace", call: () => ({ url: "/api/members", body: { email: `${uid("new")}@matrix.test`, name: "New", role: "agent" } }) }] },
  "GET /api/members/:id": { probes: [{ rule: "member", call: () => ({ url: `/api/members/${a.spare}` }) }] },
  "PATCH /api/members/:id": {
    probes: [
      { rule: "manage_workspace", label: "another member", call: () => ({ url: `/api/members/${a.spare}`, body: { name: "Spare" } }) },
      { rule: "member", label: "themselves, name only", call: (role, as) => ({ url: `/api/members/${as.ids[role]}`, body: { name: as.names[role] } }) },
    ],
  },
  "POST /api/members/:id/deactivate": { probes: [{ rule: "manage_workspace", spec: "LIFE-46", call: async () => ({ url: `/api/members/${await freshMember()}/deactivate` }) }] },
  "POST /api/members/:id/activate": { probes: [{ rule: "manage_workspace", spec: "LIFE-46", call: () => ({ url: `/api/members/${a.spare}/activate` }) }] },
  "GET /api/channels": { probes: [{ rule: "member", call: () => ({ url: "/api/channels" }) }] },
  "POST /api/channels": { probes: [{ rule: "manage_workspace", call: () => ({ url: "/api/channels", body: { platform: "api", name: uid("channel") } }) }] },
  "GET /api/channels/:id": { probes: [{ rule: "member", call: () => ({ url: `/api/channels/${A.channelId}` }) }] },
  // The integrator's endpoints of an API channel: a customer's message and delivery receipts are not a member's to forge.
  "POST /api/channels/:id/inbound": {
    probes: [{ rule: "manage_workspace", label: "integrator: customer message", call: () => ({ url: `/api/channels/${A.channelId}/inbound`, body: { userId: uid("u"), messageId: uid("msg"), text: "matrix" } }) }],
  },
  "POST /api/channels/:id/statuses": {
    probes: [{ rule: "manage_workspace", label: "integrator: delivery receipt", call: () => ({ url: `/api/channels/${A.channelId}/statuses`, body: { messageId: a.agent2Message, status: "sent" } }) }],
  },

  // Conversation lists.
  "GET /api/conversations": {
    probes: [
      { rule: "member", spec: "VIEW-1", label: "pending view", call: () => ({ url: "/api/conversations?view=pending_human" }) },
      { rule: "member", spec: "VIEW-1", label: "my processing view", call: () => ({ url: "/api/conversations?view=my_processing" }) },
      { rule: "view_team", spec: "VIEW-4", label: "team processing view", call: () => ({ url: "/api/conversations?view=team_processing" }) },
      { rule: "view_team", spec: "VIEW-4", label: "team closed view", call: () => ({ url: "/api/conversations?view=team_closed" }) },
    ],
  },
  "GET /api/conversations/search": { probes: [{ rule: "member", spec: "VIEW-29", call: () => ({ url: "/api/conversations/search?name=matrix" }) }] },
  "GET /api/conversations/counts": { probes: [{ rule: "member", spec: "VIEW-1", call: () => ({ url: "/api/conversations/counts" }) }] },
  "GET /api/notifications": { probes: [{ rule: "member", call: () => ({ url: "/api/notifications" }) }] },
  "POST /api/conversations/batch": {
    probes: [
      batch("follow", "follow_pending", "VIEW-39 LIFE-33", () => freshPending(), succeeded(1)),
      batch("close", "member", "VIEW-39", () => freshPending(), succeeded(1)),
      batch("transfer", "transfer", "VIEW-46 LIFE-31 LIFE-32", (role) => freshFollowedBy(role), succeeded(1)),
      batch("delete", "batch_delete_blacklist", "VIEW-53", () => freshPending(), succeeded(1)),
      batch("blacklist", "batch_delete_blacklist", "VIEW-53", () => freshPending(), succeeded(1)),
      // The route admits every member; whether each conversation reopens is the per-item rule (LIFE-33 team closed).
      batch("reopen", "member", "VIEW-39 LIFE-33", () => freshClosedBy("agent2"), (r, role) => succeeded(can(role, "reopen_team_closed") ? 1 : 0)(r)),
    ],
  },

  // One conversation: reads.
  "GET /api/conversations/:id": { probes: convRead("") },
  "POST /api/conversations/:id/view": { probes: convRead("/view") },
  "GET /api/conversations/:id/status-log": { probes: convRead("/status-log") },
  "GET /api/conversations/:id/messages": { probes: convRead("/messages") },
  "GET /api/conversations/:id/sticker-packs": { probes: convRead("/sticker-packs") },

  // One conversation: replies.
  "POST /api/conversations/:id/messages": { probes: convReply((id) => ({ url: conv(id, "/messages"), body: { text: "matrix reply" } })) },
  "POST /api/conversations/:id/attachments": { probes: convReply((id) => ({ url: conv(id, "/attachments?fileName=m.png&kind=image"), body: PNG, headers: { "content-type": "image/png" } })) },
  // The matrix's conversations are on an API channel, which sends no stickers: allowed roles get the channel's refusal (MEDIA-17).
  "POST /api/conversations/:id/stickers": { probes: convReply((id) => ({ url: conv(id, "/stickers"), body: { packageId: "446", stickerId: "1988" } }), [400]) },
  "POST /api/conversations/:id/saved-replies/:savedReplyId": { probes: convReply((id) => ({ url: conv(id, `/saved-replies/${a.sharedReply}`) })) },

  // One conversation: the lifecycle actions (LIFE-25 table; states chosen so only the role decides).
  "POST /api/conversations/:id/follow": { probes: [{ rule: "follow_pending", spec: "LIFE-33", label: "pending", call: async () => ({ url: conv(await freshPending(), "/follow"), body: {} }) }] },
  "POST /api/conversations/:id/take-over": { probes: [{ rule: "take_over", spec: "LIFE-33 GROUP-71", label: "team processing", call: async () => ({ url: conv(await freshFollowedBy("agent2"), "/take-over"), body: {} }) }] },
  "POST /api/conversations/:id/transfer": {
    probes: [{ rule: "transfer", spec: "LIFE-31 LIFE-32", label: "as its follower", call: async (role, as) => ({ url: conv(await freshFollowedBy(role), "/transfer"), body: { toMemberId: as.agent2.id } }) }],
  },
  "POST /api/conversations/:id/close": {
    probes: [
      { rule: "member", spec: "LIFE-33", label: "as its follower", call: async (role) => ({ url: conv(await freshFollowedBy(role), "/close"), body: {} }) },
      { rule: "follow_pending", spec: "LIFE-25 LIFE-33", label: "pending", call: async () => ({ url: conv(await freshPending(), "/close"), body: {} }) },
    ],
  },
  "POST /api/conversations/:id/reopen": {
    probes: [
      { rule: "reopen_team_closed", spec: "LIFE-33 GROUP-75", label: "team closed", call: async () => ({ url: conv(await freshClosedBy("agent2"), "/reopen"), body: {} }) },
      { rule: "member", spec: "LIFE-33", label: "my closed", call: async (role) => ({ url: conv(await freshClosedBy(role), "/reopen"), body: {} }) },
    ],
  },
  "DELETE /api/conversations/:id": { probes: [{ rule: "delete_conversation", spec: "PROF-42 PROF-43", call: async () => ({ url: conv(await freshPending()) }) }] },
  "POST /api/conversations/:id/blacklist": {
    probes: [{ rule: "delete_conversation", spec: "PROF-42 VIEW-52 VIEW-53", label: "blacklisting deletes the history", call: async () => ({ url: conv(await freshPending(), "/blacklist") }) }],
  },

  // One conversation: panel tools.
  "POST /api/conversations/:id/active": {
    probes: [
      { rule: "member", spec: "PROF-31 VIEW-5", label: "pending conversation", call: () => ({ url: conv(a.pending, "/active"), body: { active: true } }) },
      { rule: "view_team", spec: "PROF-31 VIEW-5", label: "another member's processing conversation", call: () => ({ url: conv(a.team, "/active"), body: { active: true } }) },
    ],
  },
  "POST /api/conversations/:id/pin": { probes: [{ rule: "member", spec: "ADV-11", label: "my processing", call: (role) => ({ url: conv(a.mine[role], "/pin") }) }] },
  "DELETE /api/conversations/:id/pin": { probes: [{ rule: "member", spec: "ADV-11", label: "my processing", call: (role) => ({ url: conv(a.mine[role], "/pin") }) }] },
  "GET /api/conversations/:id/export.csv": { probes: [{ rule: "export_conversation", spec: "PROF-38 PROF-39", label: "export admin-only", call: () => ({ url: conv(a.pending, "/export.csv") }) }] },
  "POST /api/conversations/:id/export-email": {
    probes: [{ rule: "export_conversation", spec: "PROF-38 PROF-40", label: "export admin-only", call: () => ({ url: conv(a.pending, "/export-email") }) }],
  },

  // Customers, tags, blacklist.
  "GET /api/contacts/:id": { probes: [{ rule: "member", spec: "PROF-1", call: () => ({ url: `/api/contacts/${a.contact}` }) }] },
  "PATCH /api/contacts/:id": { probes: [{ rule: "member", spec: "PROF-6 PROF-8", call: () => ({ url: `/api/contacts/${a.contact}`, body: { note: "matrix" } }) }] },
  "POST /api/contacts/:id/tags": { probes: [{ rule: "member", spec: "PROF-10 PROF-14", call: (_role, as) => ({ url: `/api/contacts/${a.contact}/tags`, body: { tagId: tagOf(as), confirmRepeat: true } }) }] },
  "DELETE /api/contacts/:id/tags/:tagId": { probes: [{ rule: "member", spec: "PROF-12 PROF-17", call: async () => ({ url: `/api/contacts/${a.contact}/tags/${await freshTagOnContact()}` }) }] },
  "GET /api/contacts/:id/tag-frequency": { probes: [{ rule: "member", spec: "PROF-16", call: () => ({ url: `/api/contacts/${a.contact}/tag-frequency` }) }] },
  "GET /api/contacts/:id/commerce": { probes: [{ rule: "member", spec: "PROF-27", call: () => ({ url: `/api/contacts/${a.contact}/commerce` }) }] },
  "GET /api/tags": { probes: [{ rule: "member", spec: "PROF-10", call: () => ({ url: "/api/tags" }) }] },
  "POST /api/tags": { probes: [{ rule: "member", spec: "PROF-13", call: () => ({ url: "/api/tags", body: { name: uid("tag") } }) }] },
  "GET /api/tags/export.csv": {
    probes: [{ rule: "export_tags", spec: "PROF-22", label: "tag export", call: () => ({ url: "/api/tags/export.csv?type=statistics&from=2026-02-20T00:00:00Z&to=2026-03-03T00:00:00Z" }) }],
  },
  "GET /api/blacklist": { probes: [{ rule: "batch_delete_blacklist", spec: "VIEW-54", call: () => ({ url: "/api/blacklist" }) }] },
  "DELETE /api/blacklist/:id": { probes: [{ rule: "batch_delete_blacklist", spec: "VIEW-54", call: async () => ({ url: `/api/blacklist/${await freshBlacklisted()}` }) }] },

  // OMO binding and the store integration (administrators or the workspace's integration token).
  "GET /api/identities/:identityId/omo-binding": { probes: [{ rule: "member", spec: "PROF-44 PROF-46", call: () => ({ url: `/api/identities/${a.lineIdentity}/omo-binding` }) }] },
  "DELETE /api/identities/:identityId/omo-binding": { probes: [{ rule: "unbind_omo", spec: "PROF-45", label: "unbind", call: async () => ({ url: `/api/identities/${await rebound()}/omo-binding` }) }] },
  "PUT /api/integrations/omo-bindings/:identityId": {
    probes: [{ rule: "manage_workspace", spec: "PROF-44", label: "integrator", call: (_role, as) => ({ url: `/api/integrations/omo-bindings/${a.lineIdentity}`, body: { memberId: as.ids.sales } }) }],
  },
  "POST /api/integrations/bindings": {
    probes: [{ rule: "manage_workspace", spec: "PROF-25", label: "integrator", call: async () => ({ url: "/api/integrations/bindings", body: { storeMemberId: uid("store"), channelId: A.channelId, platformUserId: await freshCustomerUserId() } }) }],
  },
  "PUT /api/integrations/carts/:id": { probes: [{ rule: "manage_workspace", spec: "PROF-27", label: "integrator", call: () => ({ url: `/api/integrations/carts/${a.contact}`, body: { items: [] } }) }] },
  "POST /api/integrations/orders": {
    probes: [
      {
        rule: "manage_workspace",
        spec: "PROF-27",
        label: "integrator",
        call: () => ({ url: "/api/integrations/orders", body: { externalId: uid("order"), contactId: a.contact, status: "paid", total: 100, currency: "TWD", placedAt: "2026-03-01T00:00:00Z" } }),
      },
    ],
  },

  // Rules, saved replies, products.
  "GET /api/keyword-rules": { probes: [{ rule: "member", spec: "LIFE-15", call: () => ({ url: "/api/keyword-rules" }) }] },
  "POST /api/keyword-rules": { probes: [{ rule: "manage_workspace", spec: "LIFE-15", call: () => ({ url: "/api/keyword-rules", body: { kind: "auto_reply", keywords: [uid("kw")], replies: [{ text: "r" }] } }) }] },
  // The body repeats `replies`: the route's partial schema keeps RuleBody's defaults, so a PATCH without them is refused (reported, not an authorization matter).
  "PATCH /api/keyword-rules/:id": { probes: [{ rule: "manage_workspace", spec: "LIFE-15", call: () => ({ url: `/api/keyword-rules/${a.rule}`, body: { name: "matrix rule", replies: [{ text: "r" }] } }) }] },
  "DELETE /api/keyword-rules/:id": { probes: [{ rule: "manage_workspace", spec: "LIFE-15", call: async () => ({ url: `/api/keyword-rules/${await freshRule()}` }) }] },
  "GET /api/community-codes": { probes: [{ rule: "member", spec: "LIFE-14", call: () => ({ url: "/api/community-codes" }) }] },
  "POST /api/community-codes": { probes: [{ rule: "manage_workspace", spec: "LIFE-14", call: () => ({ url: "/api/community-codes", body: { code: "123456" } }) }] },
  "GET /api/saved-replies": { probes: [{ rule: "member", spec: "SR-3", call: () => ({ url: "/api/saved-replies" }) }] },
  "POST /api/saved-replies": { probes: [{ rule: "member", spec: "SR-8", call: () => ({ url: "/api/saved-replies", body: savedReplyBody() }) }] },
  "PATCH /api/saved-replies/:id": {
    probes: [
      { rule: "manage_any_saved_reply", spec: "SR-8", label: "someone else's", call: () => ({ url: `/api/saved-replies/${a.sharedReply}`, body: { title: "shared" } }) },
      { rule: "member", spec: "SR-8", label: "their own", call: async (role) => ({ url: `/api/saved-replies/${await freshSavedReply(role)}`, body: { title: "mine" } }) },
    ],
  },
  "DELETE /api/saved-replies/:id": {
    probes: [
      { rule: "manage_any_saved_reply", spec: "SR-8", label: "someone else's", call: async () => ({ url: `/api/saved-replies/${await freshSavedReply("agent2")}` }) },
      { rule: "member", spec: "SR-8", label: "their own", call: async (role) => ({ url: `/api/saved-replies/${await freshSavedReply(role)}` }) },
    ],
  },
  "GET /api/products": { probes: [{ rule: "member", call: () => ({ url: "/api/products" }) }] },
  "PUT /api/products": { probes: [{ rule: "manage_workspace", label: "integrator", call: () => ({ url: "/api/products", body: { items: [{ externalId: "p1", name: "P", url: "https://shop.test/p1" }] } }) }] },
};

// ---- the worlds ----------------------------------------------------------------------------

let t: TestApp;
let A: World;
let B: World;
/** Workspace A's long-lived resources (the destructive probes make fresh ones). */
const a = {} as {
  pending: string; // a pending conversation: every role may see it
  team: string; // processing, followed by agent2: another member's (team processing for every role)
  mine: Record<Role, string>; // processing, followed by the role's member
  contact: string;
  agent2Message: string;
  spare: string; // a member to edit and activate
  rule: string;
  sharedReply: string; // agent2's saved reply, audience: every role
  lineIdentity: string; // a LINE identity (OMO binding)
  emails: Record<Role, string>;
};
const tags = new Map<World, string>();
const tagOf = (w: World) => tags.get(w)!;

let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;
const PW = "password-123";
type Who = Role | "agent2";
const tokenOf = (w: World, who: Who) => (who === "agent2" ? w.agent2.token : w.tokens[who]);

async function ok(r: Promise<{ status: number; body: any }> | { status: number; body: any }, what: string) {
  const res = await r;
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}
const freshPending = async () => (await A.customer(uid("mx"), "matrix")).conversationId as string;
async function freshCustomerUserId() {
  const user = uid("mx");
  await A.customer(user, "matrix");
  return user;
}
async function freshFollowedBy(who: Who) {
  const id = await freshPending();
  await ok(A.act(who, id, "follow"), `${who} follows`);
  return id;
}
async function freshClosedBy(who: Who) {
  const id = await freshFollowedBy(who);
  await ok(A.act(who, id, "close"), `${who} closes`);
  return id;
}
async function freshSession(role: Role) {
  return (await ok(t.req("POST", "/api/auth/login", { body: { email: a.emails[role], password: PW, workspaceId: A.workspaceId } }), "login")).token as string;
}
const freshMember = async () => (await ok(t.req("POST", "/api/members", { token: A.tokens.admin, body: { email: `${uid("fresh")}@matrix.test`, name: "Fresh", role: "agent" } }), "member")).id as string;
async function freshBlacklisted() {
  const id = await freshPending();
  const contact = (await A.get(A.tokens.admin, conv(id))).contact.id as string;
  await ok(t.req("POST", conv(id, "/blacklist"), { token: A.tokens.admin }), "blacklist");
  return contact;
}
const freshTagOnContact = async () => (await ok(t.req("POST", `/api/contacts/${a.contact}/tags`, { token: A.tokens.admin, body: { name: uid("t") } }), "tag")).tag.id as string;
const freshRule = async () => (await ok(t.req("POST", "/api/keyword-rules", { token: A.tokens.admin, body: { kind: "auto_reply", keywords: [uid("kw")], replies: [{ text: "r" }] } }), "rule")).id as string;
const savedReplyBody = () => ({ title: uid("sr"), items: [{ kind: "text", text: "您好 {{system:customer_name}}" }], audience: { kind: "roles", roles: [...ROLES] } });
const freshSavedReply = async (who: Who) => (await ok(t.req("POST", "/api/saved-replies", { token: tokenOf(A, who), body: savedReplyBody() }), "saved reply")).id as string;
async function rebound() {
  await ok(t.req("PUT", `/api/integrations/omo-bindings/${a.lineIdentity}`, { token: A.integration, body: { memberId: A.ids.sales } }), "bind");
  return a.lineIdentity;
}

/** Every optional feature on (so no feature gate answers before the rule does), collaboration off (VIEW-25 replies from team views). */
async function configure(w: World) {
  const settings = (await w.get(w.tokens.admin, "/api/workspace")).settings as Record<string, unknown>;
  const features = Object.fromEntries(Object.entries(settings).filter(([, v]) => typeof v === "boolean").map(([k]) => [k, k !== "collaboration"]));
  await ok(t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: features } }), "settings");
  tags.set(w, (await ok(t.req("POST", "/api/tags", { token: w.tokens.admin, body: { name: "VIP" } }), "tag")).id);
}

beforeAll(async () => {
  // Mail configured so the export-email route reaches its rule; the worker never runs, nothing is sent.
  t = await startTestApp({ smtpUrl: "smtp://127.0.0.1:9", mailFrom: "Parley <no-reply@parley.test>" });
  const req = t.req.bind(t);
  t.req = (...args) => {
    requests++;
    return req(...args);
  };
  A = await makeWorld(t, "mx-a");
  B = await makeWorld(t, "mx-b");
  await configure(A);
  await configure(B);
  a.emails = {} as Record<Role, string>;
  for (const role of ROLES) a.emails[role] = (await A.get(A.tokens[role], "/api/me")).member.email;
  a.pending = await freshPending();
  a.team = await freshFollowedBy("agent2");
  a.agent2Message = (await ok(t.req("POST", conv(a.team, "/messages"), { token: A.agent2.token, body: { text: "agent2's reply" } }), "reply")).id;
  a.mine = {} as Record<Role, string>;
  for (const role of ROLES) a.mine[role] = await freshFollowedBy(role);
  a.contact = (await A.get(A.tokens.admin, conv(a.pending))).contact.id;
  await ok(t.req("POST", `/api/contacts/${a.contact}/tags`, { token: A.tokens.admin, body: { tagId: tagOf(A) } }), "tag");
  a.spare = await freshMember();
  a.rule = await freshRule();
  a.sharedReply = await freshSavedReply("agent2");
  const line = await ok(t.req("POST", "/api/channels", { token: A.tokens.admin, body: { platform: "line", name: "LINE", credentials: { channelSecret: "s" } } }), "LINE channel");
  const r = await receiveCustomerEvent(t.app.ctx, { id: line.id, workspace_id: A.workspaceId, platform: "line" }, { type: "message", eventKey: "mx-line-1", at: t.clock.now(), sender: { userId: "U-matrix" }, platformMessageId: "mx-line-1", message: { kind: "text", text: "hi" } });
  if (r.status !== "stored") throw new Error("LINE customer not stored");
  const lineContact = (await A.get(A.tokens.admin, conv(r.conversationId))).contact.id;
  a.lineIdentity = (await A.get(A.tokens.admin, `/api/contacts/${lineContact}`)).identities[0].id;
  await rebound();
}, 120_000);
afterAll(() => t?.close());

// ---- running a call --------------------------------------------------------------------------

const methodOf = (route: string) => route.split(" ")[0];
const ruleText = (rule: Rule) => (rule === "member" ? "any member" : `${rule}: ${PERMISSIONS[rule].join(", ") || "nobody"}`);
const allows = (role: Role, rule: Rule) => rule === "member" || can(role, rule);
/** Requests made so far (every call goes through t.req): a snapshot taken with no request since is still A's state. */
let requests = 0;
let lastSnapshot: { at: number; rows: Promise<Record<string, string>> } | null = null;
function snapshotA() {
  if (lastSnapshot?.at !== requests) lastSnapshot = { at: requests, rows: workspaceSnapshot(t.app.ctx.db, A.workspaceId) };
  return lastSnapshot.rows;
}

async function send(route: string, call: Call, token: string | undefined) {
  const method = methodOf(route);
  return t.req(method, call.url, { token, body: method === "GET" ? undefined : call.body, headers: call.headers });
}

function expectError(res: { status: number; body: any }, status: number, codes: string[], label: string) {
  expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.body, label).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.stringMatching(/\S/) }) });
  expect(codes, `${label}: error code`).toContain(res.body.error.code);
}

const authenticated = Object.entries(TABLE).filter((e): e is [string, { probes: Probe[]; cross?: Build }] => "probes" in e[1]);
const withPathIds = authenticated.filter(([route]) => route.includes("/:"));
const title = (route: string, p: Probe) => [p.spec, route, p.label ? `[${p.label}]` : ""].filter(Boolean).join(" ");

// ---- the tests -----------------------------------------------------------------------------

describe("authorization matrix: the table covers the app", () => {
  it("every route the app registers is in the table, and every route of the table is registered", () => {
    const routes = registeredRoutes(t.app.server);
    expect(routes.size).toBeGreaterThanOrEqual(80);
    const missing = [...routes.keys()].filter((k) => !(k in TABLE));
    expect(missing, "routes the app registers that the matrix does not know: add each to TABLE with its access rule").toEqual([]);
    const gone = Object.keys(TABLE).filter((k) => !routes.has(k));
    expect(gone, "routes in TABLE the app no longer registers").toEqual([]);
  });

  it("the table agrees with each route's own declaration: public under /api/ exactly when it declares security: [], and everything outside /api/ is public", () => {
    const routes = registeredRoutes(t.app.server);
    const wrong: string[] = [];
    for (const [key, r] of routes) {
      const entry = TABLE[key];
      if (!entry) continue;
      const tablePublic = "public" in entry;
      if (r.url.startsWith("/api/") ? tablePublic !== r.public : !tablePublic) wrong.push(`${key}: table ${tablePublic ? "public" : "authenticated"}, route ${r.public ? "public" : "authenticated"}`);
    }
    expect(wrong).toEqual([]);
    // Every authenticated entry has at least one probe and every rule is a capability of PERMISSIONS (or "member").
    for (const [route, e] of authenticated) {
      expect(e.probes.length, route).toBeGreaterThan(0);
      for (const p of e.probes) expect(p.rule === "member" || p.rule in PERMISSIONS, `${route} ${p.rule}`).toBe(true);
    }
  });
});

describe("authorization matrix: the workspace snapshot", () => {
  it("sees a change (so 'A is unchanged' below is not vacuous) and is stable when nothing happens", async () => {
    const before = await workspaceSnapshot(t.app.ctx.db, A.workspaceId);
    expect(await workspaceSnapshot(t.app.ctx.db, A.workspaceId)).toEqual(before);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["workspaces", "conversations", "messages", "contacts", "members", "saved_replies", "keyword_rules"]));
    await ok(t.req("PATCH", `/api/contacts/${a.contact}`, { token: A.tokens.admin, body: { note: uid("snapshot") } }), "note");
    const after = await workspaceSnapshot(t.app.ctx.db, A.workspaceId);
    expect(Object.keys(after).filter((k) => after[k] !== before[k])).toEqual(["contacts"]);
  });
});

describe("authorization matrix: own workspace, every authenticated route × every role", () => {
  for (const [route, entry] of authenticated) {
    for (const p of entry.probes) {
      describe(title(route, p), () => {
        for (const role of ROLES) {
          const allowed = allows(role, p.rule);
          it(`${title(route, p)}: ${role} is ${allowed ? "allowed" : "refused with 403"} (${ruleText(p.rule)})`, async () => {
            const call = await p.call(role, A);
            const label = `${route} ${p.label ?? ""} as ${role}`;
            if (allowed) {
              const res = await send(route, call, call.token ?? A.tokens[role]);
              const okStatus = (res.status >= 200 && res.status < 300) || (p.business ?? []).includes(res.status);
              expect(okStatus, `${label}: ${res.status} ${JSON.stringify(res.body)}`).toBe(true);
              p.then?.(res, role);
            } else {
              const before = await snapshotA();
              const res = await send(route, call, call.token ?? A.tokens[role]);
              expectError(res, 403, ["forbidden", "not_visible"], label);
              expect(await snapshotA(), `${label} changed workspace A`).toEqual(before);
            }
          });
        }
      });
    }
  }
});

describe("authorization matrix: another workspace's resource is not found, for every role", () => {
  for (const [route, entry] of withPathIds) {
    const build = entry.cross ?? entry.probes[0].call;
    const spec = entry.probes[0].spec;
    describe(`${spec ? `${spec} ` : ""}${route}`, () => {
      for (const role of ROLES) {
        it(`${route}: workspace B's ${role} gets 404 for workspace A's resource, and A is unchanged`, async () => {
          const call = await build(role, B);
          const before = await snapshotA();
          const res = await send(route, { ...call, token: undefined }, B.tokens[role]);
          expectError(res, 404, ["not_found"], `${route} as B's ${role}`);
          expect(await snapshotA(), `${route} as B's ${role} changed workspace A`).toEqual(before);
        });
      }
    });
  }
});

describe("authorization matrix: anonymous callers", () => {
  for (const [route, entry] of authenticated) {
    it(`${route}: without credentials is 401, and nothing changes`, async () => {
      const call = await entry.probes[0].call("admin", A);
      const before = await snapshotA();
      const res = await send(route, call, undefined);
      expectError(res, 401, ["unauthorized"], `${route} anonymous`);
      expect(await snapshotA(), `${route} anonymous changed workspace A`).toEqual(before);
    });
  }
});
