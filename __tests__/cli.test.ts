import { capture } from './fixtures/cli';

describe('the chameleon-usage CLI', () => {
  it('prints help with every command and an example', async () => {
    const r = await capture(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage:/);
    expect(r.out).toMatch(/example/);
  });

  it('prints the package version', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((await capture(['--version'])).out.trim()).toBe(require('../package.json').version);
  });

  it('runs the built-in example through the core and prints its counts', async () => {
    const r = await capture(['example']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/12 events -> 8 intervals, 0 rejections/);
    // two hosts reserved for one day: 48 node-hours
    expect(r.out).toMatch(/committed\s+48\.0 node-hours/);
    expect(r.out).toMatch(/2024-01-05T00:00:00Z\s+0\s+0\s+2\s+2/);
  });

  it('fails with exit code 2 and a hint on an unknown command or option', async () => {
    expect(await capture(['bogus'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command 'bogus'/) });
    expect((await capture(['--bogus'])).code).toBe(2);
  });
});
