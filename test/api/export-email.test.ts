import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { SMTPServer } from "smtp-server";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

/** A local SMTP server that keeps what it receives. */
let smtp: SMTPServer;
const received: { to: string[]; raw: string }[] = [];
let t: TestApp;
let w: World;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, cb) {
      let raw = "";
      stream.on("data", (d) => (raw += d));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  const port = (smtp.server.address() as { port: number }).port;
  t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: "Parley <no-reply@parley.test>" });
  w = await makeWorld(t);
  await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { conversationExport: true } } });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

describe("conversation export by email", () => {
  it("PROF-35: the CSV goes by email to the requesting administrator; PROF-40: the export is recorded once sent", async () => {
    const { conversationId } = await w.customer("mail-1", "我想詢問訂單");
    const r = await t.req("POST", `/api/conversations/${conversationId}/export-email`, { token: w.tokens.admin });
    expect(r.status).toBe(202);
    await t.app.worker.drain();
    expect(received).toHaveLength(1);
    const admin = await w.get(w.tokens.admin, `/api/members/${w.ids.admin}`);
    expect(received[0].to).toEqual([admin.email]);
    expect(received[0].raw).toContain(`conversation-${conversationId}.csv`);
    const attachment = received[0].raw.split(/\r?\n\r?\n/).find((part, i, all) => i > 0 && all[i - 1].includes(".csv"));
    expect(Buffer.from((attachment ?? "").replace(/\s/g, ""), "base64").toString("utf8")).toContain("我想詢問訂單");
    const c = await w.get(w.tokens.admin, `/api/conversations/${conversationId}`);
    expect(c.lastExportedAt).toBe(t.clock.now().toISOString());
  });

  it("PROF-38: only administrators may request it", async () => {
    const { conversationId } = await w.customer("mail-2", "hi");
    for (const role of ["supervisor", "cs_manager", "agent"] as const)
      expect((await t.req("POST", `/api/conversations/${conversationId}/export-email`, { token: w.tokens[role] })).status).toBe(403);
  });
});
