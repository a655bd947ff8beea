export interface BenchRow {
  id: string;
  section: string;
  metric: string;
  value: number | null;
  unit: string;
  goal: string | null;
  holds: boolean | null;
  note: string;
}
export interface BenchSection {
  name: string;
  status: 'ok' | 'missing' | 'failed';
  rows: BenchRow[];
  details: Record<string, unknown>;
  seconds?: number;
}
export interface BenchSummary {
  goals: number;
  held: number;
  missed: string[];
  unmeasured: string[];
  missing: string[];
  failed: string[];
}
export declare const SECTIONS: { name: string; number: number; title: string }[];
export declare function missingSection(name: string, file?: string): BenchSection;
export declare function failedSection(
  name: string,
  reason: string,
  partial?: { rows?: BenchRow[]; details?: Record<string, unknown> } | null,
): BenchSection;
export declare function parseSectionOutput(stdout: string): { rows: BenchRow[]; details: Record<string, unknown> };
export declare function formatValue(value: number | null | undefined, unit?: string): string;
export declare function holdsText(r: Pick<BenchRow, 'goal' | 'value' | 'holds'>): string;
export declare function summarize(sections: BenchSection[]): BenchSummary;
export declare function renderTable(sections: BenchSection[]): string;
export declare function renderMarkdown(o: {
  sections: BenchSection[];
  machine: Record<string, unknown> | null;
  quick?: boolean;
  command?: string;
}): string;
