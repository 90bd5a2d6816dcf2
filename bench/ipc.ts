/**
 * Request/response over the Node IPC channel between the bench runner and
 * its helper processes (the load driver, the memory server). Every call has
 * a deadline; a helper exits as soon as its parent goes away.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Req {
  id: number;
  cmd: string;
  args: unknown;
}
interface Res {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type Handlers = Record<string, (args: any) => Promise<unknown>>;

/** Child side: answers the parent's calls until it disconnects. */
export function serve(handlers: Handlers): void {
  if (!process.send) throw new Error("this file is a helper process of bench/run.ts; run `npm run bench`");
  process.on("disconnect", () => process.exit(0));
  process.on("message", (m: Req) => {
    const h = handlers[m.cmd];
    const reply = (r: Omit<Res, "id">) => process.send?.({ id: m.id, ...r });
    if (!h) return reply({ ok: false, error: `unknown command ${m.cmd}` });
    h(m.args).then(
      (result) => reply({ ok: true, result }),
      (e: unknown) => reply({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
}

export class Helper {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited = false;

  private constructor(readonly child: ChildProcess, readonly name: string) {
    child.on("message", (m: Res) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    child.on("exit", (code, signal) => {
      this.exited = true;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (${signal ?? code}) during a call`));
      }
      this.pending.clear();
    });
  }

  /** Forks `file` (a .ts file next to this one, run with the same tsx loader as the runner). */
  static start(file: string, name: string, env: NodeJS.ProcessEnv = {}): Helper {
    const path = fileURLToPath(new URL(file, import.meta.url));
    const child = fork(path, [], { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Helper(child, name);
  }

  /** Forks a bundled .js file (scripts/build-server.mjs) with plain node, as `npm start` runs the server. */
  static startBuilt(path: string, name: string): Helper {
    const child = fork(path, [], { execArgv: ["--enable-source-maps"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Helper(child, name);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(cmd: string, args: unknown, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ id, cmd, args } satisfies Req);
    });
  }

  /** Disconnects (the helper exits by itself); kills it if it is still there after 5 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once("exit", () => r()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }
}
