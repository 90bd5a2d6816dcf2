/**
 * The HTTP API client. The session lives in the HttpOnly cookie the server
 * sets on login, so requests only need to be same-origin. Every failure
 * becomes an ApiError carrying the server's { code, message, messageEn }.
 */
import type { BatchAction, Role, ViewKey } from "./domain";
import type { BatchResult, Channel, Conversation, ConversationAction, ConversationPage, Counts, ListFilters, Me, Member, Message, MessagePage, StatusLogEntry } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageEn?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
  /** The message in the UI language (the server sends zh-TW, and English when it has it). */
  localizedMessage(language: string): string {
    return language.startsWith("en") && this.messageEn ? this.messageEn : this.message;
  }
}

/** Called on a 401 from any request but the login itself (session expired or revoked). */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function request<T>(method: string, path: string, opts: { body?: unknown; query?: Query; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      credentials: "same-origin",
      // No content-type without a body: the server refuses an empty JSON body.
      headers: opts.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "無法連線到伺服器,請檢查網路連線", "Cannot reach the server; check the network connection");
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; messageEn?: string } } | null)?.error;
    if (res.status === 401 && path !== "/api/auth/login") onUnauthorized();
    const { code, message, messageEn, ...details } = (err ?? {}) as Record<string, unknown>;
    throw new ApiError(res.status, String(code ?? "http_" + res.status), String(message ?? res.statusText ?? "Error"), messageEn as string | undefined, details);
  }
  return data as T;
}

export interface Preferences {
  channelId?: string | null;
  locale?: "zh-TW" | "en";
}

export interface ListParams extends Partial<ListFilters> {
  view: ViewKey;
  channelId?: string | null;
  cursor?: string;
  limit?: number;
}

export const api = {
  login: (email: string, password: string) => request<{ memberId: string; workspaceId: string }>("POST", "/api/auth/login", { body: { email, password } }),
  logout: () => request<{ ok: true }>("POST", "/api/auth/logout"),
  /** null when not logged in. */
  me: async (): Promise<Me | null> => {
    try {
      return await request<Me>("GET", "/api/me");
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
  /** Console choices remembered per member on the server (VIEW-8). */
  preferences: () => request<Preferences>("GET", "/api/me/preferences"),
  savePreferences: (p: Preferences) => request<Preferences>("PATCH", "/api/me/preferences", { body: p }),
  channels: () => request<{ items: Channel[] }>("GET", "/api/channels"),
  counts: (channelId?: string | null) => request<Counts>("GET", "/api/conversations/counts", { query: { channelId } }),
  conversations: (p: ListParams, signal?: AbortSignal) =>
    request<ConversationPage>("GET", "/api/conversations", {
      signal,
      query: { view: p.view, channelId: p.channelId, sort: p.sort, order: p.order, type: p.type, followType: p.followType, overdue: p.overdue || undefined, unread: p.unread || undefined, cursor: p.cursor, limit: p.limit },
    }),
  conversation: (id: string, signal?: AbortSignal) => request<Conversation>("GET", `/api/conversations/${id}`, { signal }),
  view: (id: string) => request<{ cleared: boolean }>("POST", `/api/conversations/${id}/view`),
  statusLog: (id: string, signal?: AbortSignal) => request<{ items: StatusLogEntry[] }>("GET", `/api/conversations/${id}/status-log`, { signal }),
  messages: (id: string, cursor?: string, signal?: AbortSignal) => request<MessagePage>("GET", `/api/conversations/${id}/messages`, { query: { cursor, limit: 50 }, signal }),
  sendMessage: (id: string, text: string, clientMessageId: string) => request<Message>("POST", `/api/conversations/${id}/messages`, { body: { text, clientMessageId } }),
  /** Follow, take over, close, reopen or transfer; the version makes a stale click fail with 409. Answers the conversation, or only its id when the member may no longer see it. */
  act: (id: string, action: ConversationAction, version: number, toMemberId?: string) => {
    const path = action === "take_over" ? "take-over" : action;
    return request<Conversation | { id: string }>("POST", `/api/conversations/${id}/${path}`, { body: action === "transfer" ? { toMemberId, version } : { version } });
  },
  batch: (action: BatchAction, ids: string[], toMemberId?: string) => request<BatchResult>("POST", "/api/conversations/batch", { body: { action, ids, toMemberId } }),
  members: (q: { q?: string; role?: Role | ""; active?: boolean }, signal?: AbortSignal) =>
    request<{ items: Member[] }>("GET", "/api/members", { signal, query: { q: q.q?.trim() || undefined, role: q.role || undefined, active: q.active === undefined ? undefined : String(q.active) } }),
};

/** A full conversation, as opposed to the bare { id } of one the member no longer sees. */
export function isConversation(x: Conversation | { id: string }): x is Conversation {
  return "state" in x;
}
