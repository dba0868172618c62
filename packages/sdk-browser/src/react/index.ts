import { createContext, createElement, type ReactNode, useContext, useMemo, useSyncExternalStore } from 'react';
import type { VexilClient } from '../client.js';
import type { EvaluationDetail } from '../types.js';

const ClientContext = createContext<VexilClient | null>(null);

export interface VexilProviderProps {
  /** A client made with `createClient` (on the server: with `bootstrap` and `offline: true`). */
  client: VexilClient;
  children?: ReactNode;
}

/** Makes `client` available to `useFlag`, `useFlagDetail` and `useVexilClient` below it. */
export function VexilProvider({ client, children }: VexilProviderProps) {
  return createElement(ClientContext.Provider, { value: client }, children);
}

/** The client of the nearest `VexilProvider`. */
export function useVexilClient(): VexilClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useFlag and useVexilClient need a <VexilProvider client={…}> above them');
  return client;
}

/**
 * The state of one flag, subscribed to that flag alone: a component re-renders when this flag
 * changes, not when another one does. The server snapshot is the same (bootstrap values), so
 * server-rendered markup hydrates without a mismatch.
 */
function useFlagState(key: string) {
  const client = useVexilClient();
  const subscribe = useMemo(() => (cb: () => void) => client.subscribe(key, cb), [client, key]);
  const get = () => client.flag(key);
  return [client, useSyncExternalStore(subscribe, get, get)] as const;
}

/** The flag's value for the current context, or `defaultValue` (see `VexilClient.variation`). */
export function useFlag<T>(key: string, defaultValue: T): T {
  return useFlagDetail(key, defaultValue).value;
}

/** The flag's value with its variation, version and reason (see `VexilClient.variationDetail`). */
export function useFlagDetail<T>(key: string, defaultValue: T): EvaluationDetail<T> {
  const [client, state] = useFlagState(key);
  // Recomputed only when the flag's state (same object until it changes) or the default changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `state` identifies the flag's value.
  return useMemo(() => client.variationDetail(key, defaultValue), [client, key, state, defaultValue]);
}
