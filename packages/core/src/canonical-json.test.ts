import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from './canonical-json.js';
import { ArgumentInvalidError } from './errors.js';

/** The same value with the keys of every object in reverse insertion order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reverseKeys(item)]),
    );
  }
  return value;
}

describe('canonicalJson', () => {
  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: 2, c: { z: true, y: false } })).toBe(
      '{"a":2,"b":1,"c":{"y":false,"z":true}}',
    );
    expect(canonicalJson({ c: { y: false, z: true }, a: 2, b: 1 })).toBe(
      canonicalJson({ b: 1, a: 2, c: { z: true, y: false } }),
    );
  });

  it('sorts keys inside nested arrays and objects, keeping array order', () => {
    const value = { z: [3, { y: 1, x: [true, null, 's'] }], a: { c: {}, b: [] } };

    expect(canonicalJson(value)).toBe('{"a":{"b":[],"c":{}},"z":[3,{"x":[true,null,"s"],"y":1}]}');
  });

  it('writes no whitespace', () => {
    expect(canonicalJson({ list: [1, 2], text: 'a b' })).toBe('{"list":[1,2],"text":"a b"}');
  });

  it('drops object fields that are undefined and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ kept: 1, dropped: undefined })).toBe('{"kept":1}');
    expect(canonicalJson([1, undefined, 3])).toBe('[1,null,3]');
    expect(canonicalJson({ kept: 1, dropped: undefined })).toBe(canonicalJson({ kept: 1 }));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'throws on the non-finite number %s',
    (n) => {
      expect(() => canonicalJson(n)).toThrow(ArgumentInvalidError);
      expect(() => canonicalJson({ nested: [1, { n }] })).toThrow(
        /cannot encode the number .* \(at value\.nested\[1\]\.n\)/,
      );
    },
  );

  it.each([
    ['a BigInt', 1n],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['undefined', undefined],
  ])('throws ERR_ARGUMENT_INVALID on %s rather than writing something that is not JSON', (title, value) => {
    expect(() => canonicalJson(value)).toThrow(ArgumentInvalidError);
    expect(() => canonicalJson(value)).toThrow(`cannot encode ${title} (at value)`);
    if (value !== undefined) expect(() => canonicalJson({ a: [value] })).toThrow(`(at value.a[0])`);
  });

  it('throws ERR_ARGUMENT_INVALID naming the path on a cycle, never a raw RangeError', () => {
    const cyclic: Record<string, unknown> = { a: { b: [1] } };
    ((cyclic.a as Record<string, unknown>).b as unknown[]).push(cyclic);
    const thrown = (() => {
      try {
        canonicalJson(cyclic);
      } catch (error) {
        return error;
      }
    })();
    expect(ArgumentInvalidError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'ERR_ARGUMENT_INVALID' });
    expect((thrown as Error).message).toContain('a cycle (a value that contains itself) (at value.a.b[1])');
  });

  it('writes a value met twice (not a cycle) both times', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('throws ERR_ARGUMENT_INVALID, not a RangeError, for a value nested too deeply to walk', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(ArgumentInvalidError);
  });

  it('writes a Date as its ISO 8601 string, so two different instants never give the same text', () => {
    const first = new Date('2026-05-01T09:00:00.000Z');
    const second = new Date('2026-05-02T09:00:00.000Z');
    expect(canonicalJson({ at: first })).toBe('{"at":"2026-05-01T09:00:00.000Z"}');
    expect(canonicalJson({ at: first })).not.toBe(canonicalJson({ at: second }));
    expect(sha256(canonicalJson([first]))).not.toBe(sha256(canonicalJson([second])));
  });

  it('throws ERR_ARGUMENT_INVALID on an invalid Date', () => {
    expect(() => canonicalJson({ at: new Date('not a date') })).toThrow(
      'cannot encode an invalid Date (at value.at)',
    );
  });

  it('reads each property once (a getter is asked one time)', () => {
    let reads = 0;
    const value = {
      get n() {
        reads++;
        return reads;
      },
    };
    expect(canonicalJson(value)).toBe('{"n":1}');
    expect(reads).toBe(1);
  });

  it.each([
    [null, 'null'],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [1.0, '1'],
    [0.1, '0.1'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [-1.5, '-1.5'],
    [9007199254740991, '9007199254740991'],
    ['', '""'],
    ['quote " backslash \\ newline \n', '"quote \\" backslash \\\\ newline \\n"'],
    ['\u0001\u001f', '"\\u0001\\u001f"'],
    ['€ and 😀', '"€ and 😀"'],
    [[], '[]'],
    [{}, '{}'],
  ])('encodes %j as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('writes -0 as 0', () => {
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson({ n: -0 })).toBe('{"n":0}');
  });

  it('matches the RFC 8785 example (section 3.2.2)', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );

    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 section 3.2.3 requires', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );

    // Object.values would put the integer-like key "1" first, so read the order from the text itself.
    const keys = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    expect(canonicalJson(input)).toBe(
      `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(input[key])}`).join(',')}}`,
    );
    expect(canonicalJson(input).indexOf('Emoji')).toBeLessThan(canonicalJson(input).indexOf('Hebrew'));
  });

  it('is valid JSON that parses back to the same value, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('does not depend on key order, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(reverseKeys(value))).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('sha256', () => {
  it('writes the digest as sha256:<hex> (FIPS 180-2 vectors)', () => {
    expect(sha256('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes a string as its UTF-8 bytes', () => {
    expect(sha256('€')).toBe(sha256(new Uint8Array([0xe2, 0x82, 0xac])));
    expect(sha256(new TextEncoder().encode('abc'))).toBe(sha256('abc'));
  });

  it('gives equal digests for equal documents written in another key order', () => {
    expect(sha256(canonicalJson({ a: 1, b: [1, 2] }))).toBe(sha256(canonicalJson({ b: [1, 2], a: 1 })));
    expect(sha256(canonicalJson({ a: 1, b: [1, 2] }))).not.toBe(sha256(canonicalJson({ a: 1, b: [2, 1] })));
  });
});
