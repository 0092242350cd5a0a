import { it } from 'vitest';
import { tryCompileCondition } from './compile-condition.js';
const t = (src: string, args: unknown) => {
  const t0 = performance.now();
  const r = tryCompileCondition(src);
  const t1 = performance.now();
  if (!r.ok) return console.log('COMPILE-FAIL', src.slice(0,80), '=>', r.problem, (t1-t0).toFixed(1));
  let v; const t2 = performance.now(); try { v = r.condition.evaluate(args); } catch (e) { v = 'THREW ' + e; }
  const t3 = performance.now();
  console.log(src.slice(0, 80), '=>', typeof v === 'symbol' ? 'ERR' : v, 'compile', (t1-t0).toFixed(1), 'eval', (t3-t2).toFixed(1));
};
it('probe', () => {
  t("args.a.matches('((a{30}){30}){30}')", { a: 'a'.repeat(4096) });
  t("args.a.matches('(((a{10}){10}){10}){10}')", { a: 'a'.repeat(4096) });
  t("args.a.matches('[\\\\p{L}\\\\p{N}]{1000}')", { a: 'a'.repeat(4096) });
  t("args.a.matches('(\\\\pL{1000}|\\\\pN{1000})x')", { a: 'a'.repeat(4096) });
  t("args.a.matches('" + "(\\\\pL{100})".repeat(9) + "')", { a: 'é'.repeat(4096) });
  t("args.a.matches('(.*a){20}b')", { a: 'a'.repeat(4096) });
  t("args.a.matches('(x+x+)+y')", { a: 'x'.repeat(4096) });
  t("args.a.matches('(a|aa)*$')", { a: 'a'.repeat(4095)+'b' });
  t("args.a.matches('(?:a?){100}a{100}')", { a: 'a'.repeat(4096) });
  t("args.a.matches('\\\\C')", { a: 'a' });
  t("args.a.matches('(?P<n>a)')", { a: 'a' });
  t("args.a.matches('\\\\b')", { a: 'a' });
});
