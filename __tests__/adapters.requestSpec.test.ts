import { reservationOf } from '../adapters/requestSpec';

const spec = (data: unknown): string => JSON.stringify({ 'nova_object.name': 'RequestSpec', 'nova_object.data': data });

describe('reservationOf', () => {
  it('reads scheduler_hints.reservation[0]', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: ['r-1', 'r-2'] } }))).toEqual({ reservationId: 'r-1', from: 'scheduler_hint' });
  });

  it('accepts a bare string reservation hint, as the blazar-nova filter does', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: 'r-1' } }))).toEqual({ reservationId: 'r-1', from: 'scheduler_hint' });
  });

  it('reads the reservation from a flavor named reservation:<id> when there is no hint', () => {
    const s = spec({ scheduler_hints: {}, flavor: { 'nova_object.data': { name: 'reservation:abc-123', flavorid: 'abc-123' } } });
    expect(reservationOf(s)).toEqual({ reservationId: 'abc-123', from: 'flavor' });
  });

  it('prefers the hint over the flavor name', () => {
    const s = spec({ scheduler_hints: { reservation: ['hint'] }, flavor: { 'nova_object.data': { name: 'reservation:flav' } } });
    expect(reservationOf(s).reservationId).toBe('hint');
  });

  it('gives on-demand for an ordinary flavor and no hint', () => {
    expect(reservationOf(spec({ scheduler_hints: { group: ['g'] }, flavor: { 'nova_object.data': { name: 'm1.small' } } }))).toEqual({
      reservationId: null,
      from: 'none',
    });
  });

  it('gives on-demand for an empty hint list or an empty string', () => {
    expect(reservationOf(spec({ scheduler_hints: { reservation: [] } })).reservationId).toBeNull();
    expect(reservationOf(spec({ scheduler_hints: { reservation: [''] } })).reservationId).toBeNull();
  });

  it('says no_request_spec when the instance has no spec row', () => {
    expect(reservationOf(null)).toEqual({ reservationId: null, from: 'no_request_spec' });
  });

  it('says invalid_spec for text that is not JSON, without throwing', () => {
    expect(reservationOf('{"nova_object.data": {"scheduler_hints": ')).toEqual({ reservationId: null, from: 'invalid_spec' });
  });

  it('does not crash on a spec nested hundreds of thousands of levels deep', () => {
    const deep = '['.repeat(300_000) + ']'.repeat(300_000);
    expect(reservationOf(deep).reservationId).toBeNull();
    const deepObj = '{"nova_object.data":' + '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000) + '}';
    expect(reservationOf(deepObj).reservationId).toBeNull();
  });

  it('says not_an_object for JSON that is not a RequestSpec primitive', () => {
    expect(reservationOf('"just a string"').from).toBe('not_an_object');
    expect(reservationOf('{"nova_object.data": [1]}').from).toBe('not_an_object');
  });
});
