/**
 * What users read about the settings says what the settings table says: the settings tables of
 * docs/aws.md (written by `npm run docs:settings`) and each prop's `@default` in the construct's
 * JSDoc (which TypeScript cannot generate), read from the source text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { declaration, defaultFor, isDefaultKind, PROP_SETTING_KEYS, type PropSettingKey } from '../../../lambda/settings';
import { END_MARKER, renderSettingsDocs, SETTINGS_PAGE, START_MARKER } from '../../../scripts/settings-docs';

describe('docs/aws.md', () => {
  it('holds the settings tables exactly as npm run docs:settings writes them from the settings table', () => {
    const page = fs.readFileSync(SETTINGS_PAGE, 'utf8');
    const part = page.slice(page.indexOf(START_MARKER), page.indexOf(END_MARKER) + END_MARKER.length);
    expect(part).toBe(renderSettingsDocs());
  });

  it('lists every context key and every variable of the function, with its default and what is allowed', () => {
    const docs = renderSettingsDocs();
    expect(docs).toContain('| `changeLogRetentionDays` | `30` on aws, `0` locally | 0-36500 |');
    expect(docs).toContain('| `batchSize` | `100` | 1-10000 |');
    expect(docs).toContain('| `OPENSEARCH_ALLOW_INSECURE` | `false` | `true`, `false` |');
    expect(docs).toContain('prop `allowInsecureEndpoint`, context `allowInsecureOpenSearch`, `--allow-insecure-endpoint`');
  });
});

/** Each prop's JSDoc in the construct's source, by prop name. */
function propDocs(): Map<string, string> {
  const source = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'lib', 'dynamodb-opensearch-cdc.ts'), 'utf8');
  const start = source.indexOf('export interface DynamoDbOpenSearchCdcProps');
  const props = source.slice(start, source.indexOf('\n}\n', start));
  const docs = new Map<string, string>();
  for (const [, doc, name] of props.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\??:/g)) docs.set(name, doc);
  return docs;
}

const SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;

/** `Duration.days(30)` (at the start of the text) in seconds. */
function durationSeconds(text: string): number | undefined {
  const match = /^Duration\.(seconds|minutes|hours|days)\((\d+)\)/.exec(text);
  return match ? Number(match[2]) * SECONDS[match[1] as keyof typeof SECONDS] : undefined;
}

/** What the construct's @default must say for the setting, as a check of its text. */
function agreesWithTable(key: PropSettingKey, text: string): boolean {
  const setting = declaration(key);
  const prop = setting.prop!;
  const value = defaultFor(setting, 'construct');
  if (prop.cdkType === 'RemovalPolicy') return text === `RemovalPolicy.${String(value).toUpperCase()}`;
  if (prop.cdkType === 'Schedule') {
    const rate = /^events\.Schedule\.rate\((Duration\.\w+\(\d+\))\)$/.exec(text);
    return rate !== null && events.Schedule.rate(Duration.seconds(durationSeconds(rate[1])!)).expressionString === value;
  }
  if (prop.unit) return durationSeconds(text) === (value as number) * SECONDS[prop.unit];
  if (value !== undefined) return new RegExp(`^${typeof value === 'string' ? `'${value}'` : String(value)}($|[ ,])`).test(text);
  const given = setting.default;
  const words = isDefaultKind(given) && given.kind !== 'platform' ? given.construct : undefined;
  return words !== undefined && text.startsWith(words);
}

describe("the construct's props", () => {
  const docs = propDocs();

  it.each(PROP_SETTING_KEYS.map((key) => [declaration(key).prop!.name, key] as const))(
    '%s has a doc comment whose @default agrees with the settings table',
    (name, key) => {
      const doc = docs.get(name);
      expect(doc).toBeDefined();
      const stated = /@default\s+(.*?)\s*(?:\n|$)/.exec(doc!.replace(/\n\s*\*\s?/g, '\n'))?.[1];
      expect(stated).toBeDefined();
      expect([stated, agreesWithTable(key, stated!)]).toEqual([stated, true]);
    },
  );
});
