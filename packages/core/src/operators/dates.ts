const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;

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
  const [, y, mo, d, hh, mm, ss, frac, offset] = m;
  if (hh !== undefined && offset === undefined) return undefined;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(hh ?? 0) > 23 || Number(mm ?? 0) > 59 || Number(ss ?? 0) > 60) {
    return undefined;
  }
  let ms = Date.UTC(Number(y), month - 1, day, Number(hh ?? 0), Number(mm ?? 0), Number(ss ?? 0));
  if (new Date(ms).getUTCDate() !== day) return undefined; // 2026-02-30
  if (frac) ms += Math.floor(Number(`0${frac}`) * 1000);
  if (offset && offset !== 'Z' && offset !== 'z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}
