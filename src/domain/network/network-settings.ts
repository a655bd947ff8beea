import type { NetworkSpec } from './network-spec';

/**
 * The settings a served node config carries besides its keys and addresses: what an admin may
 * change after configs went out (PATCH /v1/networks/{network}). A config keeps the values it was
 * rendered with; the network counts its settings revision so the peers with older ones show.
 */
export const SETTING_FIELDS = ['endpoint', 'dns', 'mtu', 'persistentKeepalive', 'allowedIps'] as const;
export type SettingField = (typeof SETTING_FIELDS)[number];
export type NetworkSettings = Pick<NetworkSpec, SettingField>;

/** Of these, the one the hub agent reads too (its window for one config on two machines). */
export const HUB_SETTING_FIELDS: readonly SettingField[] = ['persistentKeepalive'];

export interface SettingChange {
  readonly field: SettingField;
  readonly before: NetworkSettings[SettingField];
  readonly after: NetworkSettings[SettingField];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The settings that differ between two states, in SETTING_FIELDS order. */
export function settingChanges(before: NetworkSettings, after: NetworkSettings): SettingChange[] {
  return SETTING_FIELDS.filter((field) => !same(before[field], after[field])).map((field) => ({
    field,
    before: before[field],
    after: after[field],
  }));
}

/** The settings of a network (a NetworkSpec or a record), as plain values. */
export function settingsOf(spec: NetworkSettings): NetworkSettings {
  return {
    endpoint: spec.endpoint,
    dns: [...spec.dns],
    mtu: spec.mtu,
    persistentKeepalive: spec.persistentKeepalive,
    allowedIps: [...spec.allowedIps],
  };
}

/** A setting's value as one line of text (a list joined by commas; none for an empty one). */
export function settingText(value: string | number | null | readonly string[]): string {
  if (Array.isArray(value)) {
    return value.length === 0 ? '(none)' : value.join(',');
  }
  return value === null ? '(none)' : String(value);
}
