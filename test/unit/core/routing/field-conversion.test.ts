import { ExactNumber, type LosslessValue } from '../../../../lambda/core';
import { convertField, type FieldType } from '../../../../lambda/core/routing';

const n = (text: string) => new ExactNumber(text);
const converted = (type: FieldType, value: LosslessValue) => {
  const outcome = convertField(type, value);
  return 'problem' in outcome
    ? outcome
    : JSON.parse(JSON.stringify(outcome.value, (_, v) => (v instanceof ExactNumber ? `#${v.text}` : v)));
};

describe('declared fields', () => {
  it.each<[FieldType, LosslessValue, unknown]>([
    ['date', '2024-01-31T12:00:00+01:00', '2024-01-31T11:00:00.000Z'],
    ['date', n('1700000000'), '2023-11-14T22:13:20.000Z'],
    ['date', n('1700000000000'), '2023-11-14T22:13:20.000Z'],
    ['date', [n('0'), '2024-01-01'], ['1970-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z']],
    ['date', null, null],
    ['long', n('42'), '#42'],
    ['long', n('4.2E1'), '#42'],
    ['long', ' 42 ', '#42'],
    ['long', n('9223372036854775807'), '#9223372036854775807'],
    ['double', n('12345678901234567890.5'), '#12345678901234567890.5'],
    ['double', '1.5', '#1.5'],
    ['boolean', true, true],
    ['boolean', 'false', false],
    ['keyword', n('10.50'), '10.50'],
    ['keyword', true, 'true'],
    ['text', 'as it is', 'as it is'],
    ['geo_point', { lat: n('35.68'), lon: n('139.76') }, { lat: '#35.68', lon: '#139.76' }],
    ['geo_point', '35.68, 139.76', { lat: '#35.68', lon: '#139.76' }],
    ['geo_point', [n('139.76'), n('35.68')], { lat: '#35.68', lon: '#139.76' }],
    [
      'geo_point',
      ['35.68,139.76', '0,0'],
      [
        { lat: '#35.68', lon: '#139.76' },
        { lat: '#0', lon: '#0' },
      ],
    ],
  ])('%s takes %j as %j', (type, value, expected) => {
    expect(converted(type, value)).toEqual(expected);
  });

  it.each<[FieldType, LosslessValue, RegExp]>([
    ['date', 'yesterday', /the text "yesterday": not ISO 8601 text/],
    ['date', true, /the boolean true is not ISO 8601 text or an epoch number/],
    ['date', n('1E+20'), /outside the years 0000-9999/],
    ['long', n('1.5'), /the number 1.5 is not a whole number/],
    ['long', n('9223372036854775808'), /outside -2\^63..2\^63-1/],
    // At once, before its digits are made (10^2000000000 would take minutes, or throw a RangeError).
    ['long', '1e2000000000', /outside -2\^63..2\^63-1/],
    ['date', '1e2000000000', /not ISO 8601/],
    ['date', n('1e2000000000'), /outside the years 0000-9999/],
    ['long', 'many', /the text "many" is not a whole number/],
    ['double', { a: 1 }, /a map is not a number/],
    ['double', n('1E+400'), /beyond a double's range/],
    ['boolean', 'yes', /is not true or false/],
    ['keyword', { a: 'b' }, /a map is not text, a number or a boolean/],
    ['geo_point', { lat: n('91'), lon: n('0') }, /off the globe/],
    ['geo_point', { lat: n('1') }, /is not \{"lat","lon"\}/],
    ['date', ['2024-01-01', 'soon'], /the text "soon"/],
  ])('%s refuses %j, saying why', (type, value, problem) => {
    const outcome = convertField(type, value);
    expect('problem' in outcome && outcome.problem).toMatch(problem);
  });
});
