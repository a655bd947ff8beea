/** A Linux network interface name as wg-quick accepts it: 1 to 15 of a-z A-Z 0-9 _ = + . - */
export const INTERFACE_NAME_PATTERN = /^[a-zA-Z0-9_=+.-]{1,15}$/;

/** The rule above, in words, for error messages. */
export const INTERFACE_NAME_RULE = '1 to 15 characters of a-z A-Z 0-9 _ = + . -';
