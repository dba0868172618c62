import {
  ErrorCode,
  type EvaluationContext,
  type FlagMetadata,
  GeneralError,
  type JsonValue as OFJsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  ProviderFatalError,
  type ResolutionDetails,
  StandardResolutionReasons,
  type TrackingEventDetails,
} from '@openfeature/server-sdk';
import { INTERNAL, init, type ValueType, VexilClient } from '../client.js';
import type { VexilOptions } from '../options.js';
import type { SdkStatus } from '../status.js';
import type { EvaluationDetail, FlagChange, JsonValue } from '../types.js';
import { toVexilContext } from './context.js';

export interface VexilProviderOptions extends VexilOptions {
  /** How long `initialize` waits for flags (default 10 s). Without flags by then it fails; the provider turns READY when they arrive. */
  readyTimeoutMs?: number;
}

const ERROR_CODES: Record<string, ErrorCode> = {
  FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND,
  WRONG_TYPE: ErrorCode.TYPE_MISMATCH,
  MALFORMED_FLAG: ErrorCode.PARSE_ERROR,
  CLIENT_NOT_READY: ErrorCode.PROVIDER_NOT_READY,
  INVALID_CONTEXT: ErrorCode.INVALID_CONTEXT,
  EXCEPTION: ErrorCode.GENERAL,
};

/**
 * An OpenFeature provider (`@openfeature/server-sdk`) evaluating in process through a Vexil
 * client: reasons, variants and error codes as Vexil's OFREP endpoint maps them
 * (docs/wire-protocol.md), provider events from the SDK's status (READY at level 0-1, STALE at
 * level 2, ERROR when the key is refused, CONFIGURATION_CHANGED with the changed flag keys),
 * and tracking through `client.track`.
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new VexilProvider(process.env.VEXIL_SERVER_KEY, { baseUrl }));
 * const enabled = await OpenFeature.getClient().getBooleanValue('new-checkout', false, { targetingKey: 'u-42' });
 * ```
 */
export class VexilProvider implements Provider {
  readonly metadata = { name: 'vexil' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The Vexil client underneath (its own API stays available: allFlagsState, status…). */
  readonly client: VexilClient;
  readonly #owned: boolean;
  readonly #readyTimeoutMs: number;
  #initialized = false;
  #announced: 'ready' | 'stale' | 'error' | undefined;
  readonly #unsubscribe: (() => void)[] = [];

  /** From an SDK key and options (the provider owns the client and closes it), or around an existing client. */
  constructor(keyOrClient: string | undefined | VexilClient, options: VexilProviderOptions = {}) {
    const { readyTimeoutMs, ...sdkOptions } = options;
    this.#owned = !(keyOrClient instanceof VexilClient);
    this.client = keyOrClient instanceof VexilClient ? keyOrClient : init(keyOrClient, sdkOptions);
    this.#readyTimeoutMs = readyTimeoutMs ?? 10_000;
    this.#unsubscribe.push(
      this.client.on('status', (s) => this.#onStatus(s)),
      this.client.on('update', (changes) => this.#onUpdate(changes)),
    );
  }

  async initialize(): Promise<void> {
    const status = await this.client.waitForReady({ timeout: this.#readyTimeoutMs });
    this.#initialized = true;
    if (status.level === 3) {
      this.#announced = 'error';
      const why = status.lastError?.message ?? 'no flags received yet';
      if (status.state === 'failed') throw new ProviderFatalError(`Vexil: ${why}`);
      throw new GeneralError(`Vexil: no flags within ${this.#readyTimeoutMs} ms (${why})`);
    }
    this.#announced = 'ready';
    // Cached flags while the server is unreachable: usable, but possibly out of date.
    if (status.level === 2 && !this.client[INTERNAL].isOffline())
      setImmediate(() => this.#onStatus(this.client.status()));
  }

  async onClose(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    if (this.#owned) await this.client.close();
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'boolean'));
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'string'));
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'number'));
  }

  resolveObjectEvaluation<T extends OFJsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'object'));
  }

  track(trackingEventName: string, context: EvaluationContext, details: TrackingEventDetails = {}): void {
    const mapped = toVexilContext(context);
    const { value, ...data } = details;
    this.client.track(
      trackingEventName,
      mapped.ok ? mapped.context : {},
      typeof value === 'number' ? value : undefined,
      Object.keys(data).length > 0 ? (JSON.parse(JSON.stringify(data)) as JsonValue) : undefined,
    );
  }

  #resolve<T>(flagKey: string, defaultValue: T, context: EvaluationContext, type: ValueType): ResolutionDetails<T> {
    const mapped = toVexilContext(context);
    if (!mapped.ok)
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode:
          mapped.errorCode === 'TARGETING_KEY_MISSING' ? ErrorCode.TARGETING_KEY_MISSING : ErrorCode.INVALID_CONTEXT,
        errorMessage: mapped.message,
      };
    const internal = this.client[INTERNAL];
    const d = internal.detail(flagKey, mapped.context, defaultValue as JsonValue, type) as EvaluationDetail<T>;
    const flagMetadata = metadataOf(d);
    const r = d.reason;
    if (r.kind === 'ERROR')
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ERROR_CODES[r.errorKind] ?? ErrorCode.GENERAL,
        errorMessage: `Vexil: ${r.errorKind}${r.errorKind === 'WRONG_TYPE' ? ` (the flag's value is not of type ${type})` : ''}`,
        flagMetadata,
      };
    const out: ResolutionDetails<T> = { value: d.value, reason: reasonOf(d, flagKey, this.client), flagMetadata };
    if (d.variationIndex !== null) {
      const names = internal.flagInfo(flagKey)?.variationNames;
      out.variant = names?.[d.variationIndex] ?? String(d.variationIndex);
    }
    return out;
  }

  #onStatus(s: SdkStatus): void {
    if (!this.#initialized) return;
    let next: 'ready' | 'stale' | 'error' | undefined;
    if (s.state === 'failed') next = 'error';
    else if (s.state === 'closed') return;
    else if (s.level <= 1 || (s.level === 2 && this.client[INTERNAL].isOffline())) next = 'ready';
    else if (s.level === 2) next = 'stale';
    if (next === undefined || next === this.#announced) return;
    this.#announced = next;
    if (next === 'ready') this.events.emit(ProviderEvents.Ready, { message: `Vexil: ${s.state}` });
    else if (next === 'stale')
      this.events.emit(ProviderEvents.Stale, {
        message: `Vexil: serving last known flags (${s.lastError?.message ?? s.state})`,
      });
    else
      this.events.emit(ProviderEvents.Error, {
        message: `Vexil: ${s.lastError?.message ?? 'the data source stopped'}`,
        errorCode: s.lastError?.code === 'unauthorized' ? ErrorCode.PROVIDER_FATAL : ErrorCode.GENERAL,
      });
  }

  #onUpdate(changes: readonly FlagChange[]): void {
    if (!this.#initialized) return;
    this.events.emit(ProviderEvents.ConfigurationChanged, {
      flagsChanged: changes.map((c) => c.key),
      message: `Vexil: ${changes.length} flag(s) changed`,
    });
  }
}

/**
 * OpenFeature reasons, as Vexil's OFREP endpoint maps them: OFF and PREREQUISITE_FAILED →
 * DISABLED, TARGET_MATCH and RULE_MATCH → TARGETING_MATCH, FALLTHROUGH → SPLIT when the
 * fallthrough is a rollout over several variations, else DEFAULT.
 */
function reasonOf(d: EvaluationDetail<unknown>, flagKey: string, client: VexilClient): string {
  switch (d.reason.kind) {
    case 'OFF':
    case 'PREREQUISITE_FAILED':
      return StandardResolutionReasons.DISABLED;
    case 'TARGET_MATCH':
    case 'RULE_MATCH':
      return StandardResolutionReasons.TARGETING_MATCH;
    case 'FALLTHROUGH':
      return client[INTERNAL].flagInfo(flagKey)?.splitFallthrough
        ? StandardResolutionReasons.SPLIT
        : StandardResolutionReasons.DEFAULT;
    default:
      return StandardResolutionReasons.ERROR;
  }
}

/** Flag metadata (primitives): version, Vexil's reason kind and its details. */
function metadataOf(d: EvaluationDetail<unknown>): FlagMetadata {
  const m: Record<string, string | number | boolean> = { version: d.version, reasonKind: d.reason.kind };
  const r = d.reason;
  if (r.kind === 'RULE_MATCH') {
    m.ruleId = r.ruleId;
    m.ruleIndex = r.ruleIndex;
  } else if (r.kind === 'PREREQUISITE_FAILED') m.prerequisiteKey = r.prerequisiteKey;
  else if (r.kind === 'ERROR') m.errorKind = r.errorKind;
  if (d.inExperiment) m.inExperiment = true;
  return m;
}
