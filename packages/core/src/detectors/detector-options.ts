import { OptionsInvalidError, type OrbitError } from '../errors.js';
import type { FailureMode } from './finding.js';

/** Options every detector takes. */
export interface DetectorLimits {
  /**
   * The most runs a detector holds state for at once. A run's state is dropped on its `run` ended or
   * halted event; beyond this many (runs that died without one), the oldest run's state is dropped.
   * Default 10 000.
   */
  maxRuns?: number;
}

/** The article's escalation tool: calling it is the agent flagging its own uncertainty to a human. */
export const DEFAULT_ESCALATION_TOOLS: readonly string[] = ['flag_for_human_review'];

export const DEFAULT_MAX_RUNS = 10_000;

/**
 * A number in [0, 1], or the default.
 *
 * @throws OptionsInvalidError naming the detector and the option otherwise.
 */
export function unitOption(detector: FailureMode, name: string, value: number | undefined, fallback: number) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw invalid(detector, name, 'a number from 0 to 1', value);
  }
  return value;
}

/**
 * A number >= 0 (ratios may exceed 1), or the default.
 *
 * @throws OptionsInvalidError naming the detector and the option when it is not a finite number >= 0.
 */
export function ratioOption(
  detector: FailureMode,
  name: string,
  value: number | undefined,
  fallback: number,
) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw invalid(detector, name, 'a finite number >= 0', value);
  }
  return value;
}

/**
 * A whole number >= `min`, or the default.
 *
 * @throws OptionsInvalidError naming the detector and the option otherwise.
 */
export function countOption(
  detector: FailureMode,
  name: string,
  value: number | undefined,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw invalid(detector, name, `a whole number >= ${min}`, value);
  return value;
}

/** The error for an option out of range, naming the detector and the option. */
export function invalid(detector: FailureMode, name: string, expected: string, value: unknown): OrbitError {
  return new OptionsInvalidError(
    `${detector}: options.${name} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}.`,
  );
}
