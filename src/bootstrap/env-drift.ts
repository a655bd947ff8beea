import { SETTING_FIELDS, settingText as text, type SettingField } from '../domain/network/network-settings';
import type { NetworkSpec } from '../domain/network/network-spec';

/**
 * Where the environment disagrees with the stored default network. The environment seeds that
 * network on its first start only; a later start with other values would otherwise be ignored
 * without a word. One line per variable: what is stored, what the environment says, and how to
 * change it (or to make the environment agree). Pure: the bootstrap logs the lines.
 */
export function envDrift(
  stored: NetworkSpec,
  fromEnv: NetworkSpec,
  variables: Readonly<Partial<Record<keyof NetworkSpec, string>>>,
  publicUrl: string,
): string[] {
  const lines: string[] = [];
  const network = stored.name;
  for (const [field, variable] of Object.entries(variables) as [keyof NetworkSpec, string][]) {
    if (field === 'name' || JSON.stringify(stored[field]) === JSON.stringify(fromEnv[field])) {
      continue;
    }
    const storedText = text(stored[field]);
    const head =
      `${variable} (${text(fromEnv[field])}) differs from the stored default network "${network}" ` +
      `(${field} ${storedText}): the environment sets up that network on its first start only, and ${storedText} ` +
      'stays in use. ';
    if ((SETTING_FIELDS as readonly string[]).includes(field)) {
      const body = JSON.stringify({ [field]: fromEnv[field as SettingField] });
      lines.push(
        head +
          `To change it: curl -X PATCH -H "Authorization: Bearer <admin token>" -H "Content-Type: application/json" ` +
          `-d '${body}' ${publicUrl}/v1/networks/${network} (configs served before keep the old value until ` +
          `reissued); or set ${variable} to the stored value to silence this.`,
      );
    } else if (field === 'listenPort') {
      lines.push(
        head +
          `The hub agent registers the hub's port (PUT ${publicUrl}/v1/networks/${network}/hub with publicKey and ` +
          `listenPort); or set ${variable} to the stored value to silence this.`,
      );
    } else {
      lines.push(
        head +
          'Address ranges cannot be changed: live peers hold addresses of them. Create a network with the new range ' +
          `(POST ${publicUrl}/v1/networks, or a new default network through WG_DEFAULT_NETWORK) and enroll the devices ` +
          `there; or set ${variable} to the stored value to silence this.`,
      );
    }
  }
  return lines;
}
