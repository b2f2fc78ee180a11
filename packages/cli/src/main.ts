/**
 * @module main — `together-webhooks <command>`: finds the command, runs it, and turns every way it
 * can end into an exit code and at most one line of reason on stderr.
 */
import { version } from '../package.json';
import type { Command } from './command.js';
import { listen } from './commands/listen.js';
import { sign } from './commands/sign.js';
import { trigger } from './commands/trigger.js';
import { types } from './commands/types.js';
import { verify } from './commands/verify.js';
import { watch } from './commands/watch.js';
import { styleFor, type Context } from './context.js';
import { CommandError, EXIT, UsageError } from './errors.js';

const commands: readonly Command[] = [trigger, listen, types, sign, verify, watch];

function overview(context: Context): string {
  const style = styleFor(context.stdout, context.env);
  const width = Math.max(...commands.map((command) => command.name.length));
  return `${style.bold('together-webhooks')} ${version}: test and debug endpoints that receive together-webhooks deliveries (Together AI job events)

Usage: together-webhooks <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  -h, --help       show help; together-webhooks <command> --help for a command's
  -v, --version    print the version

Environment:
  TOGETHER_WEBHOOK_SECRET   the webhook secret, when --secret is not given
  NO_COLOR                  no colour, even on a terminal (colour is only ever used on one)

Exit codes: 0 success, 1 the command failed (one line on stderr says why), 2 bad arguments.
`;
}

function commandNames(): string {
  return commands.map((command) => command.name).join(', ');
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.help}\n`;
}

/**
 * Runs the command line `args` (without `node` and the script).
 *
 * @param args - e.g. `['trigger', 'batch.completed', '--url', 'http://127.0.0.1:4000/webhooks']`
 * @param context - streams, environment and stop signal
 * @returns the exit code
 */
export async function main(args: readonly string[], context: Context): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    context.stderr.write(overview(context));
    return EXIT.usage;
  }
  if (name === '-h' || name === '--help') {
    context.stdout.write(overview(context));
    return EXIT.ok;
  }
  if (name === '-v' || name === '--version') {
    context.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    if (rest[0] === undefined) {
      context.stdout.write(overview(context));
      return EXIT.ok;
    }
    const topic = commands.find((command) => command.name === rest[0]);
    if (!topic) {
      context.stderr.write(`together-webhooks: no help on ${JSON.stringify(rest[0])}: not a command (${commandNames()})\n`);
      return EXIT.usage;
    }
    context.stdout.write(commandHelp(topic));
    return EXIT.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    context.stderr.write(
      `together-webhooks: unknown command ${JSON.stringify(name)}\nCommands: ${commandNames()}; see together-webhooks --help\n`,
    );
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    context.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr.write(`together-webhooks ${command.name}: ${error.message}\nUsage: ${command.usage}\n`);
      return EXIT.usage;
    }
    if (error instanceof CommandError) {
      context.stderr.write(`together-webhooks ${command.name}: ${error.message}\n`);
      return EXIT.failed;
    }
    const reason = error instanceof Error ? error.message : String(error);
    context.stderr.write(`together-webhooks ${command.name}: unexpected error: ${reason}\n`);
    return EXIT.failed;
  }
}
