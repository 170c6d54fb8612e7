import { run as core } from '../examples/core';

describe('the examples', () => {
  it('the README library example counts one node and 240 node-hours', () => {
    expect(core()).toEqual({ rejections: 0, nodesOnJan5: 1, nodeHoursInJanuary: 240 });
  });
});
