/** Cross-target links resolved once the targets are settled: a sales-sync target's shopify and ga sources. */
import { ConfigError } from './errors.js';
import type { CredentialsConfig, RawConfig, SalesSyncSources, Target, Timing } from './schema.js';

type Settled = (RawConfig['targets'][number] & Timing)[];

/**
 * Gives each sales-sync target its sources (a missing or wrong-kind id is one sentence naming the key), and every
 * target the credential thresholds.
 */
export function linkTargets(settled: Settled, expiry: CredentialsConfig): Target[] {
  const targets = settled.map((t) => ({ ...t, expiry }));
  const byId = new Map(targets.map((t) => [t.id, t]));
  return targets.map((t, i): Target => {
    if (t.kind !== 'sales-sync') return t as Target;
    const find = <K extends keyof SalesSyncSources>(key: K): SalesSyncSources[K] => {
      const ref = byId.get(t[key]);
      if (!ref) throw new ConfigError(`targets[${i}].${key}: no target has the id "${t[key]}" (expected the id of a ${key} target)`);
      if (ref.kind !== key) throw new ConfigError(`targets[${i}].${key}: "${t[key]}" is a ${ref.kind} target, not a ${key} one`);
      return ref as unknown as SalesSyncSources[K];
    };
    return { ...t, sources: { shopify: find('shopify'), ga: find('ga') } };
  });
}
