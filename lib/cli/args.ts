/**
 * A small, strict argument parser: `--name value`, `--name=value` and boolean `--flag`. Unknown
 * flags and malformed values are UsageErrors (exit code 2, one clear line, nothing written).
 */
import { suggestKey } from '../core/options_check.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** 'string' flags take a value; 'boolean' flags do not. */
  type: 'string' | 'boolean';
  help: string;
  default?: string;
  metavar?: string;
  /**
   * Other names for the flag, so the subcommands share a vocabulary (--out / --output-dir,
   * --n / --total-samples, --size / --image-size, …) while each keeps the seed's own name.
   */
  aliases?: readonly string[];
}

export type FlagTable = Record<string, FlagSpec>;

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], table: FlagTable): ParsedArgs {
  const flags: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  const canonical = new Map<string, string>();
  for (const [name, spec] of Object.entries(table)) for (const alias of spec.aliases ?? []) canonical.set(alias, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const given = arg.slice(2, eq === -1 ? undefined : eq);
    const name = canonical.get(given) ?? given;
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec) {
      const hint = suggestKey(given, [...Object.keys(table), ...canonical.keys()]);
      throw new UsageError(`unknown option --${given}` + (hint ? ` (did you mean --${hint}?)` : ' (see --help)'));
    }
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  for (const [name, spec] of Object.entries(table)) {
    if (flags[name] === undefined && spec.default !== undefined) flags[name] = spec.default;
  }
  return { flags, positionals };
}

export function numberFlag(flags: ParsedArgs['flags'], name: string, rule: { integer?: boolean; min?: number; max?: number; below?: number } = {}): number {
  const raw = flags[name];
  const text = String(raw).trim();
  const value = Number(text);
  const kind = rule.integer ? 'an integer' : 'a number';
  if (text === '' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${kind}, got '${raw}'`);
  }
  if (rule.min !== undefined && value < rule.min) throw new UsageError(`--${name} must be >= ${rule.min}, got ${value}`);
  if (rule.max !== undefined && value > rule.max) throw new UsageError(`--${name} must be <= ${rule.max}, got ${value}`);
  if (rule.below !== undefined && value >= rule.below) throw new UsageError(`--${name} must be < ${rule.below}, got ${value}`);
  return value;
}

/** "a,b,c" → numbers, with `count` entries. */
export function listFlag(flags: ParsedArgs['flags'], name: string, count: number, rule: { integer?: boolean; above?: number } = {}): number[] {
  const raw = String(flags[name]);
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const ok =
    parts.length === count &&
    parts.every((p) => p !== '') &&
    values.every((v) => Number.isFinite(v) && (!rule.integer || Number.isInteger(v)) && (rule.above === undefined || v > rule.above));
  if (!ok) {
    const what = rule.integer ? 'positive integers' : 'numbers';
    throw new UsageError(`--${name} must be ${count} comma-separated ${what} like "${Array(count).fill(rule.integer ? '64' : '1').join(',')}", got '${raw}'`);
  }
  return values;
}

export function formatHelp(usage: string, description: string, table: FlagTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const left = `  --${name}${spec.type === 'string' ? ` ${spec.metavar ?? 'VALUE'}` : ''}`;
    const def = spec.default !== undefined ? ` (default: ${spec.default})` : '';
    const also = spec.aliases?.length ? ` [also ${spec.aliases.map((a) => `--${a}`).join(', ')}]` : '';
    return `${left.padEnd(34)} ${spec.help}${def}${also}`;
  });
  return `${usage}\n\n${description}\n\nOptions:\n${rows.join('\n')}\n`;
}
