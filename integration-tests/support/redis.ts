import Redis from "ioredis"

/**
 * The Redis database a production-shape suite uses: LEDGER_TEST_REDIS_DB (9 by default)
 * plus the suite's own offset, so suites that jest runs side by side never share a queue.
 */
export function testRedisUrl(offset: number) {
  return `redis://127.0.0.1:6379/${Number(process.env.LEDGER_TEST_REDIS_DB ?? 9) + offset}`
}

/** Empties the suite's Redis database; false when no Redis answers there. */
export async function freshRedis(url: string) {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await client.connect()
    await client.flushdb()
    return true
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/** Not silent: a run without Redis says what it did not test and why. */
export function skippedWithoutRedis(what: string, url: string) {
  console.warn(`SKIPPED ${what}: no Redis answers at ${url} (start one, or set LEDGER_TEST_REDIS_DB)`)
}

/**
 * Jobs of Medusa's Redis event bus (BullMQ): still waiting, running or delayed; failed for
 * good; and ever added (BullMQ's job id counter).
 */
export async function eventQueue(url: string) {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    const key = (k: string) => `RedisEventBusService:events-queue:${k}`
    const [wait, active, delayed, prioritized, failed, added] = await Promise.all([
      client.llen(key("wait")),
      client.llen(key("active")),
      client.zcard(key("delayed")),
      client.zcard(key("prioritized")),
      client.zcard(key("failed")),
      client.get(key("id")),
    ])
    return { pending: wait + active + delayed + prioritized, failed, added: Number(added ?? 0) }
  } finally {
    client.disconnect()
  }
}
