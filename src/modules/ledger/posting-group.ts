import { POST_MANY, isRetryable, rowError } from "./batch-sql"
import { runPrepared } from "./sql"

type Knex = Parameters<typeof runPrepared>[0]
type Statement = Parameters<typeof runPrepared>[1]

type Waiting = {
  item: Record<string, unknown>
  values: unknown[]
  resolve: (row: any) => void
  reject: (err: unknown) => void
}

/**
 * Group posting: single postings that arrive while earlier ones are being posted are
 * posted together, in one ledger_post_many call and one commit (group commit, done by the
 * ledger rather than by PostgreSQL). Each keeps its own result, refusal, rules and
 * idempotency key (ledger_post_many posts each in a subtransaction of its own).
 *
 * No timer: while fewer than `maxInFlight` calls are out, a posting leaves at once and
 * alone, exactly as without group posting; only when every slot is busy do postings wait,
 * and those waiting leave together, as one group, when a slot frees (or when `maxBatch`
 * wait). Under load the window is therefore the length of one posting call.
 *
 * A group whose transaction fails as a whole (deadlock, serialization: nothing was
 * written) is posted again item by item. Any other failure of the call (a lost
 * connection) fails its postings with that error, as it would fail a single posting.
 */
export class PostingGroup {
  private queue: Waiting[] = []
  private inFlight = 0

  constructor(
    private readonly pg: () => Knex,
    private readonly single: Statement,
    private readonly limits: { maxBatch: number; maxInFlight: number }
  ) {}

  post(item: Record<string, unknown>, values: unknown[]): Promise<any> {
    return new Promise((resolve, reject) => {
      const waiting = { item, values, resolve, reject }
      if (this.inFlight < this.limits.maxInFlight && !this.queue.length) {
        // A free slot: out at once, alone, as without group posting.
        void this.send_([waiting])
        return
      }
      this.queue.push(waiting)
      if (this.queue.length >= this.limits.maxBatch) {
        void this.flush_()
      }
    })
  }

  /** Sends what waits, as one group. */
  private async flush_() {
    const group = this.queue.splice(0, this.limits.maxBatch)
    if (group.length) {
      await this.send_(group)
    }
  }

  private async send_(group: Waiting[]) {
    this.inFlight++
    try {
      if (group.length === 1) {
        await this.postOne_(group[0])
      } else {
        await this.postGroup_(group)
      }
    } finally {
      this.inFlight--
      if (this.queue.length && this.inFlight < this.limits.maxInFlight) {
        void this.flush_()
      }
    }
  }

  private async postOne_(w: Waiting) {
    try {
      const [row] = await runPrepared(this.pg(), this.single, w.values)
      w.resolve(row)
    } catch (e) {
      w.reject(e)
    }
  }

  private async postGroup_(group: Waiting[]) {
    let rows: any[]
    try {
      rows = await runPrepared(this.pg(), POST_MANY, [JSON.stringify(group.map((w) => w.item)), false])
    } catch (e) {
      if (isRetryable(e)) {
        await Promise.all(group.map((w) => this.postOne_(w)))
      } else {
        group.forEach((w) => w.reject(e))
      }
      return
    }
    const byIndex = new Map<number, any>(rows.map((r) => [r.idx, r]))
    group.forEach((w, i) => {
      const row = byIndex.get(i)
      if (!row) w.reject(new Error(`ledger: group posting returned no row for item ${i}`))
      else if (row.error_state) w.reject(rowError(row))
      else w.resolve(row)
    })
  }
}
