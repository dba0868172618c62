import { LazyDfa } from './dfa.js';
import { nativeSource } from './native.js';
import { compileProgram } from './nfa.js';
import { parse, RegexSyntaxError } from './parse.js';

/*
 * A regular-expression engine for untrusted patterns: RE2 syntax and
 * semantics, and matching in time linear in the input for every pattern, so
 * a flag rule such as (a+)+$ cannot stall an evaluator. Pure ES2022: it runs
 * unchanged in Node, browsers and edge workers.
 */

export type RegexCompileResult = { ok: true; regex: SafeRegex } | { ok: false; error: string };

export interface SafeRegex {
  /** The host RegExp running this pattern, when it is one that cannot backtrack badly (see native.ts). */
  readonly native?: RegExp;
  /** Whether the pattern matches anywhere in the input (use ^ and $ to anchor). */
  test(input: string): boolean;
  readonly source: string;
}

class CompiledRegex implements SafeRegex {
  readonly source: string;
  private readonly dfa: LazyDfa;

  constructor(source: string, dfa: LazyDfa) {
    this.source = source;
    this.dfa = dfa;
  }

  test(input: string): boolean {
    return this.dfa.test(input);
  }
}

/** A pattern the host's RegExp can run without backtracking risk (see native.ts). */
class NativeRegex implements SafeRegex {
  constructor(
    readonly source: string,
    readonly native: RegExp,
  ) {}

  test(input: string): boolean {
    return this.native.test(input);
  }
}

export function compileRegex(pattern: string, options?: { caseInsensitive?: boolean }): RegexCompileResult {
  try {
    const ast = parse(pattern, options?.caseInsensitive === true);
    const program = compileProgram(ast);
    const native = nativeSource(ast);
    if (native !== undefined) {
      try {
        return { ok: true, regex: new NativeRegex(pattern, new RegExp(native, 'u')) };
      } catch {
        // A host without some RegExp feature: the DFA handles every pattern.
      }
    }
    return { ok: true, regex: new CompiledRegex(pattern, new LazyDfa(program)) };
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { ok: false, error: `invalid regular expression: ${e.message}` };
    // Anything else is a bug or exhaustion (e.g. a stack overflow); the caller still gets a value, not a throw.
    return { ok: false, error: `invalid regular expression: ${e instanceof Error ? e.message : String(e)}` };
  }
}
