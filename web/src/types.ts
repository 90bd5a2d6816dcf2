/**
 * Shapes of the API's answers as the console reads them (see
 * src/usecases/conversation-dto.ts, src/store/messages.ts messageDto,
 * src/api/routes/*.ts).
 */
import type { BatchAction, Capability, ChannelCapabilities, DeliveryStatus, Platform, ReplyWindow, Role, ViewKey, WaitingLevel, Bilingual } from "./domain";

export type { Platform };

export interface Me {
  member: {
    id: string;
    email: string;
    name: string;
    role: Role;
    roleName: Bilingual;
    locale: string | null;
    regionId: string | null;
    branchId: string | null;
  } | null;
  integration: boolean;
  workspace: { id: string; name: string; slug: string; settings: Record<string, unknown> };
  views: ViewKey[];
  /** What the member's role may do (PERMISSIONS of src/domain/roles.ts), as the server answers it. */
  capabilities: Capability[];
}

export type ConversationAction = "follow" | "take_over" | "transfer" | "close" | "reopen";

export interface Conversation {
  id: string;
  channel: { id: string; platform: Platform; name: string };
  kind: "individual" | "group";
  state: "pending" | "processing" | "closed";
  queue: "human" | "bot" | null;
  view: ViewKey;
  follower: { id: string; name: string } | null;
  lastHandlerId: string | null;
  collaboratorIds: string[];
  isCollaborative: boolean;
  contact: { id: string; name: string; avatarUrl: string | null } | null;
  lastMessageAt: string;
  lastMessagePreview: string;
  lastMessageSender: string | null;
  followedAt: string | null;
  waitingSince: string | null;
  waitingLevel: WaitingLevel;
  unreadCount: number;
  pinned: boolean;
  reopenable: boolean;
  closedAt: string | null;
  version: number;
  createdAt: string;
  actions: ConversationAction[];
  /** Team-member avatars of the row (VIEW-16..VIEW-18): member ids, or "bot". */
  avatars: string[];
  /** 「狀態功能:有效」 (PROF-31): false while the customer is blocked. */
  active: boolean;
  lastExportedAt: string | null;
  /** What may be sent now on this channel and the hint to show (ADV-20, ADV-25, ADV-33). */
  replyWindow: ReplyWindow;
}

export interface ConversationPage {
  items: Conversation[];
  nextCursor: string | null;
  sort: SortKey;
  order: "asc" | "desc";
}

export type SortKey = "last_message" | "follow_time" | "waiting";

export interface ListFilters {
  sort: SortKey;
  order: "asc" | "desc";
  type: "all" | "individual" | "group";
  followType: "all" | "follower_only" | "collaborative";
  overdue: boolean;
  unread: boolean;
}

export type SenderKind = "customer" | "bot" | "agent" | "system";

export interface Message {
  id: string;
  conversationId: string;
  direction: "in" | "out";
  senderKind: SenderKind;
  senderMemberId: string | null;
  kind: string;
  content: MessageContent;
  text: string;
  platformMessageId: string | null;
  quotedMessageId: string | null;
  /**
   * The message this one replies to (ADV-1..ADV-6), as the message list
   * answers it; absent on messages from realtime events and send answers,
   * which only carry quotedMessageId.
   */
  quote?: MessageQuote | null;
  status: DeliveryStatus | null;
  statusReason: string | null;
  statusAt: string | null;
  unsent: boolean;
  /** LINE files sent 1:1: the end of the download period (MEDIA-9..MEDIA-12). */
  mediaExpiresAt?: string | null;
  clientMessageId: string | null;
  createdAt: string;
  /** Console only: a reply not yet accepted by the server. */
  local?: { state: "sending" | "failed"; error?: string };
}

export type MessageQuote =
  | { available: true; id: string; kind: string; text: string; senderKind: SenderKind }
  | { available: false; text: string };

export interface MessageContent {
  kind?: string;
  text?: string;
  media?: { url?: string; fileName?: string; mimeType?: string; size?: number };
  location?: { latitude: number; longitude: number; title?: string; address?: string };
  [key: string]: unknown;
}

export interface MessagePage {
  items: Message[];
  nextCursor: string | null;
}

export interface Counts {
  pending_human: number;
  pending_bot: number;
  my_processing: number;
  team_processing: number | null;
  my_closed: number;
  team_closed: number | null;
  my_unread_conversations: number;
}

export interface Channel {
  id: string;
  platform: Platform;
  name: string;
  externalId: string | null;
  active: boolean;
  /** What the channel can carry (MEDIA-3): the composer offers only these. */
  capabilities: ChannelCapabilities;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  avatarUrl: string | null;
}

export interface StatusLogEntry {
  id: string;
  at: string;
  kind: string;
  text: string;
  actor: { id: string; name: string } | null;
  state: string | null;
  queue: string | null;
}

export interface BatchResult {
  action: BatchAction;
  succeeded: number;
  failed: number;
  summary: string;
  results: { id: string; ok: boolean; error?: { code: string; message: string } }[];
}

export interface Tag {
  id: string;
  name: string;
  color: string | null;
}

export interface Contact {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  note: string | null;
  avatarUrl: string | null;
  blocked: boolean;
  online: boolean;
  lastPageUrl: string | null;
  tags: (Tag & { count: number })[];
}

/** One row of 標籤頻次 (PROF-16): how often a tag was applied to the customer in the range. */
export interface TagFrequency {
  tagId: string;
  name: string;
  count: number;
  lastAppliedAt: string;
}

export interface ContactPatch {
  name?: string;
  email?: string | null;
  phone?: string | null;
  note?: string | null;
}

export interface Workspace {
  id: string;
  name: string;
  slug: string;
  settings: { conversationExport?: boolean; [key: string]: unknown };
}

/** GET /api/conversations/search (VIEW-29..VIEW-37): criteria combined with AND. */
export interface SearchCriteria {
  name?: string;
  phone?: string;
  email?: string;
  note?: string;
  message?: string;
  tagId?: string;
  role?: Role;
  memberId?: string;
}

export interface UploadResult {
  message: Message;
  hint: Bilingual | null;
}
