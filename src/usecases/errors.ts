/** Errors a use case returns to its caller; the API maps them to HTTP. */
import type { DomainError } from "../domain/errors.js";

export type AppErrorCode =
  | "not_found"
  | "unauthorized"
  | "forbidden"
  | "conflict"
  | "validation"
  | "unavailable"
  | "rate_limited"
  | DomainError["code"];

const STATUS: Record<string, number> = {
  not_found: 404,
  not_visible: 403,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  state_changed: 409,
  not_allowed_in_state: 409,
  not_reopenable: 409,
  validation: 400,
  invalid_target: 422,
  batch_limit: 422,
  batch_not_transferable: 422,
  member_inactive: 422,
  unavailable: 503,
  rate_limited: 429,
  window_closed: 422,
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code] ?? 400;
  }
  static fromDomain(e: DomainError): AppError {
    return new AppError(e.code, e.message, { messageEn: e.messageEn });
  }
  static notFound(what: string): AppError {
    return new AppError("not_found", `找不到此${what}`, { messageEn: `${what} not found` });
  }
}
