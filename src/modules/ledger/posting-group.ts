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
 * No timer: a posting leaves at once (next turn of the event loop) while fewer than
 * `maxInFlight` groups are out, so a lone posting waits for nothing; otherwise it joins
 * the next group, which leaves when one comes back or when it reaches `maxBatch`. Under
 * load the window is therefore the length of one posting call (about a millisecond).
 *
 * A group whose transaction fails as a whole (deadlock, serialization: nothing was
 * written) is posted again item by item. Any other failure of the call (a lost
 * connection) fails its postings with that error, as it would fail a single posting.
 */
export class PostingGroup {
  private queue: Waiting[] = []
  private inFlight = 0
  private scheduled = false

  constructor(
    private readonly pg: () => Knex,
    private readonly single: Statement,
    private readonly limits: { maxBatch: number; maxInFlight: number }
  ) {}

  post(item: Record<string, unknown>, values: unknown[]): Promise<any> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, values, resolve, reject })
      this.schedule_()
    })
  }

  private schedule_() {
    if (this.queue.length >= this.limits.maxBatch) {
      void this.flush_()
      return
    }
    if (this.scheduled || this.inFlight >= this.limits.maxInFlight) {
      return
    }
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.inFlight < this.limits.maxInFlight) {
        void this.flush_()
      }
    })
  }

  private async flush_() {
    const group = this.queue.splice(0, this.limits.maxBatch)
    if (!group.length) {
      return
    }
    this.inFlight++
    try {
      if (group.length === 1) {
        await this.postOne_(group[0])
      } else {
        await this.postGroup_(group)
      }
    } finally {
      this.inFlight--
      if (this.queue.length) {
        this.schedule_()
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
