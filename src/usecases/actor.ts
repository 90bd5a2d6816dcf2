import type { Role } from "../domain/roles.js";

/** The authenticated member a use case acts for. */
export interface Actor {
  workspaceId: string;
  memberId: string;
  role: Role;
  name: string;
}
