import { decodeLosses, encodeLosses } from './model-scorer';

describe('losses file bytes', () => {
  // IEEE 754 doubles worked by hand: 1.5 = 0x3FF8000000000000, -2 = 0xC000000000000000,
  // 0.1 = 0x3FB999999999999A; the file holds each little-endian (lowest byte first).
  const expected = [
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f],
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0],
    [0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f],
  ];

  it('are float64 little-endian, one per example in order', () => {
    expect([...encodeLosses(Float64Array.of(1.5, -2, 0.1))]).toEqual(expected.flat());
  });

  it('cover only the losses of an array that views part of a larger buffer', () => {
    const larger = Float64Array.of(7, 1.5, -2, 0.1, 9);
    expect([...encodeLosses(larger.subarray(1, 4))]).toEqual(expected.flat());
  });

  it('decode to the same values', () => {
    expect(Array.from(decodeLosses(Uint8Array.from(expected.flat())))).toEqual([1.5, -2, 0.1]);
  });
});
