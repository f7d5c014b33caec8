/**
 * `npm run docs:settings`: writes the settings tables of docs/aws.md (every CDK context key, every
 * variable of the function) from the settings table, between the marker comments. A unit test
 * (test/unit/settings/settings-docs.test.ts) fails when the page says anything else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTEXT_SETTING_KEYS, declaration, FUNCTION_SETTING_KEYS, isDefaultKind, type Setting, type SettingKey } from '../lambda/settings';

export const SETTINGS_PAGE = path.join(__dirname, '..', 'docs', 'aws.md');
export const START_MARKER = '<!-- settings-table:start: written by npm run docs:settings from lambda/settings/settings-table.ts -->';
export const END_MARKER = '<!-- settings-table:end -->';

const code = (value: unknown) => `\`${String(value)}\``;
/** A table cell: pipes escaped (inside code too, as GitHub's tables need). */
const cell = (text: string) => text.replace(/\|/g, '\\|');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;

/** The default in the CDK app: per target where it differs. */
function contextDefault(setting: Setting<unknown>): string {
  const given = setting.default;
  if (given === undefined) return 'none';
  if (!isDefaultKind(given)) return code(given);
  switch (given.kind) {
    case 'platform':
      return `${code(given.aws)} on aws, ${code(given.local)} locally`;
    case 'app':
      return code(given.value);
    case 'derived':
      return given.context ?? 'none';
  }
}

/** The default the function reads when its variable is missing (the construct writes every one it needs). */
function functionDefault(setting: Setting<unknown>): string {
  const given = setting.default;
  const none = setting.required ? 'none: required' : 'none';
  if (given === undefined) return none;
  if (!isDefaultKind(given)) return code(given);
  switch (given.kind) {
    case 'platform':
      return `${code(given.local)} (the construct writes ${code(given.aws)} unless told otherwise)`;
    case 'app':
      return none;
    case 'derived':
      return given.function ?? none;
  }
}

/** The setting's other names: prop, context key, variable, flag (without the one the row is about). */
function otherNames(key: SettingKey, without: 'context' | 'env'): string {
  const setting = declaration(key);
  const names = [
    setting.prop ? `prop ${code(setting.prop.name)}${setting.prop.unit ? ` (${setting.prop.unit})` : ''}` : undefined,
    without !== 'context' && setting.context ? `context ${code(setting.context)}` : undefined,
    without !== 'env' && setting.env ? code(setting.env) : undefined,
    setting.cli ? code(setting.cli.flag) : undefined,
  ];
  return names.filter((name) => name !== undefined).join(', ');
}

function contextTable(): string[] {
  return [
    row(['key', 'default', 'allowed', 'what it sets', 'also']),
    '|---|---|---|---|---|',
    ...CONTEXT_SETTING_KEYS.map((key) => {
      const setting = declaration(key);
      return row([code(setting.context), contextDefault(setting), setting.rule.allowed, setting.doc, otherNames(key, 'context')]);
    }),
  ];
}

function environmentTable(): string[] {
  return [
    row(['variable', 'when missing', 'allowed', 'what it sets', 'also']),
    '|---|---|---|---|---|',
    ...FUNCTION_SETTING_KEYS.map((key) => {
      const setting = declaration(key);
      return row([code(setting.env), functionDefault(setting), setting.rule.allowed, setting.doc, otherNames(key, 'env')]);
    }),
  ];
}

/** What the page holds between the markers. */
export function renderSettingsDocs(): string {
  return [
    START_MARKER,
    '',
    contextTable().join('\n'),
    '',
    "The function's own settings are environment variables: the construct writes them, the function reads them when its",
    'container starts, and the CLI reads them from the deployed function (its flags override them), all through one contract',
    '(`lambda/settings/`). A bad value stops the function before it touches a record, with a message naming the variable and',
    'the value. The construct writes every variable the function needs; one that is missing (the CLI given flags without a',
    'deployment) takes the default below, the `local` one where a setting has one per target.',
    '',
    environmentTable().join('\n'),
    '',
    END_MARKER,
  ].join('\n');
}

/** The page with its settings part replaced by `part`. */
export function withSettingsPart(page: string, part: string): string {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`${SETTINGS_PAGE} has no ${START_MARKER} ... ${END_MARKER} part`);
  return page.slice(0, start) + part + page.slice(end + END_MARKER.length);
}

if (require.main === module) {
  fs.writeFileSync(SETTINGS_PAGE, withSettingsPart(fs.readFileSync(SETTINGS_PAGE, 'utf8'), renderSettingsDocs()));
  console.log(`settings tables written to ${path.relative(process.cwd(), SETTINGS_PAGE)}`);
}
