// Claim page (/claim/{token}): placeholder entry, built out in issue 4.
export {};
