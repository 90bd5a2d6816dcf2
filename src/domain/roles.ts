/**
 * Roles of spec/README.md and the capability table every layer reads:
 * routes check it, the console hides buttons with it, the security suite
 * builds its authorization matrix from it.
 */
export const ROLES = [
  "admin",
  "supervisor",
  "cs_manager",
  "agent",
  "sales_manager",
  "sales",
  "marketing_agent",
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  admin: { zh: "管理員", en: "Administrator" },
  supervisor: { zh: "主管", en: "Supervisor" },
  cs_manager: { zh: "客服經理", en: "Customer-service manager" },
  agent: { zh: "客服人員", en: "Customer-service agent" },
  sales_manager: { zh: "銷售經理", en: "Sales manager" },
  sales: { zh: "銷售人員", en: "Sales associate" },
  marketing_agent: { zh: "行銷客服", en: "Marketing agent" },
};

export const CAPABILITIES = [
  "view_team", // VIEW-4
  "follow_pending", // LIFE-33
  "follow_group_pending", // GROUP-70, GROUP-3
  "take_over", // LIFE-33, GROUP-71
  "transfer", // LIFE-31, LIFE-32
  "transfer_group", // GROUP-72
  "reopen_team_closed", // LIFE-33, GROUP-75
  "use_groups", // GROUP-2, GROUP-3
  "delete_conversation", // PROF-42, PROF-43
  "batch_delete_blacklist", // VIEW-53
  "export_conversation", // PROF-38
  "export_tags", // PROF-22
  "unbind_omo", // PROF-45
  "broadcast", // BCAST-2
  "collab_add_as_collaborator", // COLLAB-11
  "collab_join_from_team", // COLLAB-19
  "collab_remove", // COLLAB-23
  "collab_take_over", // COLLAB-30
  "manage_any_saved_reply", // SR-8
  "manage_workspace", // members, channels, rules, settings (admin)
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const ALL: readonly Role[] = ROLES;
const MANAGERS: readonly Role[] = ["admin", "supervisor", "cs_manager"];
const NO_SALES: readonly Role[] = ["admin", "supervisor", "cs_manager", "agent", "marketing_agent"];

/** The role matrix of spec/README.md, one row per capability. */
export const PERMISSIONS: Record<Capability, readonly Role[]> = {
  view_team: MANAGERS,
  follow_pending: ALL,
  follow_group_pending: NO_SALES,
  take_over: MANAGERS,
  transfer: ALL,
  transfer_group: NO_SALES,
  reopen_team_closed: MANAGERS,
  use_groups: NO_SALES,
  delete_conversation: ["admin", "supervisor"],
  batch_delete_blacklist: ["admin", "supervisor"],
  export_conversation: ["admin"],
  export_tags: MANAGERS,
  unbind_omo: ["admin", "supervisor", "sales_manager", "sales"],
  broadcast: ["sales_manager", "sales"],
  collab_add_as_collaborator: ["admin", "supervisor", "cs_manager", "marketing_agent"],
  collab_join_from_team: MANAGERS,
  collab_remove: ["admin", "supervisor", "cs_manager", "marketing_agent"],
  collab_take_over: ["admin", "supervisor", "cs_manager", "marketing_agent"],
  manage_any_saved_reply: ["admin", "supervisor"],
  manage_workspace: ["admin"],
};

export function can(role: Role, capability: Capability): boolean {
  return PERMISSIONS[capability].includes(role);
}

export function isRole(x: unknown): x is Role {
  return typeof x === "string" && (ROLES as readonly string[]).includes(x);
}
