/**
 * The system under test: a fresh database (PGlite in a temporary folder, or a
 * new PostgreSQL database bench_<random> on DATABASE_URL's server, dropped
 * afterwards), a real Parley app listening on 127.0.0.1:0, and the fixtures
 * every phase shares: one workspace, an admin, N agents with console
 * sessions, and LINE/WhatsApp channels with known secrets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createApp, type App } from "../src/app.js";
import { loadConfig, type Config } from "../src/config.js";
import { createWorkspace } from "../src/usecases/create-workspace.js";
import { hashToken, newToken } from "../src/usecases/auth.js";
import { newId } from "../src/ids.js";
import type { Db } from "../src/store/db.js";

export type BackendKind = "pglite" | "postgres";

export interface BenchDatabase {
  kind: BackendKind;
  /** postgres: the bench database's URL. */
  url?: string;
  /** pglite: the data folder (undefined = in memory). */
  dataDir?: string;
  label: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one run. */
export async function createBenchDatabase(databaseUrl: string | undefined, pgliteInMemory = false): Promise<BenchDatabase> {
  if (!databaseUrl) {
    if (pgliteInMemory) return { kind: "pglite", label: "PGlite (in memory)", drop: async () => {} };
    const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
    return { kind: "pglite", dataDir: dir, label: `PGlite (data folder ${dir})`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `bench_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(databaseUrl);
  u.pathname = `/${name}`;
  return {
    kind: "postgres",
    url: u.toString(),
    label: `PostgreSQL database ${name} on ${u.hostname}:${u.port || 5432}`,
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Production-like configuration (real clock, no test mode), loopback only, on the bench
 * database; DATABASE_POOL_SIZE is taken from the environment so pool sizes can be compared.
 */
export function benchConfig(d: BenchDatabase): Config {
  return {
    ...loadConfig({ DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE, INGEST_BATCHES: process.env.INGEST_BATCHES }),
    port: 0,
    host: "127.0.0.1",
    dataDir: d.kind === "pglite" ? (d.dataDir ?? ":memory:") : ":memory:",
    databaseUrl: d.url,
    redisUrl: undefined,
    testMode: false,
    publicUrl: "http://127.0.0.1",
    seedDemo: false,
    secureCookies: false,
    allowPlatformUrls: false,
  };
}

export interface Running {
  app: App;
  /** http://127.0.0.1:<port> */
  origin: string;
}

export async function startServer(d: BenchDatabase): Promise<Running> {
  const app = await createApp(benchConfig(d), { logger: false, runJobs: true });
  await app.listen();
  const { port } = app.server.server.address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}` };
}

export interface ChannelFixture {
  id: string;
  platform: "line" | "whatsapp" | "messenger" | "instagram";
  /** LINE channel secret or WhatsApp app secret. */
  secret: string;
  phoneNumberId?: string;
}

export interface Fixtures {
  workspaceId: string;
  admin: { id: string; token: string };
  agents: { id: string; token: string }[];
  line: ChannelFixture;
  whatsapp: ChannelFixture;
  /** Every channel generated conversations are spread over (LINE, WhatsApp, Messenger, Instagram). */
  channels: ChannelFixture[];
}

async function session(db: Db, workspaceId: string, memberId: string): Promise<string> {
  const token = newToken("ps");
  const now = new Date();
  await db
    .insertInto("sessions")
    .values({ token_hash: hashToken(token), member_id: memberId, workspace_id: workspaceId, created_at: now, expires_at: new Date(now.getTime() + 7 * 86_400_000) })
    .execute();
  return token;
}

/**
 * One workspace with an admin and `agents` agents, each with a console
 * session (inserted as login would, without paying argon2 per member), and
 * four channels.
 */
export async function createFixtures(app: App, agents: number, label = "bench"): Promise<Fixtures> {
  const { ctx } = app;
  const db = ctx.db;
  const ws = await createWorkspace(ctx, { name: `${label} ${randomBytes(3).toString("hex")}`, admin: { email: `admin@${label}.test`, password: randomBytes(12).toString("hex"), name: "Bench Admin" } });
  const now = new Date();
  const agentIds: string[] = [];
  for (let i = 0; i < agents; i += 500) {
    const rows = Array.from({ length: Math.min(500, agents - i) }, (_, j) => {
      const n = i + j + 1;
      const id = newId();
      agentIds.push(id);
      return { id, workspace_id: ws.id, email: `agent${n}@${label}.test`, display_name: `Agent ${String(n).padStart(3, "0")}`, role: "agent", region_id: null, branch_id: null, password_hash: null, avatar_url: null, created_at: now, deactivated_at: null };
    });
    await db.insertInto("members").values(rows).execute();
  }
  const adminToken = await session(db, ws.id, ws.adminId);
  const agentList: { id: string; token: string }[] = [];
  for (const id of agentIds) agentList.push({ id, token: await session(db, ws.id, id) });

  const channel = async (platform: ChannelFixture["platform"], credentials: Record<string, string>, secret: string, phoneNumberId?: string): Promise<ChannelFixture> => {
    const id = newId();
    await db
      .insertInto("channels")
      .values({ id, workspace_id: ws.id, platform, name: `${platform} bench`, external_id: null, credentials: JSON.stringify(credentials), settings: JSON.stringify({}), created_at: now })
      .execute();
    return { id, platform, secret, ...(phoneNumberId ? { phoneNumberId } : {}) };
  };
  const lineSecret = randomBytes(16).toString("hex");
  const line = await channel("line", { channelSecret: lineSecret, channelAccessToken: randomBytes(24).toString("hex") }, lineSecret);
  const appSecret = randomBytes(16).toString("hex");
  const phoneNumberId = String(100000000000000 + Math.floor(Math.random() * 1e14));
  const whatsapp = await channel("whatsapp", { appSecret, accessToken: randomBytes(24).toString("hex"), verifyToken: "bench", phoneNumberId }, appSecret, phoneNumberId);
  const messenger = await channel("messenger", { appSecret: randomBytes(16).toString("hex"), pageAccessToken: "bench" }, "");
  const instagram = await channel("instagram", { appSecret: randomBytes(16).toString("hex"), pageAccessToken: "bench" }, "");
  return { workspaceId: ws.id, admin: { id: ws.adminId, token: adminToken }, agents: agentList, line, whatsapp, channels: [line, whatsapp, messenger, instagram] };
}
