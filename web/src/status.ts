// Status page (/status): placeholder entry, built out in issue 4.
export {};
