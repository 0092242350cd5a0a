import type { ApprovalAnswer, ApprovalHandlerAnswer, ApprovalRequest } from '@orbit-agents/core';
import { parseAnswer } from '@orbit-agents/core/adapter';

/**
 * A person's answer to a pause, as `orbitAgents.answer()` takes it: the core's approval answer, in which
 * `action_hash` (default: the request's) and `approver` (default: the binding's) may be left out.
 * `edit` carries the new arguments (re-validated and re-gated); `deny` may carry `stop_run`.
 */
export type OrbitAnswer = ApprovalHandlerAnswer;

/**
 * An answer as the core's approval answer, or what is wrong with it (naming the field). `bound` is true
 * when it names the request's action hash itself.
 */
export function toApprovalAnswer(
  value: unknown,
  request: ApprovalRequest,
  defaultApprover: string,
): { answer: ApprovalAnswer; bound: boolean } | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return {
      error: `Expected an answer object ({ type: 'approve' | 'deny' | 'edit', ... }) for "${request.tool}", got ${JSON.stringify(value)}.`,
    };
  const given = value as { action_hash?: unknown; approver?: unknown };
  const filled = {
    ...value,
    action_hash: given.action_hash ?? request.action_hash,
    approver: given.approver ?? defaultApprover,
  };
  let answer: ApprovalAnswer;
  try {
    answer = parseAnswer(request.approval_id, filled);
  } catch (error) {
    return { error: (error as Error).message };
  }
  // The answer travels with the saved state (`RunState.toString()`): what JSON cannot carry as it is, is refused.
  let problem: string | undefined;
  try {
    problem = jsonProblem(answer, []);
  } catch (error) {
    problem = `reading it threw (${error instanceof Error ? error.message : String(error)})`;
  }
  if (problem)
    return {
      error: `Invalid approval answer to "${request.approval_id}": ${problem}. An answer is kept in the run context until its call runs, and RunState.toString() writes it as JSON.`,
    };
  return { answer, bound: given.action_hash !== undefined };
}

/** Nesting deeper than this is refused (the core reads tool arguments to the same depth). */
const MAX_DEPTH = 64;

/**
 * What keeps a value from being written as JSON and read back the same, naming its path; undefined when
 * it can be. `undefined` properties are left out, as JSON and ORBIT's reading of arguments both do.
 */
export function jsonProblem(
  value: unknown,
  path: (string | number)[],
  ancestors: object[] = [],
): string | undefined {
  const at = path.length === 0 ? 'the answer' : pathText(path);
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${at}: ${value} is not a finite number`;
    case 'object':
      break;
    default:
      return `${at}: a ${typeof value === 'bigint' ? 'BigInt' : typeof value} is not JSON`;
  }
  if (value === null) return undefined;
  if (value instanceof Date)
    return `${at}: a Date is not JSON (it would come back as a string): give its ISO string`;
  if (ancestors.includes(value)) return `${at}: a cycle`;
  if (ancestors.length >= MAX_DEPTH) return `${at}: nested deeper than ${MAX_DEPTH} levels`;
  const proto = Object.getPrototypeOf(value);
  const isArray = Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null)
    return `${at}: ${proto?.constructor?.name ?? 'an object'} is not a plain object (JSON has objects, arrays, strings, numbers, booleans and null)`;
  const inner = [...ancestors, value];
  const entries: [string | number, unknown][] = isArray
    ? (value as unknown[]).map((each, index) => [index, each])
    : Object.entries(value);
  for (const [key, each] of entries) {
    const problem = jsonProblem(each, [...path, key], inner);
    if (problem) return problem;
  }
  return undefined;
}

function pathText(path: (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}
