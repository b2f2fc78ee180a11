import { readFileSync } from 'node:fs';
import { eventCatalog } from '@x/together-webhooks-core';
import { describe, expect, it } from 'vitest';
import { executable, missing, skipWithout } from '@x/together-webhooks-test-support/runtimes';
import { BIN, run, runCommand, SECRET, STANDARD_SECRET } from './helpers.js';

const COMMANDS = ['trigger', 'listen', 'types', 'sign', 'verify'] as const;
const ESC = '\u001b[';

// `script` (util-linux; Debian's bsdutils) runs a command on a pseudo-terminal. Without it the
// terminal tests skip, saying so; under CI they fail.
const SCRIPT = '/usr/bin/script';
const installScript = 'apt-get install -y bsdutils';
const skipWithoutPty = skipWithout(SCRIPT, executable(SCRIPT) !== undefined, installScript, 'the CLI tests on a terminal');
const needPty = (): void => {
  if (!executable(SCRIPT)) throw missing(SCRIPT, installScript);
};

describe('help', () => {
  it('--help: the commands, the environment and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(result.stdout).toContain('TOGETHER_WEBHOOK_SECRET');
    expect(result.stdout).toContain('NO_COLOR');
    expect(result.stdout).toContain('Exit codes: 0 success, 1 the command failed');
  });

  it.concurrent.for(COMMANDS)('%s --help, -h and help: usage and options, exit 0', async (command, { expect }) => {
    const runs = [[command, '--help'], [command, '-h'], ['help', command]];
    for (const result of await Promise.all(runs.map((args) => run(args)))) {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: together-webhooks ${command}`));
      expect(result.stdout).toContain('-h, --help');
      if (command !== 'types') expect(result.stdout).toMatch(/^ {2}--scheme <scheme> +.*together[^]*standard \(Standard Webhooks/m);
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('no command: the overview on stderr, exit 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: together-webhooks <command>');
  });
});

describe('bad arguments: a one-line reason, the usage, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['frobnicate'], /^together-webhooks: unknown command "frobnicate"/],
    ['help on an unknown command', ['help', 'frobnicate'], /^together-webhooks: no help on "frobnicate": not a command \(trigger, listen/],
    ['unknown option', ['types', '--colour'], /^together-webhooks types: unknown option '--colour'/],
    ['trigger without a type', ['trigger', '--url', 'http://127.0.0.1:9/x'], /^together-webhooks trigger: missing the event type/],
    ['trigger with an unknown type', ['trigger', 'fine_tune.done', '--url', 'http://127.0.0.1:9/x'], /unknown event type "fine_tune\.done" \(fine_tune types: fine_tune\.created/],
    ['trigger without --url', ['trigger', 'batch.completed'], /missing --url <url>/],
    ['trigger with a bad --url', ['trigger', 'batch.completed', '--url', 'localhost:3000'], /is not a URL|must be http or https/],
    ['trigger without a secret', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x'], /no secret: pass --secret <secret> or set TOGETHER_WEBHOOK_SECRET/],
    ['trigger --repeat 0', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x', '--secret', SECRET, '--repeat', '0'], /--repeat must be an integer from 1 to 10000, got "0"/],
    ['trigger --concurrency x', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x', '--secret', SECRET, '--concurrency', 'x'], /--concurrency must be an integer/],
    ['trigger --url without a value', ['trigger', 'batch.completed', '--url'], /^together-webhooks trigger: option '--url <value>' argument missing/],
    ['trigger with a secret with whitespace', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x', '--secret', ' whsec_x '], /--secret has .*whitespace/],
    ['two types', ['trigger', 'batch.completed', 'batch.failed', '--url', 'http://127.0.0.1:9/x'], /unexpected argument "batch\.failed"/],
    ['sign --timestamp in ms text', ['sign', '--secret', SECRET, '--timestamp', 'now'], /--timestamp must be an integer/],
    ['sign with an empty secret', ['sign', '--secret', ''], /--secret is empty/],
    ['verify without --body', ['verify', '--secret', SECRET, '--header', 'a: b'], /no body: pass --body <file>/],
    ['verify with a missing file', ['verify', '--secret', SECRET, '--body', '/nonexistent/body.json', '--header', 'a: b'], /--body \/nonexistent\/body\.json: no such file/],
    ['verify with a malformed header', ['verify', '--secret', SECRET, '--body', BIN, '--header', 'no colon here'], /--header "no colon here" is not "name: value"/],
    ['verify without headers', ['verify', '--secret', SECRET, '--body', BIN], /no headers: pass --header/],
    ['listen on a bad port', ['listen', '--secret', SECRET, '--port', '70000'], /--port must be an integer from 0 to 65535/],
    ['listen with a relative path', ['listen', '--secret', SECRET, '--path', 'hooks'], /--path must start with "\/"/],
    ['types with an argument', ['types', 'batch'], /^together-webhooks types: unexpected argument 'batch'/],
    ...(['trigger', 'sign', 'verify', 'listen'] as const).map((command): [string, string[], RegExp] => [
      `${command} --scheme of neither`,
      [command, ...(command === 'trigger' ? ['batch.completed', '--url', 'http://127.0.0.1:9/x'] : []), '--secret', SECRET, '--scheme', 'svix'],
      new RegExp(`^together-webhooks ${command}: --scheme must be together or standard, got "svix"`),
    ]),
    ['trigger --scheme standard with a secret that is not whsec_ base64', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x', '--scheme', 'standard', '--secret', SECRET], /--secret is not a Standard Webhooks secret: whsec_ followed by base64/],
    ['trigger with the second of two secrets padded', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x', '--secret', SECRET, '--secret', `${SECRET}\n`], /--secret #2 has surrounding whitespace/],
    ['listen --scheme standard with a secret that is not whsec_ base64', ['listen', '--scheme', 'standard', '--secret', STANDARD_SECRET, '--secret', 'hunter2!'], /--secret #2 is not a Standard Webhooks secret/],
    ['trigger with an empty --id', ['trigger', 'batch.completed', '--url', 'http://127.0.0.1:9/x', '--secret', SECRET, '--id', ''], /--id is empty/],
    ['sign --id without --scheme standard', ['sign', '--secret', SECRET, '--id', 'msg_1'], /--id sets the webhook-id of --scheme standard/],
    ['sign --timestamp of more than 15 digits', ['sign', '--secret', SECRET, '--timestamp', '1736937000000000'], /--timestamp must be 0 to 15 digits of seconds/],
  ];

  // Each case is its own process: they run concurrently, each with its own `expect`.
  it.concurrent.for(cases)('%s', async ([, args, reason], { expect }) => {
    const result = await run(args, { timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(reason);
    const [first, ...rest] = result.stderr.trimEnd().split('\n');
    expect(first).toMatch(/^together-webhooks( \w+)?: /);
    if (args[0] === 'frobnicate' || args[0] === 'help') return;
    expect(rest).toEqual([expect.stringMatching(new RegExp(`^Usage: together-webhooks ${args[0]}`)) as string]);
  });

  it.skipIf(skipWithoutPty)('sign with no body piped and stdin a terminal is a usage error, not a hang', async () => {
    needPty();
    const result = await runCommand(SCRIPT, ['-qec', `${process.execPath} ${BIN} sign --secret ${SECRET}`, '/dev/null'], { timeoutMs: 15_000 });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/no body: pipe it on stdin/);
  });
});

describe('types', () => {
  it('one line on each catalog type', async () => {
    const result = await run(['types']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(Object.keys(eventCatalog).length);
    for (const [type, description] of Object.entries(eventCatalog)) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${type.replace('.', '\\.')} +${description.replace(/[()]/g, '\\$&')}$`)));
    }
  });

  it('--json: the catalog as an array', async () => {
    const result = await run(['types', '--json']);
    expect(JSON.parse(result.stdout)).toEqual(Object.entries(eventCatalog).map(([type, description]) => ({ type, description })));
  });
});

describe('colour: only on a terminal, never with NO_COLOR', () => {
  it('pipes get plain text', async () => {
    expect((await run(['types'])).stdout).not.toContain(ESC);
    expect((await run(['--help'])).stdout).not.toContain(ESC);
  });

  it.skipIf(skipWithoutPty)('a terminal gets colour; NO_COLOR turns it off; --json is never coloured', async () => {
    needPty();
    const inTerminal = (args: string, env: Record<string, string> = {}) =>
      runCommand(SCRIPT, ['-qec', `${process.execPath} ${BIN} ${args}`, '/dev/null'], { env, timeoutMs: 15_000 });
    expect((await inTerminal('types')).stdout).toContain(ESC);
    expect((await inTerminal('types', { NO_COLOR: '1' })).stdout).not.toContain(ESC);
    expect((await inTerminal('types --json')).stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR forces it through a pipe, and NO_COLOR still wins', async () => {
    expect((await run(['types'], { env: { FORCE_COLOR: '1' } })).stdout).toContain(ESC);
    expect((await run(['types'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain(ESC);
  });
});
