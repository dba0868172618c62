/**
 * The variations of a translated feature. Each value is exactly what Unleash's `getVariant`
 * returns for that outcome, so a Vexil SDK reading the JSON value gets the Unleash answer:
 *
 * | index | value |
 * |---|---|
 * | 0 | `{name: "disabled", enabled: false, feature_enabled: false}`: not enabled (also the off variation) |
 * | 1 | `{name: "disabled", enabled: false, feature_enabled: true}`: enabled, no variant |
 * | 2… | `{name, payload?, enabled: true, feature_enabled: true}`: one per distinct variant |
 *
 * Variants with the same name and payload (a feature variant repeated as a strategy variant)
 * share one variation, since Vexil requires distinct values.
 */
import type { Variation } from '../model/flag.js';
import type { JsonValue } from '../schema/builder.js';
import { isObject } from './guards.js';

export const NOT_ENABLED = 0;
export const ENABLED_NO_VARIANT = 1;

const MAX_NAME = 256;

export class VariationTable {
  readonly variations: Variation[] = [
    { value: { name: 'disabled', enabled: false, feature_enabled: false }, name: 'not enabled' },
    { value: { name: 'disabled', enabled: false, feature_enabled: true }, name: 'enabled, no variant' },
  ];
  readonly #names: string[] = ['disabled', 'disabled'];
  readonly #byValue = new Map<string, number>();

  /** The index serving this Unleash variant, added on first use. */
  variant(name: string, payload: unknown): number {
    const value: { [key: string]: JsonValue } = { name };
    if (isObject(payload)) {
      const p = payload as Record<string, unknown>;
      value.payload = {
        type: typeof p.type === 'string' ? p.type : String(p.type),
        value: typeof p.value === 'string' ? p.value : JSON.stringify(p.value ?? null),
      };
    }
    value.enabled = true;
    value.feature_enabled = true;
    const id = JSON.stringify(value);
    const known = this.#byValue.get(id);
    if (known !== undefined) return known;
    const index = this.variations.length;
    this.variations.push(name.length <= MAX_NAME ? { value, name } : { value });
    this.#names.push(name);
    this.#byValue.set(id, index);
    return index;
  }

  /** The variant name Unleash reports for a variation ("disabled" for 0 and 1). */
  nameOf(index: number): string | undefined {
    return this.#names[index];
  }
}
