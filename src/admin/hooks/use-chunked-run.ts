import { useQueryClient } from "@tanstack/react-query"
import { useCallback, useRef, useState } from "react"
import { ledgerKeys } from "./query-keys"

export type ChunkedRun<R> = {
  /** chunks answered so far, by chunk index */
  results: (R | undefined)[]
  total: number
  done: number
  running: boolean
  /** why the run stopped (a chunk's request failed); `resume` sends that chunk again */
  error: unknown
}

/**
 * Sends a job's chunks one after the other, for a progress bar. A chunk that fails stops
 * the run; `resume` sends it again and goes on. The caller derives each chunk's
 * idempotency key from one id of the job and the chunk's index, so a chunk sent again
 * replays what already went through instead of posting it twice. `redo` sends chosen
 * chunks again (with the same keys). Every ledger view is refreshed when a run ends.
 */
export function useChunkedRun<C, R>(send: (chunk: C, index: number) => Promise<R>) {
  const client = useQueryClient()
  const chunks = useRef<C[]>([])
  const results = useRef<(R | undefined)[]>([])
  const [state, setState] = useState<ChunkedRun<R>>({ results: [], total: 0, done: 0, running: false, error: null })
  const busy = useRef(false)
  const sendRef = useRef(send)
  sendRef.current = send

  const publish = (patch: Partial<ChunkedRun<R>>) =>
    setState((s) => ({ ...s, results: [...results.current], total: chunks.current.length, done: results.current.filter(Boolean).length, ...patch }))

  const go = useCallback(async () => {
    if (busy.current) return
    busy.current = true
    publish({ running: true, error: null })
    try {
      for (let i = 0; i < chunks.current.length; i++) {
        if (results.current[i]) continue
        try {
          results.current[i] = await sendRef.current(chunks.current[i], i)
        } catch (e) {
          publish({ running: false, error: e })
          return
        }
        publish({})
      }
      publish({ running: false })
    } finally {
      busy.current = false
      client.invalidateQueries({ queryKey: ledgerKeys.all })
    }
  }, [client])

  return {
    ...state,
    start: (all: C[]) => {
      chunks.current = all
      results.current = []
      return go()
    },
    resume: () => go(),
    redo: (indexes: number[]) => {
      for (const i of indexes) results.current[i] = undefined
      return go()
    },
    reset: () => {
      chunks.current = []
      results.current = []
      setState({ results: [], total: 0, done: 0, running: false, error: null })
    },
  }
}
