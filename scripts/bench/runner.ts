/**
 * The shared runner of the bench's scenarios: what a scenario is and reports, repeats that
 * alternate the sides of a comparison, the table printed at the end and the results file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { EmulatorName, EngineSet } from './engines';
import type { Figure } from './stats';

export const SCENARIO_NAMES = ['sink', 'lag', 'function', 'backfill', 'cost'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export type Say = (line: string) => void;

export interface BenchOptions {
  readonly quick: boolean;
  readonly only: readonly ScenarioName[];
  /** The AWS emulator the bench starts, or expects to find answering (the lag scenario runs on it). */
  readonly emulator: EmulatorName;
  readonly out: string;
}

export interface BenchContext {
  readonly options: BenchOptions;
  readonly say: Say;
  /** The engines the bench runs on (OpenSearch and the emulator of AWS_ENDPOINT_URL). */
  readonly engines: EngineSet;
  readonly search: Client;
  /** Reports of the scenarios run before this one. */
  readonly reports: Partial<Record<ScenarioName, ScenarioReport>>;
}

export interface Scenario {
  readonly name: ScenarioName;
  readonly title: string;
  /** Scenarios whose figures this one is computed from: run first, even when not asked for. */
  readonly needs?: readonly ScenarioName[];
  run(context: BenchContext): Promise<ScenarioReport>;
}

export interface ScenarioReport {
  readonly parameters: Record<string, unknown>;
  /** Every figure, by a stable key. */
  readonly figures: Record<string, Figure>;
  /** What a reader must know to read the figures (what was measured how, what was left out and why). */
  readonly notes: string[];
  /** Tables that are not figures (the cost scenario's). */
  readonly tables?: Record<string, TableRow[]>;
}

export type TableRow = Record<string, string | number>;

/**
 * Runs `repeats` rounds of every side, each round in another order (rotated by one each round),
 * so no side always runs first, or always after the same one, on a machine whose speed drifts.
 * Returns each side's values, one per round, in round order: pairs line up by index.
 */
export async function alternate<K extends string>(
  repeats: number,
  sides: Record<K, (round: number) => Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(sides) as K[];
  const values = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < repeats; round++) {
    for (const name of rotated(names, round)) values[name].push(await sides[name](round));
  }
  return values;
}

export function rotated<T>(list: readonly T[], by: number): T[] {
  const shift = list.length === 0 ? 0 : by % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** A number as a table shows it: three significant digits at most, thousands grouped. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The figures of the reports as one Markdown table: readable in a terminal, and pasted as it is in the docs. */
export function figuresTable(reports: Partial<Record<ScenarioName, ScenarioReport>>): string {
  const rows: string[][] = [['scenario', 'figure', 'median', 'p25 – p75', 'min – max', 'n', 'unit']];
  for (const name of SCENARIO_NAMES) {
    for (const figure of Object.values(reports[name]?.figures ?? {})) {
      rows.push([
        name,
        figure.label,
        formatNumber(figure.median),
        `${formatNumber(figure.p25)} – ${formatNumber(figure.p75)}`,
        `${formatNumber(figure.min)} – ${formatNumber(figure.max)}`,
        String(figure.n),
        figure.unit,
      ]);
    }
  }
  return markdownTable(rows);
}

/** Rows of plain values as a Markdown table (the first row is the header). */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** A report's extra tables, each as a Markdown table under its name. */
export function extraTables(report: ScenarioReport): string[] {
  return Object.entries(report.tables ?? {})
    .filter(([, rows]) => rows.length > 0)
    .map(([title, rows]) => {
      const columns = Object.keys(rows[0]);
      const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
      return `${title}\n${markdownTable([columns, ...cells])}`;
    });
}

function cellText(value: string | number | undefined): string {
  return typeof value === 'number' ? formatNumber(value) : (value ?? '');
}

export function writeResults(file: string, results: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, resultsText(results));
}

/** Indented JSON with each list of numbers on one line: a lag figure holds thousands of values. */
export function resultsText(results: unknown): string {
  const text = JSON.stringify(results, null, 2).replace(
    /\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
    (_, numbers: string) => `[${numbers.split(/,\s*/).join(', ')}]`,
  );
  return `${text}\n`;
}
