/**
 * @module schemes — the signature schemes the CLI speaks (`--scheme together|standard`), and
 * signing with them: every secret checked by the core first, so a secret the scheme refuses is a
 * usage error naming the option, never a stack.
 */
import { sign, standardWebhooksScheme, togetherScheme, type WebhookScheme } from '@x/together-webhooks-core';
import { secretOption } from './args.js';
import { UsageError } from './errors.js';

/** A scheme, by the name `--scheme` takes. */
export type SchemeName = 'together' | 'standard';

/** The core's scheme for each name. */
export const schemes: Readonly<Record<SchemeName, WebhookScheme>> = {
  together: togetherScheme(),
  standard: standardWebhooksScheme(),
};

/** Each scheme in words, for output. */
export const schemeLabels: Readonly<Record<SchemeName, string>> = {
  together: 'together',
  standard: 'Standard Webhooks',
};

/** The `--scheme` option, for a command's `parseArgs` options. */
export const schemeOption = { scheme: { type: 'string' } } as const;

/** The scheme `--scheme` names; the default scheme when it is absent. */
export function schemeFrom(value: string | undefined): SchemeName {
  if (value === undefined) return 'together';
  if (value === 'together' || value === 'standard') return value;
  throw new UsageError(`--scheme must be together or standard, got ${JSON.stringify(value)}`);
}

/**
 * Checks every secret as the scheme's receiver and sender do: a refused one (surrounding
 * whitespace, or for Standard Webhooks not `whsec_` + base64) is a usage error naming it.
 *
 * @param secrets - the secrets, as {@link secretsFrom} returned them
 * @param given - the `--secret` values, to name the one refused (`--secret #2`)
 */
export function checkSecrets(secrets: readonly string[], scheme: SchemeName, given: readonly string[] | undefined): void {
  secrets.forEach((secret, index) => {
    try {
      sign('', { secret, scheme: schemes[scheme], id: 'check', timestamp: 0 });
    } catch (error) {
      // The core's message starts with the argument's name ("secret[1] is not …"): name the option instead.
      if (error instanceof TypeError) throw new UsageError(error.message.replace(/^secret\S*/, secretOption(index, given)));
      throw error;
    }
  });
}

/**
 * The signature headers of `body`: one signature per secret (a sender rotating its secret signs
 * with each), as the core's `sign` makes them. Check the secrets first ({@link checkSecrets}).
 */
export function signHeaders(
  body: string | Uint8Array,
  options: { secrets: readonly string[]; scheme: SchemeName; timestamp: number; id?: string },
): Record<string, string> {
  try {
    return sign(body, {
      secret: options.secrets,
      scheme: schemes[options.scheme],
      timestamp: options.timestamp,
      ...(options.id === undefined ? {} : { id: options.id }),
    });
  } catch (error) {
    // The one bound the core knows and the option does not: how many digits a timestamp may have.
    if (error instanceof RangeError) throw new UsageError(`--${error.message}`);
    throw error;
  }
}
