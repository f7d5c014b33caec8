/**
 * EventBridge schedule expressions, checked at synth time rather than by CloudFormation at
 * deploy: `rate(1 minute|hour|day)`, `rate(N minutes|hours|days)` with N ≥ 2, and
 * `cron(minutes hours day-of-month month day-of-week year)` where exactly one of day-of-month and
 * day-of-week is `?`.
 */
import { SettingError } from './setting-error';

const RATE = /^rate\((?:1 (?:minute|hour|day)|(?:[2-9]|[1-9]\d+) (?:minutes|hours|days))\)$/;
const CRON_FIELD = /^[0-9A-Za-z*?,/#-]+$/;

export const SCHEDULE_RULE =
  'must be an EventBridge schedule expression: rate(1 minute|hour|day), rate(N minutes|hours|days) with N of 2 or more, ' +
  'or cron(minutes hours day-of-month month day-of-week year) with ? in day-of-month or day-of-week, such as cron(0 3 * * ? *)';

export function isScheduleExpression(value: string): boolean {
  if (RATE.test(value)) return true;
  const cron = /^cron\((.*)\)$/.exec(value);
  if (!cron) return false;
  const fields = cron[1].split(' ');
  if (fields.length !== 6 || !fields.every((field) => CRON_FIELD.test(field))) return false;
  return (fields[2] === '?') !== (fields[4] === '?');
}

export function checkScheduleExpression(setting: string, value: unknown): string {
  if (typeof value !== 'string' || !isScheduleExpression(value)) throw new SettingError(setting, SCHEDULE_RULE, value);
  return value;
}
