/**
 * A scheduled job's cron from an environment variable: Medusa reads a job's config when it
 * imports the file, before any plugin option is known, and a host app cannot override a
 * plugin's job. `off` (or `false`, `disabled`) turns the job off: it still has a schedule
 * (Medusa needs one) and returns at once when it fires.
 */
export function jobSchedule(envName: string, fallback: string): { schedule: string; enabled: () => boolean } {
  const off = (v: string | undefined) => ["off", "false", "disabled", "0"].includes(String(v ?? "").trim().toLowerCase())
  const value = process.env[envName]
  return {
    schedule: value && !off(value) ? value : fallback,
    enabled: () => !off(process.env[envName]),
  }
}
