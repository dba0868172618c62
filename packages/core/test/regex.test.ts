import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { compileRegex, type SafeRegex } from '../src/regex/index.js';

function re(pattern: string, options?: { caseInsensitive?: boolean }): SafeRegex {
  const result = compileRegex(pattern, options);
  if (!result.ok) assert.fail(`${pattern} should compile: ${result.error}`);
  return result.regex;
}

function matches(pattern: string, input: string, options?: { caseInsensitive?: boolean }): boolean {
  return re(pattern, options).test(input);
}

function compileError(pattern: string): string {
  const result = compileRegex(pattern);
  if (result.ok) assert.fail(`${JSON.stringify(pattern)} should be rejected`);
  return result.error;
}

/** Rows of [pattern, input, expected]. */
function table(rows: readonly (readonly [string, string, boolean])[]): void {
  for (const [pattern, input, expected] of rows) {
    assert.equal(matches(pattern, input), expected, `${JSON.stringify(pattern)} on ${JSON.stringify(input)}`);
  }
}

describe('compileRegex API', () => {
  it('returns the source and a reusable matcher', () => {
    const result = compileRegex('beta|canary');
    assert.ok(result.ok);
    assert.equal(result.regex.source, 'beta|canary');
    assert.equal(result.regex.test('canary-7'), true);
    assert.equal(result.regex.test('stable'), false);
    assert.equal(result.regex.test('beta'), true);
  });

  it('returns errors as values and never throws', () => {
    for (const bad of ['(', ')', '[', '*', '\\', 'a{2,1}', '(?<=a)b', '\\1', '\uD800(']) {
      const result = compileRegex(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.match(result.error, /^invalid regular expression: /);
    }
  });

  it('takes a caseInsensitive option that (?-i) can switch off', () => {
    assert.equal(matches('abc', 'xABCx', { caseInsensitive: true }), true);
    assert.equal(matches('abc', 'xABCx', { caseInsensitive: false }), false);
    assert.equal(matches('abc', 'xABCx'), false);
    assert.equal(matches('(?-i)abc', 'ABC', { caseInsensitive: true }), false);
    assert.equal(matches('a(?-i:b)c', 'AbC', { caseInsensitive: true }), true);
    assert.equal(matches('a(?-i:b)c', 'ABC', { caseInsensitive: true }), false);
  });
});

describe('Unleash conformance rows', () => {
  it('POSIX class', () => assert.equal(matches('[[:alpha:]]+', 'abc'), true));
  it('(?i)abc', () => assert.equal(matches('(?i)abc', 'ABC'), true));
  it('a(?i)bc on aBC', () => assert.equal(matches('a(?i)bc', 'aBC'), true));
  it('(?m)^b$', () => assert.equal(matches('(?m)^b$', 'a\nb\nc'), true));
  it('(?s)a.b', () => assert.equal(matches('(?s)a.b', 'a\nb'), true));
  it('\\bword\\b', () => {
    assert.equal(matches('\\bword\\b', 'a word.'), true);
    assert.equal(matches('\\bword\\b', 'swordfish'), false);
  });
  it('rejects the back-reference (a)\\1', () => assert.match(compileError('(a)\\1'), /back-reference/));
  it('rejects the look-ahead a(?=b)', () => assert.match(compileError('a(?=b)'), /look-ahead/));
});

describe('search semantics', () => {
  it('finds a match anywhere unless anchored', () => {
    table([
      ['b', 'abc', true],
      ['^b', 'abc', false],
      ['b$', 'abc', false],
      ['c$', 'abc', true],
      ['^abc$', 'abc', true],
      ['^abc$', 'abcd', false],
      ['\\Aabc\\z', 'abc', true],
      ['\\Ab', 'abc', false],
      ['', '', true],
      ['', 'anything', true],
      ['x*', 'abc', true],
      ['^', '', true],
      ['$', '', true],
      ['a', '', false],
    ]);
  });

  it('$ is the end of text without (?m), even before a final newline', () => {
    table([
      ['a$', 'a\n', false],
      ['a\\z', 'a\n', false],
      ['(?m)a$', 'a\n', true],
      ['(?m)^$', 'a\n', true],
      ['^b', 'a\nb', false],
      ['(?m)^b', 'a\nb', true],
      ['(?m)a$', 'a\r\nb', false],
      ['(?m)\\Ab', 'a\nb', false],
      ['(?m)a\\z', 'a\nb', false],
    ]);
  });
});

describe('literals and escapes', () => {
  it('matches literals and escaped metacharacters', () => {
    table([
      ['a\\.b', 'a.b', true],
      ['a\\.b', 'axb', false],
      ['\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\', '*+?()[]{}|^$\\', true],
      ['\\-\\_\\ \\#\\&\\~', '-_ #&~', true],
      ['a{', 'a{', true],
      ['a{,2}', 'a{,2}', true],
      ['a{1', 'a{1', true],
      ['x}', 'x}', true],
      [']', ']', true],
      ['\\Q*+?\\E+', '*+??', true],
      ['\\Qa.b', 'a.b', true],
      ['\\Qa.b', 'axb', false],
    ]);
  });

  it('understands control, hex, unicode and octal escapes', () => {
    table([
      ['\\n', 'a\nb', true],
      ['\\t', '\t', true],
      ['\\r', '\r', true],
      ['\\f', '\f', true],
      ['\\v', '\v', true],
      ['\\a', '\x07', true],
      ['\\0', '\0', true],
      ['\\012', '\n', true],
      ['\\x41', 'A', true],
      ['\\x4a', 'J', true],
      ['\\x{1F600}', '\u{1F600}', true],
      ['\\x{10FFFF}', '\u{10FFFF}', true],
      ['\\u00e9', 'é', true],
      ['\\u{e9}', 'é', true],
      ['\\uD83D\\uDE00', '\u{1F600}', true],
      ['\\x41', 'B', false],
    ]);
  });

  it('rejects invalid escapes', () => {
    const bad = ['\\q', '\\e', '\\c', '\\C', '\\Z', '\\xg', '\\x4', '\\x{}', '\\x{110000}', '\\x{41', '\\u12'];
    bad.push('\\é', '\\', 'a\\', '\\8', '[\\b]', '[\\Qa\\E]');
    for (const pattern of bad) {
      assert.match(compileError(pattern), /invalid escape sequence|trailing backslash/, pattern);
    }
  });
});

describe('dot and character classes', () => {
  it('dot matches anything but newline unless (?s)', () => {
    table([
      ['^.$', 'a', true],
      ['^.$', '\n', false],
      ['^.$', '\r', true],
      ['(?s)^.$', '\n', true],
      ['(?s:.)', '\n', true],
      ['(?s:a)(.)', 'a\n', false],
      ['^...$', 'a\u{1F600}b', true],
    ]);
  });

  it('supports ranges, negation and literal ] and -', () => {
    table([
      ['^[a-c]+$', 'abcba', true],
      ['^[a-c]+$', 'abd', false],
      ['^[^a-c]+$', 'xyz', true],
      ['^[^a-c]+$', 'xaz', false],
      ['^[^a]$', '\n', true],
      ['[]a]', ']', true],
      ['[^]a]', 'b', true],
      ['[^]a]', ']', false],
      ['^[a-]+$', 'a-a', true],
      ['^[-a]+$', '-a', true],
      ['^[a-c-e]+$', 'a-e', true],
      ['^[a-c-e]+$', 'd', false],
      ['[\\]]', ']', true],
      ['[\\x41-\\x43]', 'B', true],
      ['[.]', 'a', false],
      ['[é-ë]', 'ê', true],
      ['[\\x{1F600}-\\x{1F64F}]', '\u{1F610}', true],
    ]);
  });

  it('supports the ASCII Perl classes', () => {
    table([
      ['^\\d+$', '0123456789', true],
      ['\\d', '٣', false],
      ['^\\D+$', 'abc', true],
      ['^\\w+$', 'aZ_09', true],
      ['\\w', 'é', false],
      ['^\\W+$', '-+ é', true],
      ['^\\s+$', ' \t\n\r\f', true],
      ['\\s', '\v', false],
      ['^\\S+$', 'ab', true],
      ['^[\\d\\s]+$', '1 2', true],
      ['^[\\w-]+$', 'a-b_c', true],
      ['[^\\d]', '5', false],
      ['[\\D]', '5', false],
    ]);
  });

  it('supports POSIX classes inside brackets', () => {
    table([
      ['^[[:alpha:]]+$', 'abcXYZ', true],
      ['[[:alpha:]]', '1', false],
      ['^[[:digit:]]+$', '2024', true],
      ['^[[:alnum:]]+$', 'a1B2', true],
      ['^[[:upper:]]+$', 'ABC', true],
      ['[[:upper:]]', 'abc', false],
      ['^[[:lower:]]+$', 'abc', true],
      ['^[[:space:]]+$', ' \t\n\v\f\r', true],
      ['^[[:punct:]]+$', '!-/:@[`{~', true],
      ['[[:punct:]]', 'a', false],
      ['^[[:xdigit:]]+$', '09afAF', true],
      ['[[:xdigit:]]', 'g', false],
      ['^[[:word:]]+$', 'a_1', true],
      ['^[[:^alpha:]]+$', '123', true],
      ['[[:^alpha:]]', 'a', false],
      ['^[[:alpha:][:digit:]_]+$', 'a_1', true],
      ['[[:blank:]]', '\t', true],
      ['[[:cntrl:]]', '\x7f', true],
      ['[[:print:]]', ' ', true],
      ['[[:graph:]]', ' ', false],
      ['[[:ascii:]]', 'é', false],
      ['[:alpha:]', 'p', true],
      ['[:alpha:]', 'x', false],
    ]);
  });

  it('supports Unicode classes', () => {
    table([
      ['^\\pL+$', 'éπж', true],
      ['\\pL', '1', false],
      ['^\\p{Lu}$', 'Ж', true],
      ['^\\p{Greek}+$', 'αβγ', true],
      ['\\p{Greek}', 'abc', false],
      ['^\\PL$', '1', true],
      ['^\\p{^L}$', '1', true],
      ['^[\\p{N}]+$', '١٢3', true],
      ['^\\p{Any}$', '\n', true],
    ]);
    assert.match(compileError('\\p{Nope}'), /invalid character class range/);
    assert.match(compileError('\\p{'), /invalid character class range/);
  });

  it('rejects malformed classes', () => {
    assert.match(compileError('[z-a]'), /invalid character class range: `z-a`/);
    assert.match(compileError('[a'), /missing closing \]/);
    assert.match(compileError('[]'), /missing closing \]/);
    assert.match(compileError('[^]'), /missing closing \]/);
    assert.match(compileError('[[:foo:]]'), /invalid character class range: `\[:foo:\]`/);
    assert.match(compileError('[[:alpha:]'), /missing closing \]/);
    assert.match(compileError('[a-\\d]'), /invalid escape sequence/);
  });
});

describe('groups, alternation and quantifiers', () => {
  it('supports groups of every kind and alternation', () => {
    table([
      ['^(ab)+$', 'ababab', true],
      ['^(ab)+$', 'ababa', false],
      ['^(?:ab|cd)+$', 'abcdab', true],
      ['^(?P<word>\\w+)-(?<num>\\d+)$', 'build-42', true],
      ['^(a|b|)$', '', true],
      ['^(|a)$', 'a', true],
      ['a|b|c', 'zzc', true],
      ['^a|b$', 'xxb', true],
      ['^(a|b)$', 'xxb', false],
      ['()', '', true],
      ['(?:)', 'x', true],
      ['(?)a', 'a', true],
    ]);
  });

  it('supports every quantifier, greedy or lazy', () => {
    table([
      ['^a*$', '', true],
      ['^a*$', 'aaa', true],
      ['^a+$', '', false],
      ['^a+$', 'aa', true],
      ['^ab?c$', 'ac', true],
      ['^ab?c$', 'abbc', false],
      ['^a{3}$', 'aaa', true],
      ['^a{3}$', 'aa', false],
      ['^a{2,}$', 'aa', true],
      ['^a{2,}$', 'a', false],
      ['^a{2,}$', 'a'.repeat(50), true],
      ['^a{1,3}$', 'aaa', true],
      ['^a{1,3}$', 'aaaa', false],
      ['^a{0}$', '', true],
      ['^a{0,0}b$', 'b', true],
      ['^(ab){2}$', 'abab', true],
      ['^a*?$', 'aa', true],
      ['^a+?$', 'aa', true],
      ['^a??$', 'a', true],
      ['^a{1,3}?$', 'aa', true],
      ['^a{2,}?$', 'aaa', true],
      ['^(a*)*$', 'aaa', true],
      ['^(a?)+$', '', true],
      ['^(?:a*|b)*$', 'abba', true],
      ['^\\b*a$', 'a', true],
      ['^*a', 'a', true],
      ['a{01}', 'a{01}', true],
      ['^x{1000}$', 'x'.repeat(1000), true],
      ['^x{1000}$', 'x'.repeat(999), false],
    ]);
  });

  it('treats (?U) as valid without changing the answer', () => {
    assert.equal(matches('(?U)^a+$', 'aaa'), true);
    assert.equal(matches('(?U)a+?b', 'aab'), true);
  });

  it('rejects missing or stacked repetition operands', () => {
    assert.match(compileError('*'), /missing argument to repetition operator: `\*`/);
    assert.match(compileError('a|*'), /missing argument/);
    assert.match(compileError('(*)'), /missing argument/);
    assert.match(compileError('(?i)*'), /missing argument/);
    assert.match(compileError('{2}'), /missing argument/);
    assert.match(compileError('a**'), /invalid nested repetition operator: `\*\*`/);
    assert.match(compileError('a*??'), /invalid nested repetition operator/);
    assert.match(compileError('a{2}{3}'), /invalid nested repetition operator/);
  });

  it('rejects possessive quantifiers', () => {
    for (const bad of ['a++', 'a*+', 'a?+', 'a{2}+']) {
      assert.match(compileError(bad), /possessive quantifiers are not supported/, bad);
    }
  });

  it('caps repetition counts at 1000', () => {
    assert.equal(compileRegex('a{1000}').ok, true);
    assert.match(compileError('a{1001}'), /invalid repeat count: `\{1001\}`/);
    assert.match(compileError('a{0,1001}'), /invalid repeat count/);
    assert.match(compileError('a{1001,}'), /invalid repeat count/);
    assert.match(compileError('a{99999999999}'), /invalid repeat count/);
    assert.match(compileError('a{2,1}'), /invalid repeat count: `\{2,1\}`/);
    // Nested counts multiply, as in RE2.
    assert.match(compileError('(a{500}){3}'), /invalid repeat count/);
    assert.match(compileError('((a{100}){10}){2}'), /invalid repeat count/);
    assert.equal(compileRegex('(a{100}){10}').ok, true);
  });

  it('rejects programs that are too large', () => {
    assert.match(
      compileError('((((((a|b|c|d|e|f|g|h|i|j){10}){10}){10}){10}){10}){10}'),
      /invalid repeat count|too large/,
    );
    assert.match(compileError('(\\w{1000}){1}x{1000}y{1000}(abcdefghijklmnopqrstuvwxyz){1000}'), /too large/);
    assert.match(compileError('(abcdefghij|klmnopqrst){1000}'), /too large: more than 20000 NFA states/);
  });

  it('rejects unbalanced parentheses and deep nesting', () => {
    assert.match(compileError('(a'), /missing closing \): `\(a`/);
    assert.match(compileError('(?:a'), /missing closing \)/);
    assert.match(compileError('a)'), /unexpected \): `a\)`/);
    assert.match(compileError(')('), /unexpected \)/);
    assert.match(compileError(`${'('.repeat(1001)}a${')'.repeat(1001)}`), /nests too deeply/);
    assert.equal(compileRegex(`${'('.repeat(500)}a${')'.repeat(500)}`).ok, true);
    assert.equal(compileRegex(`${'('.repeat(100_000)}`).ok, false);
  });

  it('rejects bad group syntax', () => {
    assert.match(compileError('(?P<>a)'), /invalid named capture/);
    assert.match(compileError('(?P<a-b>a)'), /invalid named capture/);
    assert.match(compileError('(?<name'), /invalid named capture/);
    assert.match(compileError('(?P<n>a)(?P<n>b)'), /duplicate capture group name: `n`/);
    assert.match(compileError('(?x)a'), /invalid or unsupported Perl syntax: `\(\?x`/);
    assert.match(compileError('(?-)a'), /invalid or unsupported Perl syntax/);
    assert.match(compileError('(?i-)a'), /invalid or unsupported Perl syntax/);
    assert.match(compileError('(?i'), /invalid or unsupported Perl syntax/);
  });
});

describe('unsupported features are rejected', () => {
  it('back-references', () => {
    for (const bad of ['(a)\\1', '(a)(b)\\2', '\\k<x>', '(?P<x>a)(?P=x)', '(a)\\9']) {
      assert.match(compileError(bad), /back-reference/, bad);
    }
  });

  it('look-ahead and look-behind', () => {
    assert.match(compileError('a(?=b)'), /look-ahead assertions are not supported/);
    assert.match(compileError('a(?!b)'), /look-ahead assertions are not supported/);
    assert.match(compileError('(?<=a)b'), /look-behind assertions are not supported/);
    assert.match(compileError('(?<!a)b'), /look-behind assertions are not supported/);
  });
});

describe('assertions', () => {
  it('\\b and \\B use ASCII word characters', () => {
    table([
      ['\\bfoo\\b', 'foo', true],
      ['\\bfoo\\b', 'foo-bar', true],
      ['\\bfoo\\b', 'foobar', false],
      ['\\bfoo\\b', '_foo', false],
      ['\\Bfoo', 'xfoo', true],
      ['\\Bfoo', 'foo', false],
      ['foo\\B', 'foo', false],
      ['\\b', '', false],
      ['\\B', '', true],
      ['\\b', 'é', false],
      ['^\\b$', '', false],
      ['a\\b', 'aé', true],
      ['\\b\\b\\ba', 'a', true],
    ]);
  });

  it('^ and $ follow (?m) per scope', () => {
    table([
      ['(?m:^b$)|^a', 'x\nb', true],
      ['(?m)^a$|^b', 'x\nb', true],
      ['((?m)^b)$', 'x\nb', true],
      ['(?m)(?-m)^b', 'x\nb', false],
    ]);
  });
});

describe('flags', () => {
  it('inline flags apply from where they appear to the end of the group', () => {
    table([
      ['(?i)abc', 'ABC', true],
      ['a(?i)bc', 'aBC', true],
      ['a(?i)bc', 'ABC', false],
      ['(a(?i)b)c', 'aBc', true],
      ['(a(?i)b)c', 'aBC', false],
      ['a(?i)b|c', 'C', true],
      ['(?i:a)b', 'Ab', true],
      ['(?i:a)b', 'AB', false],
      ['(?is)A.B', 'a\nb', true],
      ['(?i)(?-i)a', 'A', false],
      ['(?i-i)a', 'A', false],
      ['(?ims)^a.$', 'x\nA\n', true],
      ['(?sm-i:^a.$)', 'x\nA\n', false],
    ]);
  });

  it('case folding covers classes, escapes and simple Unicode pairs', () => {
    table([
      ['(?i)[a-c]+', 'ABC', true],
      ['(?i)[^a]', 'A', false],
      ['(?i)[[:upper:]]', 'q', true],
      ['(?i)[[:lower:]]', 'Q', true],
      ['(?i)\\x41', 'a', true],
      ['(?i)é', 'É', true],
      ['(?i)ÉCOLE', 'école', true],
      ['(?i)σ', 'Σ', true],
      ['(?i)σ', 'ς', true],
      ['(?i)k', '\u212A', true],
      ['(?i)\\x{212A}', 'k', true],
      ['(?i)s', '\u017F', true],
      ['(?i)\\W', '\u017F', false],
      ['(?i)ж', 'Ж', true],
      ['(?i)\\x{10428}', '\u{10400}', true],
      ['(?i)\\d', '1', true],
      ['(?i)1', '1', true],
    ]);
  });
});

describe('code points', () => {
  it('treats a surrogate pair as one character', () => {
    table([
      ['^.$', '\u{1F600}', true],
      ['^..$', '\u{1F600}', false],
      ['^[^a]$', '\u{1F600}', true],
      ['^\u{1F600}+$', '\u{1F600}\u{1F600}', true],
      ['^\\x{1F600}{2}$', '\u{1F600}\u{1F600}', true],
      ['a.b', 'a\u{1F600}b', true],
      ['^.$', '\uD800', true],
    ]);
  });
});

describe('linear time on catastrophic patterns', () => {
  const cases: readonly (readonly [string, string, boolean])[] = [
    ['(a+)+$', `${'a'.repeat(30_000)}!`, false],
    ['^(a+)+$', `${'a'.repeat(30_000)}!`, false],
    ['(a|a)*c', 'a'.repeat(30_000), false],
    ['(a|aa)*b', 'a'.repeat(30_000), false],
    ['(x+x+)+y', 'x'.repeat(30_000), false],
    ['(.*a){20}', 'a'.repeat(30_000), true],
    ['(.*a){20}$', `${'a'.repeat(30_000)}b`, false],
    ['^(.*a){20}x', `${'ab'.repeat(15_000)}`, false],
    ['^(\\w+\\s?)*$', `${'a'.repeat(30_000)}!`, false],
    ['^(\\w+\\s?)*$', 'word '.repeat(6_000), true],
    ['(a*)*b', 'a'.repeat(30_000), false],
    ['^([a-z0-9]+([._-]?[a-z0-9]+)*)+@', 'a'.repeat(30_000), false],
    ['(?i)(a|b|ab)*c', 'ab'.repeat(15_000), false],
    ['\\b(\\w+\\b\\s*)+$', `${'word '.repeat(6_000)}!`, false],
  ];

  for (const [pattern, input, expected] of cases) {
    it(`${pattern} on ${input.length} chars`, () => {
      const regex = re(pattern);
      const begin = performance.now();
      const got = regex.test(input);
      const elapsed = performance.now() - begin;
      assert.equal(got, expected);
      assert.ok(elapsed < 1000, `${pattern} took ${elapsed.toFixed(1)} ms`);
    });
  }

  it('bounds the transitions kept for non-ASCII characters', () => {
    const regex = re('^[\\x{4E00}-\\x{9FFF}]+x$');
    let input = '';
    for (let c = 0x4e00; c < 0x4e00 + 20_000; c++) input += String.fromCodePoint(c);
    const begin = performance.now();
    assert.equal(regex.test(`${input}x`), true);
    assert.equal(regex.test(`${input}y`), false);
    assert.equal(regex.test(`${input}\u{1F600}x`), false);
    assert.ok(performance.now() - begin < 1000);
  });

  it('stays linear when the DFA cache overflows', () => {
    // (a|b)*a(a|b){12} needs far more DFA states than the cache holds.
    const regex = re('(a|b)*a(a|b){12}$');
    let input = '';
    let seed = 7;
    for (let i = 0; i < 30_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      input += seed & 0x10000 ? 'a' : 'b';
    }
    const begin = performance.now();
    const got = regex.test(input);
    const elapsed = performance.now() - begin;
    assert.equal(got, input[input.length - 13] === 'a');
    assert.equal(regex.test(`${input}b${'b'.repeat(12)}`), false);
    assert.ok(elapsed < 2000, `took ${elapsed.toFixed(1)} ms`);
  });
});

describe('differential against re2js', () => {
  // Word and non-word ASCII, a newline, case pairs that fold beyond ASCII (K and the
  // Kelvin sign, s and the long s, the three sigmas), and an astral character.
  const alphabet = [...'abcABx1_- ', '\n', ...'éÉkKσΣςſǅ', '\u212A', '\u{1F600}'];
  const input = fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((cs) => cs.join(''));

  const literal = fc.constantFrom(...'abcAx1- éÉkσςſs', '\\n', '\\.', '\\x{1F600}', '\u{1F600}', 'ǅ', '\\x{212A}');
  const charClass = fc.constantFrom(
    ...['.', '[abc]', '[^ab]', '[a-c]', '[^a-c\\n]', '[A-Z]', '[a-]', '[]a]', '[é-ê]', '[^k]', '[^\\x{212A}]'],
    ...['[[:alpha:]]', '[[:^alpha:]]', '[[:upper:]]', '[^[:lower:]]', '[[:punct:]]', '[\\w-]', '[\\d\\s]', '[^\\W]'],
    ...['\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '\\pL', '\\p{Lu}', '[^\\pL]', '\\PL', '\\p{Greek}'],
  );
  const anchor = fc.constantFrom('^', '$', '\\A', '\\z', '\\b', '\\B');
  const quantifier = fc.constantFrom(...'* + ? *? +? ?? {2} {1,3} {0,2} {2,} {0} {1}? {3,5}'.split(' '));
  const flag = fc.constantFrom(...'(?i) (?m) (?s) (?-i) (?is) (?U) (?-m) (?i-s)'.split(' '));

  const { node } = fc.letrec<{ node: string; atom: string }>((tie) => ({
    atom: fc.oneof(
      { weight: 4, arbitrary: literal },
      { weight: 3, arbitrary: charClass },
      { weight: 1, arbitrary: tie('node').map((n) => `(${n})`) },
      { weight: 1, arbitrary: tie('node').map((n) => `(?:${n})`) },
      { weight: 1, arbitrary: tie('node').map((n) => `(?i:${n})`) },
      { weight: 1, arbitrary: tie('node').map((n) => `(?m-s:${n})`) },
    ),
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 3, arbitrary: tie('atom') },
      { weight: 3, arbitrary: fc.tuple(tie('atom'), quantifier).map(([a, q]) => a + q) },
      { weight: 1, arbitrary: anchor },
      { weight: 1, arbitrary: flag },
      { weight: 3, arbitrary: fc.array(tie('node'), { minLength: 2, maxLength: 5 }).map((ns) => ns.join('')) },
      { weight: 2, arbitrary: fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((ns) => ns.join('|')) },
    ),
  }));

  function oracle(pattern: string, caseInsensitive: boolean): ((s: string) => boolean) | string {
    try {
      const compiled = RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
      return (s) => compiled.matcher(s).find();
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  function agree(pattern: string, caseInsensitive: boolean, inputs: readonly string[]): void {
    const expected = oracle(pattern, caseInsensitive);
    const ours = compileRegex(pattern, { caseInsensitive });
    if (typeof expected === 'string') {
      assert.equal(ours.ok, false, `re2js rejects ${JSON.stringify(pattern)} (${expected}) but we accept it`);
      return;
    }
    if (!ours.ok) assert.fail(`re2js accepts ${JSON.stringify(pattern)} but we reject it: ${ours.error}`);
    for (const s of inputs) {
      const flags = caseInsensitive ? ' (caseInsensitive)' : '';
      assert.equal(ours.regex.test(s), expected(s), `${JSON.stringify(pattern)}${flags} on ${JSON.stringify(s)}`);
    }
  }

  it('agrees on generated patterns and inputs', () => {
    const inputs = fc.array(input, { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(node, fc.boolean(), inputs, (pattern, ci, strings) => agree(pattern, ci, strings)),
      { numRuns: 2000, seed: 20240611 },
    );
  });

  it('agrees on repetition-free patterns, which may run on the host RegExp', () => {
    // The same grammar without quantifiers: alternations of such patterns are what native.ts
    // hands to the host engine when their branches start with disjoint characters.
    const { plain } = fc.letrec<{ plain: string; group: string }>((tie) => ({
      group: fc.oneof(
        { weight: 4, arbitrary: literal },
        { weight: 3, arbitrary: charClass },
        { weight: 1, arbitrary: tie('plain').map((n) => `(${n})`) },
        { weight: 1, arbitrary: tie('plain').map((n) => `(?i:${n})`) },
      ),
      plain: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { weight: 3, arbitrary: tie('group') },
        { weight: 1, arbitrary: fc.constantFrom('^', '$', '\\A', '\\z', '\\b', '\\B') },
        { weight: 3, arbitrary: fc.array(tie('plain'), { minLength: 2, maxLength: 5 }).map((ns) => ns.join('')) },
        { weight: 3, arbitrary: fc.array(tie('plain'), { minLength: 2, maxLength: 3 }).map((ns) => ns.join('|')) },
      ),
    }));
    const inputs = fc.array(input, { minLength: 1, maxLength: 6 });
    let native = 0;
    fc.assert(
      fc.property(plain, fc.boolean(), inputs, (pattern, ci, strings) => {
        const compiled = compileRegex(pattern, { caseInsensitive: ci });
        if (compiled.ok && compiled.regex.constructor.name === 'NativeRegex') native++;
        agree(pattern, ci, strings);
      }),
      { numRuns: 2000, seed: 99 },
    );
    assert.ok(native > 300, `only ${native} of 2000 patterns took the native path`);
  });

  it('agrees on what is accepted or rejected for token soup', () => {
    const token = fc.constantFrom(
      ...'ab()[]{}*+?|^$\\-,0127:.P<>=!ismUdwbBxQEzApLé'.split(''),
      ...['{1}', '{2,}', '(?', '[:', ':]', '[[:alpha:]]', '\\x{', '\\p{', '\\Q', '\\E'],
    );
    const soup = fc.array(token, { maxLength: 12 }).map((ts) => ts.join(''));
    const inputs = fc.array(input, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(soup, fc.boolean(), inputs, (pattern, ci, strings) => agree(pattern, ci, strings)),
      { numRuns: 2000, seed: 7 },
    );
  });
});
