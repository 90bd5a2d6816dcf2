/**
 * The conversation lock and its collaborators are read in one statement
 * (store/conversations.ts, store/inbound.ts): the collaborators come from the
 * statement's snapshot, taken before it waited for the lock. A transaction
 * that changed them while holding the lock must still be seen — on
 * PostgreSQL, where two transactions can actually wait on each other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { backend } from "../support/backend.js";
import { lockConversation } from "../../src/store/conversations.js";
import { recordAndFind } from "../../src/store/inbound.js";

let t: TestApp;
let w: World;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t?.close());

/** Holds the conversation's lock, adds a collaborator and bumps the row, then commits after `holdMs`. */
async function addCollaboratorWhileLocked(conversationId: string, memberId: string, holdMs: number, locked: () => void): Promise<void> {
  await t.app.ctx.db.transaction().execute(async (tx) => {
    await lockConversation(tx, w.workspaceId, conversationId);
    locked();
    await sql`insert into conversation_participants (conversation_id, member_id, workspace_id, position, added_at)
              values (${conversationId}, ${memberId}, ${w.workspaceId}, 1, now())`.execute(tx);
    await sql`update conversations set version = version + 1 where id = ${conversationId}`.execute(tx);
    await new Promise((r) => setTimeout(r, holdMs));
  });
}

describe.skipIf(backend !== "postgres")("locking a conversation with its collaborators", () => {
  it("lockConversation that waited for the lock sees the collaborator added meanwhile", async () => {
    const { conversationId } = await w.customer("lock-1", "你好");
    let signal!: () => void;
    const locked = new Promise<void>((r) => (signal = r));
    const writer = addCollaboratorWhileLocked(conversationId, w.agent2.id, 300, signal);
    await locked;
    const conv = await t.app.ctx.db.transaction().execute((tx) => lockConversation(tx, w.workspaceId, conversationId));
    await writer;
    expect(conv.collaborator_ids).toEqual([w.agent2.id]);
    expect(conv.version).toBeGreaterThan(0);
  });

  it("the inbound statement that waited for the lock sees the collaborator added meanwhile", async () => {
    const { conversationId } = await w.customer("lock-2", "你好");
    let signal!: () => void;
    const locked = new Promise<void>((r) => (signal = r));
    const writer = addCollaboratorWhileLocked(conversationId, w.ids.agent, 300, signal);
    await locked;
    const found = await t.app.ctx.db.transaction().execute((tx) =>
      recordAndFind(tx, { id: w.channelId, workspace_id: w.workspaceId }, "lock-2", { key: "lock-test-event", payload: {}, at: new Date() }),
    );
    await writer;
    expect(found.fresh).toBe(true);
    expect(found.conv?.id).toBe(conversationId);
    expect(found.conv?.collaborator_ids).toEqual([w.ids.agent]);
  });
});
