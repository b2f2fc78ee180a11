/**
 * @module commands/types — `together-webhooks types`: the event catalog, one line on each type.
 */
import { eventCatalog } from '@x/together-webhooks-core';
import { commonOptions, parse } from '../args.js';
import { writeJson, type Command } from '../command.js';
import { styleFor } from '../context.js';
import { EXIT } from '../errors.js';

export const types: Command = {
  name: 'types',
  summary: 'list the event types, one line on each',
  usage: 'together-webhooks types [--json]',
  help: `Lists every event type of the catalog with what it means. Each type's data is the Together AI
resource it is about (fine-tuning job, batch job, dedicated endpoint, evaluation, video job);
\`trigger\` sends a realistic one of any type.

Options:
  --json        print a JSON array of { "type", "description" }
  -h, --help    show this help`,
  run(args, context) {
    const { values } = parse(args, { options: commonOptions });
    const entries = Object.entries(eventCatalog);
    if (values.json) {
      writeJson(
        context,
        entries.map(([type, description]) => ({ type, description })),
      );
      return Promise.resolve(EXIT.ok);
    }
    const style = styleFor(context.stdout, context.env);
    const width = Math.max(...entries.map(([type]) => type.length));
    for (const [type, description] of entries) context.stdout.write(`${style.bold(type.padEnd(width))}  ${description}\n`);
    return Promise.resolve(EXIT.ok);
  },
};
