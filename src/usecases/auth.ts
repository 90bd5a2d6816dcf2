/**
 * Login with email + password (argon2), console sessions (cookie) and
 * integrator API tokens (bearer). Tokens are random and stored only as
 * SHA-256 hashes. A deactivated member loses access at once: every request
 * re-reads the member's active flag.
 */
import argon2 from "argon2";
import { createHash, randomBytes } from "node:crypto";
import type { AppContext } from "../context.js";
import { isRole, type Role } from "../domain/roles.js";
import { newId } from "../ids.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

const SESSION_DAYS = 14;
export const hashToken = (t: string) => createHash("sha256").update(t).digest("hex");
export const newToken = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

/**
 * argon2id with the library's defaults (64 MiB, 3 passes). The test suites set
 * PARLEY_PASSWORD_HASH_COST=low to hash hundreds of test members quickly; a
 * hash carries its own parameters, so verification always matches its hash.
 */
export async function hashPassword(pw: string): Promise<string> {
  const low = process.env.PARLEY_PASSWORD_HASH_COST === "low" && process.env.NODE_ENV !== "production";
  return argon2.hash(pw, low ? { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 1 } : { type: argon2.argon2id });
}

const BAD_LOGIN = new AppError("unauthorized", "電子郵件或密碼錯誤", { messageEn: "Wrong email or password" });
// A hash to verify against when the email is unknown, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | null = null;

/** Failed attempts allowed per email and per address in the window before login answers 429. */
export const LOGIN_LIMIT = { perEmail: 10, perIp: 50, windowMs: 15 * 60_000 };

async function checkRateLimit(ctx: AppContext, email: string, ip: string): Promise<void> {
  const since = new Date(ctx.clock.now().getTime() - LOGIN_LIMIT.windowMs);
  const row = await ctx.db
    .selectFrom("login_failures")
    .select([
      (eb) => eb.fn.count<string>("id").filterWhere("email", "=", email).as("byEmail"),
      (eb) => eb.fn.count<string>("id").filterWhere("ip", "=", ip).as("byIp"),
    ])
    .where("at", ">=", since)
    .where((eb) => eb.or([eb("email", "=", email), eb("ip", "=", ip)]))
    .executeTakeFirstOrThrow();
  if (Number(row.byEmail) >= LOGIN_LIMIT.perEmail || Number(row.byIp) >= LOGIN_LIMIT.perIp)
    throw new AppError("rate_limited", "登入失敗次數過多,請 15 分鐘後再試", { messageEn: "Too many failed logins; try again in 15 minutes", retryAfterSeconds: LOGIN_LIMIT.windowMs / 1000 });
}

export async function login(ctx: AppContext, email: string, password: string, workspaceId?: string, ip = "unknown") {
  const key = email.trim().toLowerCase();
  await checkRateLimit(ctx, key, ip);
  try {
    return await loginChecked(ctx, email, password, workspaceId);
  } catch (e) {
    if (e instanceof AppError && e.code === "unauthorized")
      await ctx.db.insertInto("login_failures").values({ email: key, ip, at: ctx.clock.now() }).execute();
    throw e;
  }
}

async function loginChecked(ctx: AppContext, email: string, password: string, workspaceId?: string) {
  let q = ctx.db
    .selectFrom("members")
    .select(["id", "workspace_id", "password_hash", "active"])
    .where(({ fn, eb }) => eb(fn("lower", ["email"]), "=", email.trim().toLowerCase()));
  if (workspaceId) q = q.where("workspace_id", "=", workspaceId);
  const candidates = await q.execute();
  const matching: typeof candidates = [];
  for (const m of candidates) {
    if (m.password_hash && (await argon2.verify(m.password_hash, password).catch(() => false))) matching.push(m);
  }
  if (!candidates.length) {
    dummyHash ??= hashPassword("not-a-password");
    await argon2.verify(await dummyHash, password).catch(() => false);
  }
  if (matching.length === 0) throw BAD_LOGIN;
  if (matching.length > 1)
    throw new AppError("validation", "此電子郵件屬於多個工作區,請指定工作區", { messageEn: "This email belongs to several workspaces; give workspaceId", workspaces: matching.map((m) => m.workspace_id) });
  const m = matching[0];
  if (!m.active) throw new AppError("unauthorized", "帳號已停用", { messageEn: "This account is deactivated" });
  const token = newToken("ps");
  const now = ctx.clock.now();
  await ctx.db
    .insertInto("sessions")
    .values({ token_hash: hashToken(token), member_id: m.id, workspace_id: m.workspace_id, created_at: now, expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000) })
    .execute();
  return { token, memberId: m.id, workspaceId: m.workspace_id, maxAgeSeconds: SESSION_DAYS * 86_400 };
}

export async function logout(ctx: AppContext, token: string): Promise<void> {
  const row = await ctx.db.deleteFrom("sessions").where("token_hash", "=", hashToken(token)).returning(["workspace_id"]).executeTakeFirst();
  // The sockets opened with this session close with it.
  if (row) ctx.publisher.publish([{ workspaceId: row.workspace_id, name: "member.revoked", audience: { kind: "session", tokenHash: hashToken(token) }, data: {} }]);
}

/**
 * Resolves a session or API token to an actor. API tokens without a member
 * act as the workspace's integration (admin rights, no member identity).
 */
export async function authenticate(ctx: AppContext, token: string): Promise<(Actor & { kind: "session" | "token"; integration: boolean }) | null> {
  const h = hashToken(token);
  const now = ctx.clock.now();
  if (token.startsWith("ps_")) {
    const s = await ctx.db
      .selectFrom("sessions as s")
      .innerJoin("members as m", "m.id", "s.member_id")
      .select(["m.id", "m.workspace_id", "m.role", "m.display_name", "m.active", "s.expires_at"])
      .where("s.token_hash", "=", h)
      .executeTakeFirst();
    if (!s || !s.active || new Date(s.expires_at) <= now || !isRole(s.role)) return null;
    return { kind: "session", integration: false, workspaceId: s.workspace_id, memberId: s.id, role: s.role, name: s.display_name };
  }
  if (token.startsWith("pt_")) {
    const t = await ctx.db
      .selectFrom("api_tokens as t")
      .leftJoin("members as m", "m.id", "t.member_id")
      .select(["t.id", "t.workspace_id", "t.member_id", "t.revoked_at", "t.name", "m.role", "m.display_name", "m.active"])
      .where("t.token_hash", "=", h)
      .executeTakeFirst();
    if (!t || t.revoked_at) return null;
    if (t.member_id) {
      if (!t.active || !isRole(t.role)) return null;
      return { kind: "token", integration: false, workspaceId: t.workspace_id, memberId: t.member_id, role: t.role, name: t.display_name ?? t.name };
    }
    return { kind: "token", integration: true, workspaceId: t.workspace_id, memberId: t.id, role: "admin" as Role, name: t.name };
  }
  return null;
}

export async function createApiToken(ctx: AppContext, actor: Actor, name: string, forMember: boolean) {
  const token = newToken("pt");
  const id = newId();
  await ctx.db
    .insertInto("api_tokens")
    .values({ id, workspace_id: actor.workspaceId, member_id: forMember ? actor.memberId : null, name, token_hash: hashToken(token), created_at: ctx.clock.now(), last_used_at: null, revoked_at: null })
    .execute();
  return { id, name, token };
}
