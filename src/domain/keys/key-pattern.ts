/** A WireGuard key as text: 32 bytes in base64 (44 characters, the last before "=" carries 4 bits). */
export const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
