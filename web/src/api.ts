/**
 * The HTTP API client. The session lives in the HttpOnly cookie the server
 * sets on login, so requests only need to be same-origin. Every failure
 * becomes an ApiError carrying the server's { code, message, messageEn }.
 */
import type { BatchAction, Role, TagExportType, ViewKey } from "./domain";
import type { MediaKind } from "./domain";
import type {
  BatchResult,
  Channel,
  Contact,
  ContactPatch,
  Conversation,
  ConversationAction,
  ConversationPage,
  Counts,
  ListFilters,
  Me,
  Member,
  Message,
  MessagePage,
  SearchCriteria,
  StatusLogEntry,
  Tag,
  TagFrequency,
  UploadResult,
  Workspace,
} from "./types";

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
    throw networkError();
  }
  const text = await res.text();
  if (!res.ok) {
    if (res.status === 401 && path !== "/api/auth/login") onUnauthorized();
    throw errorOf(res.status, res.statusText, text);
  }
  return parseJson(text) as T;
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const networkError = () => new ApiError(0, "network", "無法連線到伺服器,請檢查網路連線", "Cannot reach the server; check the network connection");

/** The server's { error: { code, message, messageEn, ...details } } as an ApiError. */
function errorOf(status: number, statusText: string, body: string): ApiError {
  const err = (parseJson(body) as { error?: Record<string, unknown> } | null)?.error;
  const { code, message, messageEn, ...details } = err ?? {};
  return new ApiError(status, String(code ?? "http_" + status), String(message ?? (statusText || "Error")), messageEn as string | undefined, details);
}

export interface UploadOptions {
  conversationId: string;
  file: File;
  kind: MediaKind;
  clientMessageId: string;
  /** 0..1 of the bytes sent. */
  onProgress: (fraction: number) => void;
  signal: AbortSignal;
}

/**
 * POST /api/conversations/:id/attachments with the file's bytes as the body.
 * XMLHttpRequest rather than fetch: only it reports upload progress.
 */
export function uploadAttachment(o: UploadOptions): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", withQuery(`/api/conversations/${o.conversationId}/attachments`, { fileName: o.file.name, kind: o.kind, clientMessageId: o.clientMessageId }));
    xhr.withCredentials = true;
    xhr.setRequestHeader("accept", "application/json");
    xhr.setRequestHeader("content-type", o.file.type || "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) o.onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        o.onProgress(1);
        resolve(parseJson(xhr.responseText) as UploadResult);
        return;
      }
      if (xhr.status === 401) onUnauthorized();
      reject(errorOf(xhr.status, xhr.statusText, xhr.responseText));
    };
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    if (o.signal.aborted) return reject(new DOMException("Upload cancelled", "AbortError"));
    o.signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(o.file);
  });
}

/** A download through fetch (errors come back as ApiError), then saved under the server's file name. */
async function download(path: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin" });
  } catch {
    throw networkError();
  }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw errorOf(res.status, res.statusText, await res.text());
  }
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "export.csv";
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = decodeURIComponent(name);
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
  /** quotedMessageId: a WhatsApp reply to that message (ADV-7..ADV-10). */
  sendMessage: (id: string, text: string, clientMessageId: string, quotedMessageId?: string | null) =>
    request<Message>("POST", `/api/conversations/${id}/messages`, { body: { text, clientMessageId, quotedMessageId: quotedMessageId ?? undefined } }),
  /** A LINE official sticker (MEDIA-17..MEDIA-19); the server checks it against LINE's list. */
  sendSticker: (id: string, packageId: string, stickerId: string, clientMessageId: string) =>
    request<Message>("POST", `/api/conversations/${id}/stickers`, { body: { packageId, stickerId, clientMessageId } }),
  /** Pin to the top of 我的處理中, or unpin (ADV-11..ADV-17). */
  setPinned: (id: string, pinned: boolean) => request<{ pinned: boolean }>(pinned ? "POST" : "DELETE", `/api/conversations/${id}/pin`),
  /** Follow, take over, close, reopen or transfer; the version makes a stale click fail with 409. Answers the conversation, or only its id when the member may no longer see it. */
  act: (id: string, action: ConversationAction, version: number, toMemberId?: string) => {
    const path = action === "take_over" ? "take-over" : action;
    return request<Conversation | { id: string }>("POST", `/api/conversations/${id}/${path}`, { body: action === "transfer" ? { toMemberId, version } : { version } });
  },
  batch: (action: BatchAction, ids: string[], toMemberId?: string) => request<BatchResult>("POST", "/api/conversations/batch", { body: { action, ids, toMemberId } }),
  members: (q: { q?: string; role?: Role | ""; active?: boolean }, signal?: AbortSignal) =>
    request<{ items: Member[] }>("GET", "/api/members", { signal, query: { q: q.q?.trim() || undefined, role: q.role || undefined, active: q.active === undefined ? undefined : String(q.active) } }),
  search: (c: SearchCriteria, cursor?: string, signal?: AbortSignal) =>
    request<ConversationPage>("GET", "/api/conversations/search", { signal, query: { ...c, cursor, limit: 30 } }),
  workspace: () => request<Workspace>("GET", "/api/workspace"),
  contact: (id: string, signal?: AbortSignal) => request<Contact>("GET", `/api/contacts/${id}`, { signal }),
  updateContact: (id: string, patch: ContactPatch) => request<{ ok: true }>("PATCH", `/api/contacts/${id}`, { body: patch }),
  tags: (q: string, signal?: AbortSignal) => request<{ items: Tag[] }>("GET", "/api/tags", { signal, query: { q: q.trim() || undefined } }),
  createTag: (name: string) => request<{ id: string; name: string }>("POST", "/api/tags", { body: { name } }),
  /** A tag the customer already has answers 409 with needsConfirmation until confirmRepeat (PROF-14). */
  applyTag: (contactId: string, tagId: string, o: { confirmRepeat?: boolean; conversationId?: string } = {}) =>
    request<{ ok: true; count: number }>("POST", `/api/contacts/${contactId}/tags`, { body: { tagId, confirmRepeat: o.confirmRepeat ?? false, conversationId: o.conversationId } }),
  removeTag: (contactId: string, tagId: string) => request<{ ok: true }>("DELETE", `/api/contacts/${contactId}/tags/${tagId}`),
  /** 標籤頻次 (PROF-16): from/to are ISO datetimes with an offset; either may be left out. */
  tagFrequency: (contactId: string, range: { from?: string; to?: string }, signal?: AbortSignal) =>
    request<{ items: TagFrequency[] }>("GET", `/api/contacts/${contactId}/tag-frequency`, { signal, query: { from: range.from, to: range.to } }),
  /** Team-wide tag export as a CSV download (PROF-18..PROF-24); the server refuses more than 30 days. */
  exportTags: (type: TagExportType, from: string, to: string) => download(withQuery("/api/tags/export.csv", { type, from, to })),
  /** 「狀態功能:有效」: off blocks the customer on this conversation (PROF-31). */
  setActive: (id: string, active: boolean) => request<{ active: boolean; changed: boolean }>("POST", `/api/conversations/${id}/active`, { body: { active } }),
  exportCsv: (id: string) => download(`/api/conversations/${id}/export.csv`),
  /** PROF-35, PROF-40: the CSV by email to the requesting administrator, sent by a job (202). */
  exportEmail: (id: string) => request<{ queued: true }>("POST", `/api/conversations/${id}/export-email`),
};

/** A full conversation, as opposed to the bare { id } of one the member no longer sees. */
export function isConversation(x: Conversation | { id: string }): x is Conversation {
  return "state" in x;
}
