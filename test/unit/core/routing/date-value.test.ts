import { instantOfEpoch, instantOfIsoText, isoText } from '../../../../lambda/core/routing';

const iso = (text: string) => {
  const instant = instantOfIsoText(text);
  return typeof instant === 'string' ? instant : isoText(instant);
};
const epoch = (text: string) => {
  const instant = instantOfEpoch(text);
  return typeof instant === 'string' ? instant : isoText(instant);
};

describe('date values', () => {
  it.each([
    ['2024-01-31', '2024-01-31T00:00:00.000Z'],
    ['2024-01-31T12:34', '2024-01-31T12:34:00.000Z'],
    ['2024-01-31T12:34:56Z', '2024-01-31T12:34:56.000Z'],
    ['2024-01-31 12:34:56', '2024-01-31T12:34:56.000Z'],
    ['2024-01-31T12:34:56.5+09:00', '2024-01-31T03:34:56.500Z'],
    ['2024-01-31T00:00:00-0130', '2024-01-31T01:30:00.000Z'],
    ['2024-01-31T00:00:00+09', '2024-01-30T15:00:00.000Z'],
    ['2024-02-29T23:59:59.123456789Z', '2024-02-29T23:59:59.123456789Z'],
    ['2024-02-29T23:59:59,120Z', '2024-02-29T23:59:59.120Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('ISO 8601 %s is written %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it.each([
    ['2023-02-29', /not a day of the calendar/],
    ['2024-13-01', /not a day/],
    ['2024-01-01T24:00:00Z', /not a time of day/],
    ['2024-01-01T10:00:00+24:00', /not a time zone offset/],
    ['31/01/2024', /not ISO 8601/],
    ['20240131', /not ISO 8601/],
    ['0000-01-01T00:00:00+01:00', /outside the years 0000-9999/],
  ])('refuses %s', (text, problem) => {
    expect(iso(text)).toMatch(problem);
  });

  it.each([
    ['0', '1970-01-01T00:00:00.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    ['1700000000.25', '2023-11-14T22:13:20.250Z'],
    ['-1', '1969-12-31T23:59:59.000Z'],
    ['-0.5', '1969-12-31T23:59:59.500Z'],
    ['99999999999', '5138-11-16T09:46:39.000Z'],
    ['100000000000', '1973-03-03T09:46:40.000Z'],
    ['1700000000000', '2023-11-14T22:13:20.000Z'],
    ['1700000000123.456', '2023-11-14T22:13:20.123456Z'],
    ['1.7E12', '2023-11-14T22:13:20.000Z'],
  ])('epoch %s (seconds below 10^11, else milliseconds) is written %s', (text, expected) => {
    expect(epoch(text)).toBe(expected);
  });

  it('refuses an epoch beyond the year 9999', () => {
    expect(epoch('1E+20')).toMatch(/epoch milliseconds it falls outside the years 0000-9999/);
    expect(epoch('-99999999999')).toMatch(/outside/);
  });
});
