// Enrollment page (/): placeholder entry, built out in issue 4.
export {};
