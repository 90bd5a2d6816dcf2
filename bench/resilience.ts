/**
 * The database server may restart under a long run (a shared PostgreSQL, the
 * fault tests). Work that can simply be done again — a generator chunk (one
 * transaction), a count, dropping the bench database, a measuring phase — is
 * retried once the server answers again, instead of losing the whole run.
 */

/** Errors that mean "the connection or the server went away", not "the query is wrong". */
export function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | null;
  const code = err?.code ?? "";
  // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 08xxx connection exceptions.
  if (["57P01", "57P02", "57P03", "ECONNREFUSED", "ECONNRESET", "EPIPE"].includes(code) || code.startsWith("08")) return true;
  return /terminating connection|Connection terminated|the database system is (shutting down|starting up|in recovery mode)|ECONNREFUSED|ECONNRESET|Client has encountered a connection error/i.test(err?.message ?? "");
}

/** Runs `fn`, again after a pause (2, 4, 8 … up to 30 s) each time it fails with a connection loss, up to `attempts` times. */
export async function retrying<T>(what: string, fn: () => Promise<T>, log: (s: string) => void, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isConnectionLoss(e)) throw e;
      const wait = Math.min(30_000, 1000 * 2 ** i);
      log(`  ${what}: lost the database connection (${e instanceof Error ? e.message : String(e)}); trying again in ${wait / 1000} s`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
