import { alternate, concat, type Node } from './ast.js';
import { foldedCodePoint, foldRanges } from './casefold.js';
import {
  ANY,
  ANY_BUT_NEWLINE,
  negateRanges,
  normalizeRanges,
  PERL_CLASSES,
  POSIX_CLASSES,
  type Ranges,
} from './charclass.js';
import { unicodePropertyRanges } from './unicode.js';

/*
 * A recursive-descent port of the grammar of Go's regexp/syntax (the parser
 * behind RE2/J and re2js) with Perl flags: same accepted language, same
 * rejections, error texts in the same shape ("invalid escape sequence: `\1`"),
 * plus a hint where a rejection is about an unsupported feature.
 */

export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
}

/** RE2's limit on a counted repetition, and on nested counts multiplied together. */
export const MAX_REPEAT = 1000;
/** Same nesting limit as RE2; it also keeps the recursive passes far from the stack limit. */
export const MAX_DEPTH = 1000;

interface Flags {
  readonly fold: boolean;
  readonly multiLine: boolean;
  readonly dotNL: boolean;
}

const ch = (s: string): number => s.charCodeAt(0);
const BACKSLASH = ch('\\');
const LPAREN = ch('(');
const RPAREN = ch(')');
const LBRACKET = ch('[');
const RBRACKET = ch(']');
const LBRACE = ch('{');
const RBRACE = ch('}');
const PIPE = ch('|');
const QUESTION = ch('?');
const STAR = ch('*');
const PLUS = ch('+');
const CARET = ch('^');
const DOLLAR = ch('$');
const DOT = ch('.');
const COLON = ch(':');
const MINUS = ch('-');
const COMMA = ch(',');
const LT = ch('<');
const GT = ch('>');

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function isOctal(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x37;
}

export function parse(pattern: string, caseInsensitive: boolean): Node {
  return new Parser(pattern, caseInsensitive).parseRegex();
}

class Parser {
  private readonly cps: number[];
  private pos = 0;
  private flags: Flags;
  private readonly names = new Set<string>();
  private depth = 0;

  constructor(pattern: string, caseInsensitive: boolean) {
    this.cps = Array.from(pattern, (s) => s.codePointAt(0) as number);
    this.flags = { fold: caseInsensitive, multiLine: false, dotNL: false };
  }

  parseRegex(): Node {
    const node = this.parseAlternation();
    if (this.pos < this.cps.length) {
      // Only an unmatched ')' stops the top-level alternation early.
      throw this.error('unexpected )', this.text(0, this.pos + 1));
    }
    return node;
  }

  private text(from: number, to: number): string {
    // No spread: an error in a long pattern may quote all of it.
    let out = '';
    for (let i = from; i < Math.min(to, this.cps.length); i++) out += String.fromCodePoint(this.cps[i] as number);
    return out;
  }

  private error(message: string, snippet?: string, hint?: string): RegexSyntaxError {
    let text = snippet === undefined ? message : `${message}: \`${snippet}\``;
    if (hint !== undefined) text += ` (${hint})`;
    return new RegexSyntaxError(text);
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.pos + offset];
  }

  private parseAlternation(): Node {
    const branches: Node[] = [this.parseConcat()];
    while (this.peek() === PIPE) {
      this.pos++;
      branches.push(this.parseConcat());
    }
    return alternate(branches);
  }

  private parseConcat(): Node {
    const items: Node[] = [];
    // Start of the previous token when it was a repetition operator, else -1.
    let lastRepeat = -1;
    while (this.pos < this.cps.length) {
      const c = this.cps[this.pos] as number;
      if (c === PIPE || c === RPAREN) break;
      const start = this.pos;
      let isRepeat = false;
      switch (c) {
        case LPAREN: {
          const group = this.parseGroup();
          if (group !== null) items.push(group);
          break;
        }
        case STAR:
        case PLUS:
        case QUESTION: {
          this.pos++;
          const min = c === PLUS ? 1 : 0;
          const max = c === QUESTION ? 1 : -1;
          this.repeat(items, min, max, start, lastRepeat, false);
          isRepeat = true;
          break;
        }
        case LBRACE: {
          const counts = this.parseRepeatCounts();
          if (counts === null) {
            // A brace that does not start a valid {n,m} is an ordinary character.
            this.pos++;
            items.push(this.literal(c));
            break;
          }
          const [min, max] = counts;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            throw this.error('invalid repeat count', this.text(start, this.pos));
          }
          this.repeat(items, min, max, start, lastRepeat, true);
          isRepeat = true;
          break;
        }
        case CARET:
          this.pos++;
          items.push({ kind: 'assert', assertion: this.flags.multiLine ? 'beginLine' : 'beginText' });
          break;
        case DOLLAR:
          this.pos++;
          items.push({ kind: 'assert', assertion: this.flags.multiLine ? 'endLine' : 'endText' });
          break;
        case DOT:
          this.pos++;
          items.push({ kind: 'chars', ranges: this.flags.dotNL ? ANY : ANY_BUT_NEWLINE });
          break;
        case LBRACKET:
          items.push(this.parseClass());
          break;
        case BACKSLASH:
          this.parseEscapeAtom(items);
          break;
        default:
          this.pos++;
          items.push(this.literal(c));
      }
      lastRepeat = isRepeat ? start : -1;
    }
    return concat(items);
  }

  /** Wraps the last item in a repetition; `start` is where the operator began. */
  private repeat(items: Node[], min: number, max: number, start: number, lastRepeat: number, counted: boolean): void {
    const op = this.cps[start] as number;
    // A trailing '?' only makes it lazy, which a yes/no match cannot observe.
    if (this.peek() === QUESTION) this.pos++;
    if (lastRepeat >= 0) {
      const possessive = op === PLUS && this.pos === start + 1;
      throw this.error(
        'invalid nested repetition operator',
        this.text(lastRepeat, this.pos),
        possessive ? 'possessive quantifiers are not supported' : undefined,
      );
    }
    const sub = items[items.length - 1];
    if (sub === undefined) {
      throw this.error('missing argument to repetition operator', this.text(start, this.pos));
    }
    const node: Node = { kind: 'repeat', sub, min, max };
    if (counted && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
      throw this.error('invalid repeat count', this.text(start, this.pos));
    }
    items[items.length - 1] = node;
  }

  /** Parses `{n}`, `{n,}` or `{n,m}` at the cursor; null (cursor unmoved) if it is not one. */
  private parseRepeatCounts(): [number, number] | null {
    const save = this.pos;
    this.pos++;
    const min = this.parseInt();
    let max = min;
    let ok = min !== null;
    if (ok && this.peek() === COMMA) {
      this.pos++;
      if (this.peek() === RBRACE) {
        max = -1;
      } else {
        max = this.parseInt();
        ok = max !== null;
      }
    }
    if (!ok || this.peek() !== RBRACE || min === null || max === null) {
      this.pos = save;
      return null;
    }
    this.pos++;
    // An overflowing bound must fail the range check, whichever side it is on.
    return max === -2 ? [-1, -1] : [min, max];
  }

  /** Decimal without leading zeros, like Go; -2 means "too big". */
  private parseInt(): number | null {
    const first = this.peek();
    if (!isDigit(first)) return null;
    if (first === 0x30 && isDigit(this.peek(1))) return null;
    let n = 0;
    while (isDigit(this.peek())) {
      if (n >= 1e8) n = -2;
      else if (n >= 0) n = n * 10 + ((this.peek() as number) - 0x30);
      this.pos++;
    }
    return n;
  }

  private literal(c: number): Node {
    return { kind: 'chars', ranges: this.flags.fold ? foldedCodePoint(c) : [c, c] };
  }

  /** Returns null for a flag-only group such as `(?i)`, which adds no node. */
  private parseGroup(): Node | null {
    const start = this.pos;
    if (this.peek(1) !== QUESTION) {
      this.pos++;
      return this.parseGroupBody(this.flags);
    }
    const c2 = this.peek(2);
    const c3 = this.peek(3);
    if (c2 === ch('=') || c2 === ch('!')) {
      throw this.error(
        'invalid or unsupported Perl syntax',
        this.text(start, start + 3),
        'look-ahead assertions are not supported',
      );
    }
    if (c2 === LT && (c3 === ch('=') || c3 === ch('!'))) {
      throw this.error(
        'invalid or unsupported Perl syntax',
        this.text(start, start + 4),
        'look-behind assertions are not supported',
      );
    }
    if ((c2 === ch('P') && c3 === LT) || c2 === LT) {
      const nameStart = start + (c2 === LT ? 3 : 4);
      const end = this.cps.indexOf(GT, nameStart);
      if (end < 0) throw this.error('invalid named capture', this.text(start, this.cps.length));
      const name = this.text(nameStart, end);
      if (name.length === 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        throw this.error('invalid named capture', this.text(start, end + 1));
      }
      if (this.names.has(name)) throw this.error('duplicate capture group name', name);
      this.names.add(name);
      this.pos = end + 1;
      return this.parseGroupBody(this.flags);
    }
    if (c2 === ch('P')) {
      const hint = c3 === ch('=') || c3 === GT ? 'back-references and recursion are not supported' : undefined;
      throw this.error('invalid or unsupported Perl syntax', this.text(start, start + 3), hint);
    }
    return this.parseFlags(start);
  }

  private parseGroupBody(innerFlags: Flags): Node {
    if (++this.depth > MAX_DEPTH) throw this.error('expression nests too deeply');
    const outer = this.flags;
    this.flags = innerFlags;
    const node = this.parseAlternation();
    if (this.peek() !== RPAREN) throw this.error('missing closing )', this.text(0, this.cps.length));
    this.pos++;
    // Flags set inside a group, e.g. a(?i)b, end with the group.
    this.flags = outer;
    this.depth--;
    return node;
  }

  /** `(?flags)` or `(?flags:re)`, with the same edge cases as Go (`(?)` is fine, `(?-)` is not). */
  private parseFlags(start: number): Node | null {
    let { fold, multiLine, dotNL } = this.flags;
    let negate = false;
    let sawFlag = false;
    this.pos = start + 2;
    while (this.pos < this.cps.length) {
      const c = this.cps[this.pos++] as number;
      switch (c) {
        case ch('i'):
          fold = !negate;
          sawFlag = true;
          continue;
        case ch('m'):
          multiLine = !negate;
          sawFlag = true;
          continue;
        case ch('s'):
          dotNL = !negate;
          sawFlag = true;
          continue;
        case ch('U'):
          // Ungreedy only swaps laziness, which a yes/no match cannot observe.
          sawFlag = true;
          continue;
        case MINUS:
          if (negate) break;
          negate = true;
          sawFlag = false;
          continue;
        case COLON:
        case RPAREN: {
          if (negate && !sawFlag) break;
          const flags: Flags = { fold, multiLine, dotNL };
          if (c === COLON) return this.parseGroupBody(flags);
          this.flags = flags;
          return null;
        }
        default:
          break;
      }
      break;
    }
    throw this.error('invalid or unsupported Perl syntax', this.text(start, this.pos));
  }

  private parseEscapeAtom(items: Node[]): void {
    const c = this.peek(1);
    switch (c) {
      case ch('A'):
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'beginText' });
        return;
      case ch('z'):
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'endText' });
        return;
      case ch('b'):
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'wordBoundary' });
        return;
      case ch('B'):
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'notWordBoundary' });
        return;
      case ch('C'):
        throw this.error('invalid escape sequence', '\\C', 'matching single bytes is not supported');
      case ch('Q'): {
        this.pos += 2;
        let end = this.pos;
        while (end < this.cps.length && !(this.cps[end] === BACKSLASH && this.cps[end + 1] === ch('E'))) end++;
        for (let i = this.pos; i < end; i++) items.push(this.literal(this.cps[i] as number));
        this.pos = end < this.cps.length ? end + 2 : end;
        return;
      }
      default:
    }
    const unicode = this.parseUnicodeClass();
    if (unicode !== null) {
      items.push({ kind: 'chars', ranges: normalizeRanges(unicode) });
      return;
    }
    const perl = this.parsePerlClass();
    if (perl !== null) {
      items.push({ kind: 'chars', ranges: normalizeRanges(perl) });
      return;
    }
    items.push(this.literal(this.parseEscape()));
  }

  /** `\d \s \w` and their negations; null if not at one. */
  private parsePerlClass(): number[] | null {
    if (this.peek() !== BACKSLASH) return null;
    const c = this.peek(1);
    if (c === undefined) return null;
    const letter = String.fromCharCode(c);
    const lower = letter.toLowerCase();
    const ranges = PERL_CLASSES.get(lower);
    if (ranges === undefined) return null;
    this.pos += 2;
    return this.group(ranges, letter !== lower);
  }

  /** Ranges for a class group under the current flags: fold first, then negate, like RE2. */
  private group(ranges: Ranges, negated: boolean): number[] {
    const folded = this.flags.fold ? foldRanges(ranges) : ranges;
    return negated ? negateRanges(folded) : folded.slice();
  }

  /** `\pL`, `\p{Greek}`, `\P{...}`, `\p{^...}`; null if not at one. */
  private parseUnicodeClass(): number[] | null {
    if (this.peek() !== BACKSLASH) return null;
    const p = this.peek(1);
    if (p !== ch('p') && p !== ch('P')) return null;
    const start = this.pos;
    let negated = p === ch('P');
    let name: string;
    if (this.peek(2) === LBRACE) {
      const end = this.cps.indexOf(RBRACE, start + 3);
      if (end < 0) throw this.error('invalid character class range', this.text(start, this.cps.length));
      name = this.text(start + 3, end);
      this.pos = end + 1;
    } else {
      const single = this.peek(2);
      name = single === undefined ? '' : String.fromCodePoint(single);
      this.pos = Math.min(start + 3, this.cps.length);
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const ranges = name.length > 0 ? unicodePropertyRanges(name) : null;
    if (ranges === null) throw this.error('invalid character class range', this.text(start, this.pos));
    return this.group(ranges, negated);
  }

  private parseClass(): Node {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === CARET) {
      negated = true;
      this.pos++;
    }
    const pairs: number[] = [];
    const add = (ranges: readonly number[]): void => {
      for (const r of ranges) pairs.push(r);
    };
    let first = true;
    while (first || this.peek() !== RBRACKET) {
      if (this.pos >= this.cps.length) throw this.error('missing closing ]', this.text(start, this.pos));
      first = false;
      if (this.peek() === LBRACKET && this.peek(1) === COLON) {
        const named = this.parseNamedClass();
        if (named !== null) {
          add(named);
          continue;
        }
      }
      const unicode = this.parseUnicodeClass();
      if (unicode !== null) {
        add(unicode);
        continue;
      }
      const perl = this.parsePerlClass();
      if (perl !== null) {
        add(perl);
        continue;
      }
      const rangeStart = this.pos;
      const lo = this.parseClassChar(start);
      let hi = lo;
      // A '-' just before ']' is literal: [a-] is a or -.
      if (this.peek() === MINUS && this.peek(1) !== undefined && this.peek(1) !== RBRACKET) {
        this.pos++;
        hi = this.parseClassChar(start);
        if (hi < lo) throw this.error('invalid character class range', this.text(rangeStart, this.pos));
      }
      add(this.flags.fold ? foldRanges([lo, hi]) : [lo, hi]);
    }
    this.pos++;
    const ranges = normalizeRanges(pairs);
    // Negated classes include '\n', as in RE2's default mode.
    return { kind: 'chars', ranges: negated ? negateRanges(ranges) : ranges };
  }

  /** `[:alpha:]` and `[:^alpha:]` inside a class; null when there is no closing `:]`. */
  private parseNamedClass(): number[] | null {
    let end = -1;
    // Searching from the opening ':' (so `[:]` is a bad name) follows RE2/J and re2js;
    // Go and C++ RE2 start after it and read `[[:]` as a class of '[' and ':'.
    for (let i = this.pos + 1; i + 1 < this.cps.length; i++) {
      if (this.cps[i] === COLON && this.cps[i + 1] === RBRACKET) {
        end = i + 2;
        break;
      }
    }
    if (end < 0) return null;
    const text = this.text(this.pos, end);
    const negated = text.startsWith('[:^');
    const ranges = POSIX_CLASSES.get(text.slice(negated ? 3 : 2, -2));
    if (ranges === undefined) throw this.error('invalid character class range', text);
    this.pos = end;
    return this.group(ranges, negated);
  }

  private parseClassChar(classStart: number): number {
    const c = this.peek();
    if (c === undefined) throw this.error('missing closing ]', this.text(classStart, this.pos));
    if (c === BACKSLASH) return this.parseEscape();
    this.pos++;
    return c;
  }

  /** A single-character escape at the cursor (which is on the backslash). */
  private parseEscape(): number {
    const start = this.pos;
    this.pos++;
    const c = this.peek();
    if (c === undefined) throw this.error('trailing backslash at end of expression');
    this.pos++;
    const bad = (hint?: string): RegexSyntaxError =>
      this.error('invalid escape sequence', this.text(start, this.pos), hint);
    if (c < 0x80 && !isAsciiAlnum(c)) return c;
    switch (c) {
      case ch('1'):
      case ch('2'):
      case ch('3'):
      case ch('4'):
      case ch('5'):
      case ch('6'):
      case ch('7'):
      case ch('0'): {
        // \1 alone is a back-reference; \0 and \1 followed by octal digits are octal, as in RE2.
        if (c !== ch('0') && !isOctal(this.peek())) throw bad('back-references are not supported');
        let value = c - 0x30;
        for (let i = 0; i < 2 && isOctal(this.peek()); i++) {
          value = value * 8 + ((this.peek() as number) - 0x30);
          this.pos++;
        }
        return value;
      }
      case ch('8'):
      case ch('9'):
        throw bad('back-references are not supported');
      case ch('x'):
        return this.parseHexEscape(bad, 2);
      case ch('u'): {
        // Not in RE2, but Rust's regex and JavaScript both have it.
        const value = this.parseHexEscape(bad, 4);
        if (value >= 0xd800 && value <= 0xdbff && this.peek() === BACKSLASH && this.peek(1) === ch('u')) {
          // A surrogate pair spelled as two escapes means one astral character.
          const save = this.pos;
          this.pos += 2;
          const low = this.parseHexEscape(bad, 4);
          if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00);
          this.pos = save;
        }
        return value;
      }
      case ch('a'):
        return 0x07;
      case ch('f'):
        return 0x0c;
      case ch('n'):
        return 0x0a;
      case ch('r'):
        return 0x0d;
      case ch('t'):
        return 0x09;
      case ch('v'):
        return 0x0b;
      case ch('k'):
        throw bad('back-references are not supported');
      default:
        throw bad();
    }
  }

  /** `{H...}` or exactly `digits` hex digits after `\x` / `\u`. */
  private parseHexEscape(bad: (hint?: string) => RegexSyntaxError, digits: number): number {
    if (this.peek() === LBRACE) {
      this.pos++;
      let value = 0;
      let count = 0;
      for (;;) {
        const c = this.peek();
        if (c === undefined) throw bad();
        this.pos++;
        if (c === RBRACE) break;
        const v = hexValue(c);
        if (v < 0) throw bad();
        value = value * 16 + v;
        if (value > 0x10ffff) throw bad();
        count++;
      }
      if (count === 0) throw bad();
      return value;
    }
    let value = 0;
    for (let i = 0; i < digits; i++) {
      const v = hexValue(this.peek());
      if (this.peek() !== undefined) this.pos++;
      if (v < 0) throw bad();
      value = value * 16 + v;
    }
    return value;
  }
}

/**
 * RE2's rule that nested counted repetitions may not multiply past the limit,
 * e.g. (a{500}){3}: it bounds how far compilation can expand a pattern.
 */
function repeatIsValid(node: Node, n: number): boolean {
  switch (node.kind) {
    case 'repeat': {
      let m = node.max;
      if (m === 0) return true;
      if (m < 0) m = node.min;
      if (m > n) return false;
      return repeatIsValid(node.sub, m > 0 ? Math.floor(n / m) : n);
    }
    case 'concat':
    case 'alternate':
      return node.items.every((item) => repeatIsValid(item, n));
    default:
      return true;
  }
}
