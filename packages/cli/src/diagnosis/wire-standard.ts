/**
 * @module diagnosis/wire-standard — Standard Webhooks, as the diagnosis reasons about it:
 * space-separated `v1,<base64>` entries over `<id>.<timestamp>.<body>`, keyed with the bytes of a
 * `whsec_<base64>` secret.
 */
import { schemeLabels, schemes } from '../schemes.js';
import { base64, BASE64_MAC, fromBase64, fromHex, HEX_MAC, lengths, withoutPrefix } from './encoding.js';
import type { EntryProblem, WireFormat } from './wire.js';

const VERSION = 'v1,';

/** A Standard Webhooks header's name, from the core's list (`webhook-id`, …). */
function standardHeader(suffix: string): string {
  const name = schemes.standard.headerNames.find((header) => header.endsWith(suffix));
  if (name === undefined) throw new Error(`the Standard Webhooks scheme has no *${suffix} header`);
  return name;
}

const STANDARD_SIGNATURE = standardHeader('-signature');
const STANDARD_ID = standardHeader('-id');

// A version marker (`v1`, `v1a`, `v2`): the token after it is that version's signature.
const VERSION_TOKEN = /^v[0-9]+[a-z]*$/;

/**
 * The entries of a header, read as the core reads them: tokens split on spaces and commas (a header
 * sent twice arrives joined with ","), each version marker paired with the token after it. A token
 * with no version before it stays an entry of its own, so a bare signature can be named.
 */
function standardEntries(header: string): string[] {
  const tokens = header.split(/[ ,]+/).filter((token) => token !== '');
  const entries: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    entries.push(VERSION_TOKEN.test(token) && i + 1 < tokens.length ? `${token},${tokens[++i]!}` : token);
  }
  return entries;
}

/** The entries, and the MACs of the `v1` ones. */
interface Entries {
  all: readonly string[];
  v1: readonly string[];
}

/** One way the entries can be out of form, in the order tried: the first that applies is said. */
type Detector = (entries: Entries) => EntryProblem | undefined;

const hexEntries: Detector = ({ v1 }) =>
  v1.some((mac) => HEX_MAC.test(mac))
    ? {
        format: 'hex',
        message: `${STANDARD_SIGNATURE} holds v1 entries in hex: Standard Webhooks signatures are base64 (v1,<base64 HMAC-SHA256>)`,
        repaired: v1.filter((mac) => HEX_MAC.test(mac)).map((mac) => VERSION + base64(fromHex(mac))).join(' '),
        fixed: 'converted from hex to base64, the signature is valid: the sender encodes the HMAC as hex, and it must send base64',
      }
    : undefined;

const unversioned: Detector = ({ all }) => {
  const bare = all.filter((entry) => BASE64_MAC.test(entry) || HEX_MAC.test(entry));
  if (bare.length === 0) return undefined;
  return {
    format: 'unversioned',
    message: `${STANDARD_SIGNATURE} holds a signature without its version: each entry must be "v1," followed by the base64 HMAC`,
    repaired: bare.map((mac) => VERSION + (HEX_MAC.test(mac) ? base64(fromHex(mac)) : mac)).join(' '),
    fixed: 'as "v1,<base64>", the signature is valid: send each entry with its version',
  };
};

const otherVersion: Detector = ({ all, v1 }) => {
  const versions = [...new Set(all.flatMap((entry) => /^(v\d+[a-z]*),/.exec(entry)?.[1] ?? []))];
  if (v1.length > 0 || versions.length === 0) return undefined;
  return {
    format: 'other_version',
    message: `${STANDARD_SIGNATURE} holds only ${versions.join(', ')} entries, which are skipped: this SDK verifies v1 (HMAC-SHA256 with a whsec_ secret); v1a is asymmetric (ed25519) signing`,
  };
};

const unknown: Detector = ({ all }) => ({ format: 'unknown', message: `${STANDARD_SIGNATURE} holds no v1,<base64> entry (${lengths(all)})` });

const detectors: readonly Detector[] = [hexEntries, unversioned, otherVersion, unknown];

/** The first form problem of the entries; nothing when a v1 entry holds base64, compared as it is. */
function standardProblem(all: readonly string[]): EntryProblem | undefined {
  const entries = { all, v1: all.filter((entry) => entry.startsWith(VERSION)).map((entry) => entry.slice(VERSION.length)) };
  if (entries.v1.some((mac) => BASE64_MAC.test(mac))) return undefined;
  for (const detect of detectors) {
    const problem = detect(entries);
    if (problem) return problem;
  }
  return undefined;
}

export const standard: WireFormat = {
  name: 'standard',
  scheme: schemes.standard,
  label: schemeLabels.standard,
  headers: { signature: STANDARD_SIGNATURE, timestamp: standardHeader('-timestamp'), id: STANDARD_ID },
  envelope: '{ type, timestamp, data }',
  entries: standardEntries,
  entryProblem: (header) => standardProblem(standard.entries(header)),
  macs: (header) =>
    standard
      .entries(header)
      .filter((entry) => entry.startsWith(VERSION) && BASE64_MAC.test(entry.slice(VERSION.length)))
      .map((entry) => fromBase64(entry.slice(VERSION.length))),
  prefix: ({ id, timestamp }) => `${id ?? ''}.${timestamp}.`,
  careless: ({ timestamp }) => ({
    omitted: 'id',
    prefix: `${timestamp}.`,
    message: `the signature is over "<timestamp>.<body>", without the ${STANDARD_ID}: the sender must sign "<id>.<timestamp>.<body>"`,
  }),
  key: (secret) => fromBase64(withoutPrefix(secret)),
  wrongKeys: (secret) => ({
    keys: [...new Set([secret, withoutPrefix(secret)])],
    message:
      'the signature was made with the secret\'s text as the key: Standard Webhooks keys the HMAC with the bytes the base64 after ' +
      'whsec_ decodes to, as the official libraries do',
  }),
};
