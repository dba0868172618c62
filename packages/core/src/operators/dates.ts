// RFC 3339: a full date, optionally a time with seconds and a numeric offset (colon required).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * A date attribute as epoch milliseconds: a finite number is already epoch milliseconds; a
 * string must be RFC 3339 with an offset ("2026-11-25T10:00:00+02:00", "…Z"), or a bare date
 * ("2026-11-25") meaning midnight UTC. A time without an offset is ambiguous and rejected.
 */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, hh = '0', mm = '0', ss = '0', frac, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60)
    return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are instead of mapping them to 19xx.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined; // 2026-02-30
  date.setUTCHours(Number(hh), Number(mm), Number(ss), 0);
  let ms = date.getTime();
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
  if (offset && offset !== 'Z' && offset !== 'z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    ms -= (offset[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return ms;
}
