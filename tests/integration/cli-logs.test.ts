import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { eventually, trackerFromSources } from '../support/services.ts';

/**
 * The log format the command picks by itself: readable lines on a terminal (a real one: `script`
 * gives the command a pseudo-terminal, as a person's shell does), JSON when its output is piped,
 * and JSON on a terminal too when LOG_FORMAT=json. `tracker simulate` logs "stopping" on SIGTERM
 * (colours stripped before matching).
 */
async function simulateAndStop(options: {
  terminal: boolean;
  env?: Record<string, string>;
}): Promise<string> {
  const command = [
    process.execPath,
    ...trackerFromSources,
    'simulate',
    '--port',
    '0',
    '--scenario',
    'ogp16-small',
  ];
  // The shell stops the command when a line arrives on its input: a signal sent to `script` itself
  // would end the terminal before the command's last lines reach us.
  const shell = `${command.map((part) => `'${part}'`).join(' ')} & child=$!; read line; kill -TERM $child; wait $child`;
  const env = { PATH: process.env.PATH ?? '', SHELL: '/bin/sh', TERM: 'dumb', ...options.env };
  const child = options.terminal
    ? spawn('script', ['-qec', shell, '/dev/null'], { env })
    : spawn('/bin/sh', ['-c', shell], { env });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await eventually(async () => (output.includes('scenario ogp16-small') ? true : undefined), {
      timeoutMs: 60_000,
      what: () => `the simulator to start: ${output}`,
    });
    child.stdin.write('stop\n');
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return output.replaceAll('\r', '').replaceAll('\u001b[32m', '').replaceAll('\u001b[0m', '');
}

describe('tracker logs', { timeout: 90_000 }, () => {
  test('on a terminal: one readable line, time, level, message and the field that matters', async () => {
    const output = await simulateAndStop({ terminal: true });
    expect(output).toMatch(/^\d\d:\d\d:\d\d INFO {2}stopping signal=SIGTERM$/m);
    expect(output).not.toContain('"level"');
  });

  test('piped: JSON lines', async () => {
    const output = await simulateAndStop({ terminal: false });
    const line = output.split('\n').find((text) => text.includes('stopping'));
    expect(JSON.parse(line ?? '')).toMatchObject({ level: 30, msg: 'stopping', signal: 'SIGTERM' });
  });

  test('LOG_FORMAT=json on a terminal: JSON lines', async () => {
    const output = await simulateAndStop({ terminal: true, env: { LOG_FORMAT: 'json' } });
    const line = output.split('\n').find((text) => text.includes('stopping'));
    expect(JSON.parse(line ?? '')).toMatchObject({ msg: 'stopping', signal: 'SIGTERM' });
  });
});
