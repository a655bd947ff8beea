// Formatting for the status page: ages and byte counts people can read at a glance.

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function age(iso: string | null, now: number = Date.now()): string {
  if (iso === null) {
    return 'never';
  }
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86_400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** Time left until an ISO date: "in 3 d", "in 5 h", "in 12 min". */
export function until(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (seconds < 3600) {
    return `in ${Math.max(1, Math.floor(seconds / 60))} min`;
  }
  if (seconds < 86_400) {
    return `in ${Math.floor(seconds / 3600)} h`;
  }
  return `in ${Math.floor(seconds / 86_400)} d`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; the API sends byte counts as decimal strings (they can exceed 2^53). */
export function bytes(decimal: string): string {
  let value = Number(decimal);
  if (!Number.isFinite(value) || value < 0) {
    return decimal;
  }
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
