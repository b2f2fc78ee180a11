/**
 * @module diagnosis/wire-together — the together scheme (`x-together-*`), as the diagnosis reasons
 * about it: bare lowercase-hex entries separated by `,` or spaces, over `<timestamp>.<body>`, keyed
 * with the secret's text.
 */
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@x/together-webhooks-core/internal';
import { schemeLabels, schemes } from '../schemes.js';
import { BASE64_MAC, BASE64_TEXT, fromBase64, fromHex, HEX_MAC, hex, lengths, PREFIXED_HEX, SECRET_PREFIX, withoutPrefix } from './encoding.js';
import type { WireFormat } from './wire.js';

export const together: WireFormat = {
  name: 'together',
  scheme: schemes.together,
  label: schemeLabels.together,
  headers: { signature: SIGNATURE_HEADER, timestamp: TIMESTAMP_HEADER },
  envelope: '{ id, type, created, data }',
  entries: (header) => header.split(/[\s,]+/).filter((entry) => entry !== ''),
  entryProblem(header) {
    const entries = together.entries(header);
    if (entries.some((entry) => HEX_MAC.test(entry))) return undefined;
    const prefixed = entries.map((entry) => PREFIXED_HEX.exec(entry)).find((match) => match !== null);
    if (prefixed) {
      return {
        format: 'prefixed',
        message: `${SIGNATURE_HEADER} holds "${prefixed[1] ?? ''}=" before the hex digits: the header must hold the bare lowercase hex HMAC (whatever added the prefix follows another scheme)`,
        repaired: entries.map((entry) => PREFIXED_HEX.exec(entry)?.[2] ?? entry).join(','),
        fixed: 'without its prefix, the signature is valid: send the bare hex digits',
      };
    }
    const encoded = entries.filter((entry) => BASE64_MAC.test(entry));
    return {
      format: encoded.length > 0 ? 'base64' : 'unknown',
      message: `${SIGNATURE_HEADER} holds no 64-digit hex signature (${lengths(entries)}): it must be the lowercase hex HMAC-SHA256, not base64 or another scheme`,
      ...(encoded.length > 0 && {
        repaired: encoded.map((entry) => hex(fromBase64(entry))).join(','),
        fixed: 'converted from base64 to hex, the signature is valid: the sender encodes the HMAC as base64, and it must send lowercase hex',
      }),
    };
  },
  macs: (header) => together.entries(header).filter((entry) => HEX_MAC.test(entry)).map(fromHex),
  prefix: ({ timestamp }) => `${timestamp}.`,
  careless: () => ({
    omitted: 'timestamp',
    prefix: '',
    message: `the signature is over the body alone: the sender must sign "<${TIMESTAMP_HEADER}>.<body>" (the timestamp, a dot, then the body)`,
  }),
  key: (secret) => secret,
  wrongKeys: (secret) => ({
    keys: secret.startsWith(SECRET_PREFIX) && BASE64_TEXT.test(withoutPrefix(secret)) ? [fromBase64(withoutPrefix(secret))] : [],
    message:
      'the signature was made with the bytes the secret\'s base64 decodes to as the key (as Standard Webhooks libraries do): ' +
      'the together scheme keys the HMAC with the secret\'s text as it is',
  }),
};
