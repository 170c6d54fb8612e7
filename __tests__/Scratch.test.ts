import * as S from '../lib/Scratch';

describe('Scratch', () => {
  it('gives the same memory to a slot call after call, and other memory to another slot', () => {
    const a = S.float64('test.a', 100);
    a[0] = 42;
    const again = S.float64('test.a', 50);
    expect(again.buffer).toBe(a.buffer);
    expect(again[0]).toBe(42); // stale: callers write before they read
    expect(S.float64('test.b', 100).buffer).not.toBe(a.buffer);
  });

  it('grows a slot when asked for more than it holds', () => {
    const small = S.uint32('test.grow', 10);
    const big = S.uint32('test.grow', 100000);
    expect(big.length).toBe(100000);
    expect(big.buffer).not.toBe(small.buffer);
    expect(S.uint32('test.grow', 10).buffer).toBe(big.buffer);
  });

  it('never pools a request above MAX elements', () => {
    const a = S.uint32('test.max', S.MAX + 1);
    expect(S.uint32('test.max', S.MAX + 1).buffer).not.toBe(a.buffer);
  });

  it('zeroes what zeroed gives', () => {
    S.uint32('test.zero', 8).fill(7);
    expect([...S.zeroed('test.zero', 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('counts the pooled bytes and gives them all back on release', () => {
    S.release();
    expect(S.pooledBytes()).toBe(0);
    const a = S.float64('test.rel.a', 3000);
    S.uint32('test.rel.b', 10);
    expect(S.pooledBytes()).toBe(4096 * 8 + 1024 * 4);
    S.release();
    expect(S.pooledBytes()).toBe(0);
    expect(S.float64('test.rel.a', 3000).buffer).not.toBe(a.buffer);
  });
});
