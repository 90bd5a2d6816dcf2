import { describe, expect, it, test } from "vitest";
import {
  classifyInbound,
  destinationQueue,
  NEW_CONVERSATION_FACTS,
  routeInbound,
  type InboundSignal,
  type RoutingRow,
} from "../../src/domain/routing.js";
import { viewOf, type ConversationFacts } from "../../src/domain/conversation.js";
import { closed, member, pendingBot, pendingHuman, processing } from "./fixtures.js";

const ALL_ROWS: RoutingRow[] = [
  "rich_menu_bot_card",
  "rich_menu_text_inbox",
  "rich_menu_text_line_console",
  "community_code",
  "fb_get_started",
  "fb_persistent_menu",
  "text_keyword",
  "text",
  "media",
  "request_human",
];

/** The nine rows of the LIFE-14 table, in the spec's order. */
const TABLE: Array<{ n: number; row: RoutingRow; label: string; dest: "bot" | "human" }> = [
  { n: 1, row: "rich_menu_bot_card", label: "LINE rich menu → bot card button", dest: "bot" },
  { n: 2, row: "rich_menu_text_inbox", label: "LINE rich menu → text button (inbox back office)", dest: "bot" },
  { n: 3, row: "rich_menu_text_line_console", label: "LINE rich menu → text button (LINE console)", dest: "human" },
  { n: 4, row: "community_code", label: "LINE community six-digit code", dest: "bot" },
  { n: 5, row: "fb_get_started", label: "Facebook Get Started", dest: "bot" },
  { n: 6, row: "fb_persistent_menu", label: "Facebook persistent menu", dest: "bot" },
  { n: 7, row: "text_keyword", label: "text triggering a keyword auto-reply", dest: "bot" },
  { n: 8, row: "text", label: "text triggering no keyword auto-reply", dest: "human" },
  { n: 9, row: "media", label: "image/video/audio/document/sticker", dest: "human" },
];

type Column = "new" | "human" | "bot" | "processing" | "closed";
const START: Record<Column, () => ConversationFacts | null> = {
  new: () => null,
  human: () => pendingHuman({ lastHandlerId: "old" }),
  bot: () => pendingBot({ lastHandlerId: "old" }),
  processing: () => processing("amy"),
  closed: () => closed("amy"),
};

/** Expected cell: a pending queue, or "unchanged". */
function expectedCell(col: Column, dest: "bot" | "human"): "bot" | "human" | "unchanged" {
  if (col === "human" || col === "processing") return "unchanged";
  if (col === "bot" && dest === "bot") return "unchanged";
  return dest;
}

const CELLS = TABLE.flatMap((r) =>
  (["new", "human", "bot", "processing", "closed"] as Column[]).map((col) => ({
    ...r,
    col,
    expected: expectedCell(col, r.dest),
  })),
);

describe("routing table (LIFE-14)", () => {
  test.each(CELLS)("LIFE-14: row $n ($label) × $col → $expected", ({ row, col, expected }) => {
    const start = START[col]();
    const r = routeInbound(start, "individual", row);
    if (expected === "unchanged") {
      expect(r.moved).toBe(false);
      expect(r.next).toEqual(start);
      expect(r.log).toEqual([]);
    } else {
      expect(r.moved).toBe(true);
      expect(r.next.state).toBe("pending");
      expect(r.next.queue).toBe(expected);
      expect(r.next.followerId).toBeNull();
      expect(r.log).toHaveLength(1);
      expect(r.log[0].kind).toBe(col === "new" ? "created" : "routed");
      expect(r.log[0].data.queue).toBe(expected);
    }
  });

  test.each(TABLE)("LIFE-14: row $n ($label) has destination queue $dest", ({ row, dest }) => {
    expect(destinationQueue(row)).toBe(dest);
  });

  it("LIFE-14: a new conversation starts as a 1-to-1 pending conversation without collaborators", () => {
    const r = routeInbound(null, "individual", "text");
    expect(r.next).toEqual({ ...NEW_CONVERSATION_FACTS("individual"), queue: "human" });
    expect(r.next.collaboratorIds).toEqual([]);
    expect(r.next.reopenable).toBe(true);
  });
});

describe("keyword auto-assignment (LIFE-15, LIFE-16)", () => {
  const amy = member("amy", "agent", { name: "Amy" });
  const starCells = TABLE.filter((r) => r.dest === "human").flatMap((r) =>
    (["new", "bot", "closed"] as Column[]).map((col) => ({ ...r, col })),
  );

  test.each(starCells)("LIFE-15: row $n ($label) × $col with a keyword auto-assignment → processing", ({ row, col }) => {
    const r = routeInbound(START[col](), "individual", row, amy);
    expect(r.moved).toBe(true);
    expect(r.next.state).toBe("processing");
    expect(r.next.queue).toBeNull();
    expect(r.next.followerId).toBe("amy");
  });

  test.each(TABLE.flatMap((r) => (["human", "processing"] as Column[]).map((col) => ({ ...r, col }))))(
    "LIFE-15: row $n × $col (an 'unchanged' cell) ignores a keyword auto-assignment",
    ({ row, col }) => {
      const start = START[col]();
      const r = routeInbound(start, "individual", row, amy);
      expect(r.moved).toBe(false);
      expect(r.next).toEqual(start);
    },
  );

  it("LIFE-16: the assigned member becomes follower, sees it in my processing, and the log records the assignment", () => {
    const r = routeInbound(pendingBot(), "individual", "text", amy);
    expect(r.next.followerId).toBe("amy");
    expect(r.next.lastHandlerId).toBe("amy");
    expect(viewOf(r.next, "amy")).toBe("my_processing");
    expect(viewOf(r.next, "bob")).toBe("team_processing");
    expect(r.log).toEqual([{ kind: "auto_assigned", actorId: null, text: "系統依關鍵字自動指派給 Amy。", data: { memberId: "amy" } }]);
  });

  test.each((["new", "bot", "closed"] as Column[]).flatMap((col) => (["text", "media", "text_keyword"] as RoutingRow[]).map((row) => ({ col, row }))))(
    "LIFE-16: an auto-assignment to a deactivated member sends $row × $col to the human queue instead",
    ({ col, row }) => {
      const gone = member("amy", "agent", { active: false });
      const r = routeInbound(START[col](), "individual", row, gone);
      expect(r.next.state).toBe("pending");
      expect(r.next.queue).toBe("human");
      expect(r.next.followerId).toBeNull();
      expect(r.log.map((l) => l.kind)).not.toContain("auto_assigned");
    },
  );
});

describe("unchanged states (LIFE-17, LIFE-18)", () => {
  test.each(ALL_ROWS.map((r) => [r]))("LIFE-17: a human-queue conversation stays there whatever the customer sends (%s)", (row) => {
    const c = pendingHuman();
    const r = routeInbound(c, "individual", row);
    expect(r.moved).toBe(false);
    expect(r.next.state).toBe("pending");
    expect(r.next.queue).toBe("human");
  });

  it("LIFE-17: source example — a rich-menu bot card tap keeps the conversation in the human queue", () => {
    expect(routeInbound(pendingHuman(), "individual", "rich_menu_bot_card").next.queue).toBe("human");
  });

  test.each(ALL_ROWS.map((r) => [r]))("LIFE-18: a processing conversation stays processing with its follower (%s)", (row) => {
    const c = processing("amy");
    const r = routeInbound(c, "individual", row, member("bob", "agent"));
    expect(r.moved).toBe(false);
    expect(r.next.state).toBe("processing");
    expect(r.next.followerId).toBe("amy");
  });
});

describe("auto-reply checklist is evaluated after routing (LIFE-19, LIFE-20)", () => {
  it("LIFE-19: a keyword text on a processing conversation leaves it processing, so only a reply ticking 『處理中』 may fire", () => {
    const r = routeInbound(processing("amy"), "individual", "text_keyword");
    expect(r.next.state).toBe("processing");
  });

  test.each([
    { col: "new" as Column, state: "pending", queue: "bot" },
    { col: "bot" as Column, state: "pending", queue: "bot" },
    { col: "closed" as Column, state: "pending", queue: "bot" },
    { col: "human" as Column, state: "pending", queue: "human" },
    { col: "processing" as Column, state: "processing", queue: null },
  ])("LIFE-20: a keyword text from $col yields the post-routing state $state/$queue the checklist is matched against", ({ col, state, queue }) => {
    const r = routeInbound(START[col](), "individual", "text_keyword");
    expect(r.next.state).toBe(state);
    expect(r.next.queue).toBe(queue);
  });
});

describe("classification (LIFE-21 .. LIFE-24)", () => {
  const plain = { matchesKeywordReply: false, isCommunityCode: false };

  it("LIFE-21: a LINE-console text button arrives as text and is classified by content (row 7 or row 8)", () => {
    const s: InboundSignal = { kind: "text", text: "查詢訂單" };
    expect(classifyInbound(s, { matchesKeywordReply: true, isCommunityCode: false })).toBe("text_keyword");
    expect(classifyInbound(s, plain)).toBe("text");
    // Row 3's common case (no keyword) routes like row 8.
    expect(destinationQueue("rich_menu_text_line_console")).toBe(destinationQueue("text"));
  });

  test.each([
    ["rich_menu_bot_card"],
    ["rich_menu_text_inbox"],
    ["fb_get_started"],
    ["fb_persistent_menu"],
    ["request_human"],
  ] as const)("LIFE-22: a %s postback is recognised from the payload before keyword matching", (postback) => {
    const s: InboundSignal = { kind: "postback", postback, text: "關鍵字" };
    expect(classifyInbound(s, { matchesKeywordReply: true, isCommunityCode: false })).toBe(postback);
  });

  it("LIFE-22: a text equal to a registered six-digit community code is row 4 even if it also matches a keyword", () => {
    const s: InboundSignal = { kind: "text", text: "123456" };
    expect(classifyInbound(s, { matchesKeywordReply: true, isCommunityCode: true })).toBe("community_code");
    expect(routeInbound(null, "individual", "community_code").next.queue).toBe("bot");
  });

  it("LIFE-22: a postback the inbox did not configure behaves as plain text (human queue)", () => {
    const row = classifyInbound({ kind: "postback" }, plain);
    expect(row).toBe("text");
    expect(routeInbound(pendingBot(), "individual", row).next.queue).toBe("human");
  });

  test.each([["media"], ["other"]] as const)("LIFE-23: a non-text message of kind %s is row 9 and goes to the human queue", (kind) => {
    const row = classifyInbound({ kind }, { matchesKeywordReply: true, isCommunityCode: true });
    expect(row).toBe("media");
    expect(routeInbound(null, "individual", row).next.queue).toBe("human");
    expect(routeInbound(pendingBot(), "individual", row).next.queue).toBe("human");
  });

  test.each([["new" as Column], ["bot" as Column], ["closed" as Column]])(
    "LIFE-24: a bot module's 'talk to a human' from %s moves the conversation to the human queue",
    (col) => {
      const r = routeInbound(START[col](), "individual", "request_human");
      expect(r.next.state).toBe("pending");
      expect(r.next.queue).toBe("human");
    },
  );

  it("LIFE-24: 'talk to a human' with a keyword auto-assignment goes to processing", () => {
    const r = routeInbound(pendingBot(), "individual", "request_human", member("amy", "agent"));
    expect(r.next.state).toBe("processing");
    expect(r.next.followerId).toBe("amy");
  });
});

describe("auto-assignment beats auto-reply (LIFE-47)", () => {
  const amy = member("amy", "agent", { name: "Amy" });

  test.each([["new" as Column], ["bot" as Column], ["closed" as Column]])(
    "LIFE-47: a text matching both a keyword auto-assignment and a keyword auto-reply from %s goes to processing",
    (col) => {
      const r = routeInbound(START[col](), "individual", "text_keyword", amy);
      expect(r.moved).toBe(true);
      expect(r.next.state).toBe("processing");
      expect(r.next.followerId).toBe("amy");
      expect(r.log.map((l) => l.kind)).toContain("auto_assigned");
    },
  );

  test.each([["human" as Column], ["processing" as Column]])("LIFE-47: from %s the state does not change (LIFE-17/18 still hold)", (col) => {
    const start = START[col]();
    const r = routeInbound(start, "individual", "text_keyword", amy);
    expect(r.next).toEqual(start);
  });

  it("LIFE-47: on a new conversation the log records creation then the assignment", () => {
    const r = routeInbound(null, "individual", "text_keyword", amy);
    expect(r.log.map((l) => l.kind)).toEqual(["created", "auto_assigned"]);
  });
});
