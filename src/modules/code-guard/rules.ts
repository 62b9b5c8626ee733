import type { ResolvedCodeGuardOptions } from "./options"

/** The counters of one client, as stored. */
export type GuardState = {
  consecutive_failures: number
  total_failures: number
  cooling_until: Date | null
  blocked_at: Date | null
  last_failure_at: Date | null
}

export const FRESH: GuardState = {
  consecutive_failures: 0,
  total_failures: 0,
  cooling_until: null,
  blocked_at: null,
  last_failure_at: null,
}

const later = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000)

/** Blocked: too many failures in all, and the block (if it expires) still runs. */
export function isBlocked(s: GuardState, o: ResolvedCodeGuardOptions, now: Date): boolean {
  if (s.total_failures < o.maxFailures) return false
  if (o.blockSeconds === null) return true
  const since = s.blocked_at ?? s.last_failure_at ?? now
  return later(since, o.blockSeconds) > now
}

/** Cooling off: too many failures in a row, and the cool-off still runs. */
export function isCooling(s: GuardState, o: ResolvedCodeGuardOptions, now: Date): boolean {
  return s.consecutive_failures >= o.maxConsecutiveFailures && !!s.cooling_until && s.cooling_until > now
}

export function isAllowed(s: GuardState, o: ResolvedCodeGuardOptions, now: Date): boolean {
  return !isBlocked(s, o, now) && !isCooling(s, o, now)
}

/**
 * One more failure. A block that has expired starts the client over; a run that goes on
 * after its cool-off cools off again at each further failure (one guess per period).
 */
export function afterFailure(s: GuardState, o: ResolvedCodeGuardOptions, now: Date): GuardState {
  const base = s.total_failures >= o.maxFailures && !isBlocked(s, o, now) ? FRESH : s
  const consecutive = base.consecutive_failures + 1
  const total = base.total_failures + 1
  return {
    consecutive_failures: consecutive,
    total_failures: total,
    cooling_until: consecutive >= o.maxConsecutiveFailures ? later(now, o.coolOffSeconds) : base.cooling_until,
    blocked_at: total >= o.maxFailures ? now : base.blocked_at,
    last_failure_at: now,
  }
}

/** A code was found: the run of failures ends; the total stays. */
export function afterSuccess(s: GuardState): GuardState {
  return { ...s, consecutive_failures: 0, cooling_until: null }
}

/**
 * Takes back an attempt counted in advance (see the service's guard): after a success
 * the run also ends; after any other outcome the counters drop by one. Cool-off and block
 * marks go when their counter falls below the threshold again.
 */
export function undoAttempt(s: GuardState, o: ResolvedCodeGuardOptions, succeeded: boolean): GuardState {
  const consecutive = succeeded ? 0 : Math.max(s.consecutive_failures - 1, 0)
  const total = Math.max(s.total_failures - 1, 0)
  return {
    ...s,
    consecutive_failures: consecutive,
    total_failures: total,
    cooling_until: consecutive >= o.maxConsecutiveFailures ? s.cooling_until : null,
    blocked_at: total >= o.maxFailures ? s.blocked_at : null,
  }
}
