/**
 * Conditions in disjunctive normal form: a list of alternatives, each a list of clauses that must
 * all hold. A Vexil rule is one conjunction, so an Unleash condition that needs an OR (an inverted
 * NUM_EQ is "less than or greater than") becomes several rules with the same serve; rules are
 * tried in order, and alternatives of one strategy serve the same thing, so the result is the same.
 */
import type { Clause } from '../model/clause.js';

export type Dnf = Clause[][];

/** More alternatives than this in one strategy or segment is treated as an error rather than expanded. */
export const MAX_ALTERNATIVES = 256;

/** Holds for every context: one alternative with no clauses. */
export const TRUE: Dnf = [[]];

export const single = (clause: Clause): Dnf => [[clause]];

/** The conjunction, expanded; past MAX_ALTERNATIVES it stops and returns MAX_ALTERNATIVES + 1 empty alternatives. */
export function and(...parts: Dnf[]): Dnf {
  let acc: Dnf = TRUE;
  for (const part of parts) {
    if (acc.length * part.length > MAX_ALTERNATIVES) return Array.from({ length: MAX_ALTERNATIVES + 1 }, () => []);
    const next: Dnf = [];
    for (const a of acc) for (const b of part) next.push([...a, ...b]);
    acc = next;
  }
  return acc;
}

export const or = (...parts: Dnf[]): Dnf => parts.flat();

/** A clause that never holds: `kind in []`. Keeps an impossible strategy visible as a rule. */
export const never = (attribute = 'kind'): Clause => ({ attribute, op: 'in', values: [] });
