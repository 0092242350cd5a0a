/**
 * Test support (not exported by the package): a seeded generator of random conditions from the
 * grammar of the subset, and of random arguments, for the differential and property tests.
 */

/** The seeded generator of the audit-log tests (mulberry32): the same seed gives the same cases. */
export { seeded } from './audit-log-builder.js';

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const FIELDS = ['a', 'b', 's', 'n', 'l'] as const;
const INTS = ['0', '1', '-1', '3', '500', '-500', '9007199254740993'];
const DOUBLES = ['0.0', '0.5', '500.0', '499.5', '-1.5', '1e3', '-0.0'];
const STRINGS = ["''", "'a'", "'abc'", "'#W1234567'", "'é'", "'😀'", "'\\uffff'", "'A'", "'ab'"];
const PATTERNS = ["'^#W[0-9]{7}$'", "'a'", "'^$'", "'b+c?'", "'(?i)ABC'", "'^\\\\w+$'", "'😀'", "'.'"];

/** A random value expression: a field of `args`, a literal, a size. */
function value(random: Random, depth: number): string {
  const roll = random();
  if (roll < 0.35) return field(random);
  if (roll < 0.5) return pick(random, INTS);
  if (roll < 0.62) return pick(random, DOUBLES);
  if (roll < 0.76) return pick(random, STRINGS);
  if (roll < 0.82) return pick(random, ['true', 'false', 'null']);
  if (roll < 0.9 && depth < 4)
    return random() < 0.5 ? `size(${value(random, depth + 1)})` : `${value(random, depth + 1)}.size()`;
  if (roll < 0.95) return list(random);
  return depth < 4
    ? `(${condition(random, depth + 1)} ? ${value(random, depth + 1)} : ${value(random, depth + 1)})`
    : field(random);
}

function field(random: Random): string {
  const roll = random();
  const name = pick(random, FIELDS);
  if (roll < 0.6) return `args.${name}`;
  if (roll < 0.75) return `args.n.${pick(random, FIELDS)}`;
  if (roll < 0.85) return `args['${name}']`;
  if (roll < 0.95) return `args.l[${pick(random, ['0', '1', '2', '-1'])}]`;
  return 'args';
}

/** A homogeneous list literal (CEL's checker refuses mixed element types). */
function list(random: Random): string {
  const kind = pick(random, [INTS, DOUBLES, STRINGS]);
  const length = Math.floor(random() * 4);
  return `[${Array.from({ length }, () => pick(random, kind)).join(', ')}]`;
}

/** A random boolean condition of the subset. */
export function condition(random: Random, depth = 0): string {
  const roll = random();
  const deeper = depth < 4;
  if (roll < 0.3)
    return `${value(random, depth + 1)} ${pick(random, ['==', '!=', '<', '<=', '>', '>='])} ${value(random, depth + 1)}`;
  if (roll < 0.42 && deeper)
    return `(${condition(random, depth + 1)} ${pick(random, ['&&', '||'])} ${condition(random, depth + 1)})`;
  if (roll < 0.47 && deeper) return `!(${condition(random, depth + 1)})`;
  if (roll < 0.55)
    return `has(${pick(random, ['args', 'args.n', 'args.l', 'args.s'])}.${pick(random, FIELDS)})`;
  if (roll < 0.65)
    return `${value(random, depth + 1)} in ${pick(random, [list(random), 'args.l', 'args.n', 'args.s', 'args'])}`;
  if (roll < 0.77) {
    const method = pick(random, ['startsWith', 'endsWith', 'contains']);
    return `${value(random, depth + 1)}.${method}(${random() < 0.7 ? pick(random, STRINGS) : field(random)})`;
  }
  if (roll < 0.85) return `${value(random, depth + 1)}.matches(${pick(random, PATTERNS)})`;
  if (roll < 0.9 && deeper)
    return `(${condition(random, depth + 1)} ? ${condition(random, depth + 1)} : ${condition(random, depth + 1)})`;
  if (roll < 0.95) return pick(random, ['true', 'false']);
  return field(random);
}

const SCALARS: readonly unknown[] = [
  600,
  500,
  499.5,
  500.5,
  -1,
  0,
  1,
  3,
  0.5,
  -0.5,
  1000,
  9007199254740992,
  1e300,
  -1e-300,
  '',
  'a',
  'abc',
  'ab',
  'A',
  '#W1234567',
  '#W123456',
  '#w1234567',
  'é',
  '😀',
  '\uffff',
  'bc',
  'xabcx',
  '500',
  true,
  false,
  null,
];

/** A random JSON value (as a call's argument snapshot holds). */
export function jsonArg(random: Random, depth = 0): unknown {
  const roll = random();
  if (roll < 0.7 || depth > 2) return pick(random, SCALARS);
  if (roll < 0.85) return Array.from({ length: Math.floor(random() * 4) }, () => jsonArg(random, depth + 1));
  return jsonArgs(random, depth + 1);
}

/** Random arguments: some of the grammar's fields, each maybe missing. */
export function jsonArgs(random: Random, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of FIELDS) {
    if (random() < 0.2) continue;
    if (name === 'l' && random() < 0.7)
      out[name] = Array.from({ length: Math.floor(random() * 4) }, () => jsonArg(random, depth + 1));
    else if (name === 'n' && random() < 0.7 && depth < 2) out[name] = jsonArgs(random, depth + 1);
    else out[name] = jsonArg(random, depth + 1);
  }
  return out;
}
