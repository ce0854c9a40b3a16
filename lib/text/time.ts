/**
 * Times as people read them in a chat: a wall-clock stamp and a short age.
 * @module
 */

/** `HH:MM` in local time, the stamp in front of each chat line. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `YYYY-MM-DD HH:MM:SS` in local time, for logs. */
export function logTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A short duration: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/**
 * `5 minutes`, `90 s`, `300 ms`: a configured wait, exactly, as a person
 * reads it (a limit's value, a throttle's delay).
 */
export function formatWait(ms: number): string {
  if (ms % 60_000 === 0) {
    return ms === 60_000 ? "1 minute" : `${ms / 60_000} minutes`;
  }
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
