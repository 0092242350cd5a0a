/**
 * The resource pattern syntax as the manifest's JSON Schema states it: a `description` for editors and
 * a coarse `pattern` that rejects obviously broken patterns (a trailing `\`, an unclosed `[`, a stray
 * `]`, an empty class). The exact check, with the character at fault and a fix, is the zod schema's.
 */

/** The syntax in one paragraph (the JSON Schema `description` of a resource pattern). */
export const RESOURCE_PATTERN_SYNTAX =
  'A resource pattern, matched against the whole resource id. "*" matches any run of characters (also ' +
  'none, also ":"); "?" exactly one character; [abc], [a-z0-9] or [^:] one character of (or not of) a ' +
  'class; {a|b} one of the alternatives; a count after a character, "?", class or group repeats it: ' +
  '{n}, {n,m} or {n,} (n, m <= 100). "\\" makes the next character literal (write \\* \\? \\[ \\] \\{ \\} ' +
  '\\| \\\\ to match those characters). Every other character matches itself. ' +
  'Examples: invoice:*, order:#W[0-9]{7}, {crm|erp}:account:?*.';

/**
 * A regular expression (ECMA-262, portable) every valid pattern matches: a run of escapes, classes and
 * other characters. Nested groups and counts are beyond what it checks.
 */
export const RESOURCE_PATTERN_SHAPE =
  '^(?:\\\\[\\s\\S]|\\[\\^?(?:\\\\[\\s\\S]|[^\\]\\\\])+\\]|[^\\\\\\[\\]])+$';

/** What an editor shows when a pattern breaks `RESOURCE_PATTERN_SHAPE` (`patternErrorMessage`, read by VS Code). */
export const RESOURCE_PATTERN_SHAPE_ERROR =
  'Not a valid resource pattern: a "\\" at the end, an unclosed "[", a stray "]" or an empty class "[]". ' +
  'Escape a literal character with "\\" (\\[ \\] \\\\). Loading the manifest names the character at fault.';
