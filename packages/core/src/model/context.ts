/**
 * An evaluation context: one kind (`{kind: "user", key: "u1", country: "US"}`, `kind` defaulting to
 * "user"), or several at once (`{kind: "multi", user: {...}, organization: {...}}`).
 * Evaluation accepts any value here and never throws; what does not fit simply does not match.
 */
export type SingleContext = { kind?: string; key?: string; [attribute: string]: unknown };
export type MultiContext = { kind: 'multi'; [kind: string]: unknown };
export type Context = SingleContext | MultiContext;
