import { z } from 'zod';
import { formatPath, OptionsInvalidError } from '../errors.js';
import { PSI_EPSILON } from './statistics.js';

const instant = z
  .union([
    z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time'),
    z.date(),
    z.number(),
  ])
  .transform((value) =>
    typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : value.getTime(),
  )
  .refine((ms) => Number.isFinite(ms) && Math.abs(ms) <= 8.64e15, 'expected a valid time');

/** A time range `[from, to)` over the events' `ts`: ISO strings, `Date`s or ms since the epoch. */
const PeriodSchema = z
  .strictObject({ from: instant, to: instant })
  .refine((period) => period.from < period.to, 'expected `from` before `to`');

const MetricsOptionsSchema = z.strictObject({
  /** Bins of the confidence histogram over [0, 1]. Default 10. */
  bins: z.number().int().min(2).max(1000).default(10),
  /** Compares the confidence distribution of a current period with a baseline period (PSI). */
  drift: z
    .strictObject({
      baseline: PeriodSchema,
      current: PeriodSchema,
      /** The share an empty bin counts as. Default 1e-4. */
      epsilon: z.number().positive().max(0.01).default(PSI_EPSILON),
    })
    .optional(),
  /**
   * Escalation tools by name, on top of the events whose tier is `escalation` (for logs written before
   * that tier). Default `['flag_for_human_review']`, the article's.
   */
  escalationTools: z.array(z.string()).default(['flag_for_human_review']),
  /**
   * A run that started at most this many ms before the log's last event and has not ended counts as
   * `open`, not abandoned. Default 0: every run without an end counts as abandoned.
   */
  openRunGraceMs: z.number().nonnegative().default(0),
});

/** Options of `computeMetrics`. */
export type MetricsOptions = z.input<typeof MetricsOptionsSchema>;
/** The options of `computeMetrics` once validated, defaults filled in. */
export type MetricsSettings = z.output<typeof MetricsOptionsSchema>;

/** Validates the options of `computeMetrics` and fills in the defaults; throws `OptionsInvalidError`. */
export function parseMetricsOptions(options: MetricsOptions): MetricsSettings {
  const parsed = MetricsOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new OptionsInvalidError(`Invalid metrics option at ${formatPath(issue.path)}: ${issue.message}.`);
}
