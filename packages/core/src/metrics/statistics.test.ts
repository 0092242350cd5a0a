import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  interpretPsi,
  nearestRank,
  normalQuantile,
  populationStabilityIndex,
  wilsonUpperBound,
} from './statistics.js';

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.95, 1.6448536],
    [0.975, 1.959964],
    [0.99, 2.3263479],
    [0.001, -3.0902323],
    [0.9999, 3.7190165],
  ])('Φ⁻¹(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it('refuses probabilities outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, Number.NaN]) {
      expect(() => normalQuantile(p)).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }));
    }
  });
});

describe('wilsonUpperBound', () => {
  it('matches the textbook two-sided 95% Wilson interval when asked for a one-sided 97.5% bound', () => {
    expect(wilsonUpperBound(0, 10, 0.975)).toBeCloseTo(0.2775, 4);
    expect(wilsonUpperBound(5, 10, 0.975)).toBeCloseTo(0.7634, 4);
  });

  it('is the one-sided bound by default: no override in 160 answers still allows 1.66% at 95%', () => {
    expect(wilsonUpperBound(0, 160)).toBeCloseTo(2.7055 / (160 + 2.7055), 4);
  });

  it('knows nothing without trials', () => {
    expect(wilsonUpperBound(0, 0)).toBe(1);
  });

  it('lies between the observed rate and 1, and tightens as the level drops', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, share) => {
          const k = Math.floor(share * n);
          const upper = wilsonUpperBound(k, n, 0.95);
          expect(upper).toBeGreaterThanOrEqual(k / n - 1e-12);
          expect(upper).toBeLessThanOrEqual(1);
          expect(wilsonUpperBound(k, n, 0.8)).toBeLessThanOrEqual(upper + 1e-12);
        },
      ),
    );
  });

  it('refuses more events than trials', () => {
    expect(() => wilsonUpperBound(3, 2)).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }));
  });
});

describe('populationStabilityIndex', () => {
  it('is 0 for identical distributions, whatever their sizes', () => {
    expect(populationStabilityIndex([10, 20, 70], [10, 20, 70])).toBe(0);
    expect(populationStabilityIndex([1, 2, 7], [100, 200, 700])).toBeCloseTo(0, 12);
  });

  it('computes Σ (a − e) ln(a / e) over shares', () => {
    expect(populationStabilityIndex([70, 20, 10], [10, 20, 70])).toBeCloseTo(2 * 0.6 * Math.log(7), 10);
  });

  it('counts an empty bin as epsilon instead of dividing by zero', () => {
    const psi = populationStabilityIndex([50, 50, 0], [50, 0, 50], 1e-4);
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeGreaterThan(0.25);
  });

  it('is never negative', () => {
    const histogram = fc
      .array(fc.nat(1000), { minLength: 10, maxLength: 10 })
      .filter((h) => h.some((c) => c > 0));
    fc.assert(
      fc.property(histogram, histogram, (a, b) => {
        expect(populationStabilityIndex(a, b)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('refuses histograms over different bins, or an empty one', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(/same bins/);
    expect(() => populationStabilityIndex([0, 0], [1, 2])).toThrow(/at least one value/);
  });
});

describe('interpretPsi', () => {
  it.each([
    [0, 'stable'],
    [0.0999, 'stable'],
    [0.1, 'moderate'],
    [0.25, 'moderate'],
    [0.2501, 'significant'],
    [3, 'significant'],
  ] as const)('reads %f as %s', (psi, reading) => {
    expect(interpretPsi(psi)).toBe(reading);
  });
});

describe('nearestRank', () => {
  it('picks observed values: p50 of 1..100 is 50, p90 is 90', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(values, 0.5)).toBe(50);
    expect(nearestRank(values, 0.9)).toBe(90);
    expect(nearestRank([7], 0.9)).toBe(7);
    expect(nearestRank([], 0.5)).toBeNull();
  });
});
