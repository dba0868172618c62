import {
  ErrorCode,
  type EvaluationContext,
  type FlagValue,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  ProviderFatalError,
  type ResolutionDetails,
  StandardResolutionReasons,
  type TrackingEventDetails,
} from '@openfeature/web-sdk';
import { createClient, type VexilClient } from '../client.js';
import type { ClientOptions, Context, EvaluationDetail } from '../types.js';

export type VexilProviderOptions = Omit<ClientOptions, 'context'>;

/**
 * An OpenFeature evaluation context as a Vexil context: `targetingKey` is the key, the attribute
 * `kind` the kind (default `user`), every other attribute passes through; a context whose `kind`
 * is `multi` is used as it is.
 */
export function toVexilContext(ctx: EvaluationContext): Context {
  const { targetingKey, ...attributes } = ctx;
  if (attributes.kind === 'multi') return attributes as Context;
  return { ...attributes, key: targetingKey ?? (attributes.key as string | undefined) ?? '' } as Context;
}

const REASONS: Record<string, string> = {
  OFF: StandardResolutionReasons.DISABLED,
  PREREQUISITE_FAILED: StandardResolutionReasons.DISABLED,
  TARGET_MATCH: StandardResolutionReasons.TARGETING_MATCH,
  RULE_MATCH: StandardResolutionReasons.TARGETING_MATCH,
  FALLTHROUGH: StandardResolutionReasons.DEFAULT,
};

/**
 * An OpenFeature web provider (`@openfeature/web-sdk`) over the Vexil browser client: values
 * are evaluated for one context on the server and read synchronously; `setContext` identifies
 * the new context; value changes are `PROVIDER_CONFIGURATION_CHANGED` events with the changed
 * keys; losing and regaining the server are `PROVIDER_STALE` and `PROVIDER_READY`; `track` sends
 * custom events.
 */
export class VexilWebProvider implements Provider {
  readonly metadata = { name: 'vexil-browser' } as const;
  readonly runsOn = 'client';
  readonly events = new OpenFeatureEventEmitter();
  private vexil: VexilClient | undefined;

  constructor(private readonly options: VexilProviderOptions) {}

  /** The underlying Vexil client, once initialised. */
  get client(): VexilClient | undefined {
    return this.vexil;
  }

  async initialize(context: EvaluationContext = {}): Promise<void> {
    const client = createClient({ withReasons: true, ...this.options, context: toVexilContext(context) });
    this.vexil = client;
    client.onChange((flagsChanged) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged }));
    // The SDK's provider status follows the connection: STALE while the server cannot be reached
    // (values are the last known), READY again when it answers, ERROR when the ID is refused.
    let stale = false;
    client.on('status', (status) => {
      if (status === 'stale') {
        stale = true;
        this.events.emit(ProviderEvents.Stale, { message: 'Vexil unreachable: serving the last known values' });
      } else if (status === 'live' && stale) {
        stale = false;
        this.events.emit(ProviderEvents.Ready);
      } else if (status === 'failed')
        this.events.emit(ProviderEvents.Error, {
          message: 'Vexil refused the client-side ID',
          errorCode: ErrorCode.PROVIDER_FATAL,
        });
    });
    await client.waitForReady();
    if (client.status === 'failed') throw new ProviderFatalError('Vexil refused the client-side ID');
    if (client.source === 'none') throw new Error('Vexil: no flag values (offline and nothing cached)');
  }

  async onContextChange(_old: EvaluationContext, next: EvaluationContext): Promise<void> {
    await this.vexil?.identify(toVexilContext(next));
  }

  private resolve<T extends FlagValue>(key: string, defaultValue: T): ResolutionDetails<T> {
    const d: EvaluationDetail<T> | undefined = this.vexil?.variationDetail(key, defaultValue);
    if (!d)
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.PROVIDER_NOT_READY };
    const { kind, errorKind, ruleId, ruleIndex, prerequisiteKey } = d.reason ?? {};
    const out: ResolutionDetails<T> = {
      value: d.value,
      flagMetadata: {
        ...(d.version === undefined ? {} : { version: d.version }),
        ...(kind ? { reasonKind: kind } : {}),
        ...(ruleId === undefined ? {} : { ruleId }),
        ...(ruleIndex === undefined ? {} : { ruleIndex }),
        ...(prerequisiteKey === undefined ? {} : { prerequisiteKey }),
        ...(d.inExperiment ? { inExperiment: true } : {}),
      },
    };
    if (d.variationIndex !== null) out.variant = String(d.variationIndex);
    if (kind === 'ERROR' && errorKind === 'FLAG_NOT_FOUND') {
      out.reason = StandardResolutionReasons.ERROR;
      out.errorCode = ErrorCode.FLAG_NOT_FOUND;
    } else if (kind === 'ERROR' && errorKind === 'WRONG_TYPE') {
      out.reason = StandardResolutionReasons.ERROR;
      out.errorCode = ErrorCode.TYPE_MISMATCH;
    } else if (kind === 'ERROR' && errorKind === 'NO_VALUE') out.reason = StandardResolutionReasons.DEFAULT;
    else out.reason = (kind && REASONS[kind]) || StandardResolutionReasons.UNKNOWN;
    return out;
  }

  resolveBooleanEvaluation(key: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(key, defaultValue);
  }
  resolveStringEvaluation(key: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(key, defaultValue);
  }
  resolveNumberEvaluation(key: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(key, defaultValue);
  }
  resolveObjectEvaluation<T extends JsonValue>(key: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(key, defaultValue);
  }

  track(name: string, _context: EvaluationContext, details: TrackingEventDetails = {}): void {
    const { value, ...data } = details;
    this.vexil?.track(name, value, Object.keys(data).length > 0 ? data : undefined);
  }

  async onClose(): Promise<void> {
    await this.vexil?.close();
  }
}
