/**
 * Group commit for customer messages: the webhooks that arrive while a batch
 * is in the database wait for the next one, and each batch stores all of
 * their events in one transaction — one statement finds every customer and
 * locks every conversation, one opens the conversations of every new
 * customer, one stores every message that needs nothing else
 * (store/inbound-batch.ts). The rules are the pipeline's own
 * (routeAndStore); only the number of round trips and commits per message
 * changes. Nothing waits on a timer: at low load a batch is one webhook.
 *
 * A webhook is answered only after its batch commits. If the batch fails as
 * a whole (a duplicate message id under a new event key, a deadlock with
 * another process, a changed configuration), it is rolled back and each of
 * its webhooks is processed alone as before, so one bad webhook answers 5xx
 * alone and the others are stored.
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { appendCustomerMessages, openCustomerConversations, recordAndFindMany, type BatchSink, type CustomerMessage } from "../store/inbound-batch.js";
import { routeAndStore, type ChannelRef, type CustomerEvent } from "./receive-inbound.js";
import type { EventOutcome } from "./process-webhook-events.js";

export interface BatchOptions {
  /** Batches in the database at once (each holds one pooled connection). */
  concurrency: number;
  /** Events per batch. */
  maxEvents: number;
}

interface Waiting {
  channel: ChannelRef;
  events: CustomerEvent[];
  resolve: (r: EventOutcome[]) => void;
  /** The webhook alone, the unbatched way (after its batch failed). */
  alone: () => Promise<EventOutcome[]>;
  reject: (e: unknown) => void;
}

const customerKey = (channelId: string, userId: string) => `${channelId}\u0000${userId}`;

/** Customer messages of distinct customers only: one customer's events keep their order inside one transaction. */
export function batchable(events: { type: string; sender?: { userId: string; groupId?: string } }[]): boolean {
  const seen = new Set<string>();
  for (const e of events) {
    if ((e.type !== "message" && e.type !== "postback") || !e.sender || e.sender.groupId !== undefined) return false;
    if (seen.has(e.sender.userId)) return false;
    seen.add(e.sender.userId);
  }
  return events.length > 0;
}

export class IngestBatcher {
  readonly #queue: Waiting[] = [];
  #running = 0;
  #scheduled = false;
  /** Customers (channel and platform user) of the batches running now. */
  readonly #inFlight = new Set<string>();
  /** Batches run and webhooks in them, for the bench report and tests. */
  readonly stats = { batches: 0, webhooks: 0, fallbacks: 0 };

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: BatchOptions,
  ) {}

  /** Webhooks waiting for a batch. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Batches in the database now. */
  get running(): number {
    return this.#running;
  }

  /** Stores the webhook's events (see batchable) with whatever else is waiting; resolves once committed. */
  submit(channel: ChannelRef, events: CustomerEvent[], alone: () => Promise<EventOutcome[]>): Promise<EventOutcome[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ channel, events, resolve, reject, alone });
      this.#schedule();
    });
  }

  /**
   * Starts batches after the webhooks that have already arrived are read: once the event loop
   * has handled its pending I/O (setImmediate; no timer, so a lone webhook waits microseconds).
   * PGlite runs each statement synchronously in this thread, so without this every webhook read
   * between two batches would start a batch of its own.
   */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.opts.concurrency && this.#queue.length) {
      const batch = this.#take();
      // Everything waiting is from customers of a running batch: it goes when that one commits.
      if (!batch.length) return;
      const keys = batch.flatMap((w) => w.events.map((e) => customerKey(w.channel.id, e.sender.userId)));
      keys.forEach((k) => this.#inFlight.add(k));
      this.#running++;
      let done = false;
      // The next batch starts as soon as this one commits, before this one's answers and realtime
      // events go out: those take the event loop for a while (a socket write each), and the
      // database would sit idle meanwhile.
      const release = () => {
        if (done) return;
        done = true;
        keys.forEach((k) => this.#inFlight.delete(k));
        this.#running--;
        this.#pump();
      };
      void this.#run(batch, release).finally(release);
    }
  }

  /**
   * The oldest waiting webhooks whose customers are neither in the batch nor
   * in one still running; such a webhook waits for a later batch, ahead of
   * that customer's later ones. Batches running side by side thus never wait
   * on each other's conversation locks (nor race to create the same customer).
   */
  #take(): Waiting[] {
    const batch: Waiting[] = [];
    const customers = new Set<string>(this.#inFlight);
    let events = 0;
    for (let i = 0; i < this.#queue.length && events < this.opts.maxEvents; ) {
      const w = this.#queue[i];
      const keys = w.events.map((e) => customerKey(w.channel.id, e.sender.userId));
      if (keys.some((k) => customers.has(k)) || (batch.length && events + w.events.length > this.opts.maxEvents)) {
        keys.forEach((k) => customers.add(k));
        i++;
        continue;
      }
      keys.forEach((k) => customers.add(k));
      batch.push(w);
      events += w.events.length;
      this.#queue.splice(i, 1);
    }
    return batch;
  }

  async #run(batch: Waiting[], committed: () => void): Promise<void> {
    let results: EventOutcome[][];
    try {
      results = await inTransaction(this.ctx, async (tx, fx) => {
        const at = this.ctx.clock.now();
        // A key twice in the batch (a redelivery racing the delivery): the later one is the duplicate.
        const keys = new Set<string>();
        const items = batch.flatMap((w, wi) =>
          w.events.map((e, ei) => {
            const key = `${w.channel.id}\u0000${e.eventKey}`;
            const first = !keys.has(key);
            keys.add(key);
            return { wi, ei, w, e, first };
          }),
        );
        const firsts = items.filter((x) => x.first);
        const found = await recordAndFindMany(
          tx,
          at,
          firsts.map((x) => ({ channel: x.w.channel, userId: x.e.sender.userId, event: { key: x.e.eventKey, payload: x.e } })),
        );
        const sink: BatchSink = { messages: [], opens: [] };
        const out: EventOutcome[][] = batch.map((w) => w.events.map((): EventOutcome => "duplicate"));
        for (let i = 0; i < firsts.length; i++) {
          const x = firsts[i];
          out[x.wi][x.ei] = (await routeAndStore(tx, fx, this.ctx.configCache, at, x.w.channel, x.e, found[i], sink)).status;
        }
        const opened = await openCustomerConversations(tx, fx, at, sink.opens.map((o) => o.customer));
        const firstMessages = sink.opens.map((o, i): CustomerMessage => ({ conv: opened[i], message: o.message, markRepliesRead: false, then: o.then }));
        await appendCustomerMessages(tx, fx, at, [...sink.messages, ...firstMessages]);
        return out;
      }, committed);
    } catch {
      // Each webhook alone, in arrival order: its own failure (if it is the cause) is its own 5xx.
      this.stats.fallbacks++;
      for (const w of batch) await w.alone().then(w.resolve, w.reject);
      return;
    }
    this.stats.batches++;
    this.stats.webhooks += batch.length;
    batch.forEach((w, i) => w.resolve(results[i]));
  }
}
