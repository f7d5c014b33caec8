import { attributePathProblem, formatAttributePath, parseAttributePath, pathWithin } from '../../../../lambda/core/routing';

describe('attribute paths', () => {
  it.each([
    ['name', ['name']],
    ['address.city', ['address', 'city']],
    ['a\\.b', ['a.b']],
    ['a\\\\.b', ['a\\', 'b']],
    ['__proto__.x', ['__proto__', 'x']],
    ['日本語.名前', ['日本語', '名前']],
  ])('reads %s as one name per level', (text, names) => {
    expect(parseAttributePath(text)).toEqual(names);
    expect(formatAttributePath(names)).toBe(text);
  });

  it.each([
    ['', /empty/],
    ['a..b', /empty/],
    ['.a', /empty/],
    ['a.', /empty/],
    ['a\\b', /backslash/],
    ['a\\', /backslash/],
  ])('refuses %j, saying why', (text, problem) => {
    expect(attributePathProblem(text)).toMatch(problem);
  });

  it('tells a path inside another', () => {
    expect(pathWithin(['a', 'b'], ['a'])).toBe(true);
    expect(pathWithin(['a'], ['a'])).toBe(true);
    expect(pathWithin(['a'], ['a', 'b'])).toBe(false);
    expect(pathWithin(['ab'], ['a'])).toBe(false);
  });
});
