/**
 * @module diagnosis/body-changes — the ways a body is usually changed between signing and
 * verifying, each with how to undo it, in order from the smallest edit to the largest: the first
 * whose undone body the core verifies is the cause. A line-ending change comes before JSON
 * re-formatting, so an indented body whose line endings were converted is diagnosed as that, not
 * as re-formatted (both undo it).
 */
import type { BodyChange } from './types.js';

/** The received body: its text when it is UTF-8, its bytes always. */
export interface ReceivedBody {
  bytes: Uint8Array;
  text: string | undefined;
}

/** A change, and the bodies that may have been signed before it (none when it cannot apply). */
export interface BodyUndo {
  change: BodyChange;
  undo: (received: ReceivedBody) => readonly (string | Uint8Array)[];
  message: string;
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
};
const parsedJson = ({ text }: ReceivedBody) => (text === undefined ? undefined : parsed(text));

/** The changes tried, most specific first. */
export const bodyUndos: readonly BodyUndo[] = [
  {
    change: 'trailing_newline_added',
    undo: ({ bytes, text }) => {
      // Bytes that are not UTF-8: only byte-level changes can be undone.
      if (text === undefined) return bytes.at(-1) === 0x0a ? [bytes.subarray(0, -1)] : [];
      return text.endsWith('\n') ? [text.slice(0, text.endsWith('\r\n') ? -2 : -1)] : [];
    },
    message:
      'the body differs from the one that was signed only by a trailing newline: without it, the signature matches. ' +
      'An editor, `echo`, a heredoc or a file saved with a final newline added it; pass the body exactly as received',
  },
  {
    change: 'trailing_whitespace_added',
    undo: ({ text }) => (text !== undefined && text.trimEnd() !== text ? [text.trimEnd()] : []),
    message:
      'the body differs from the one that was signed only by whitespace at its end: without it, the signature matches. ' +
      'Pass the body exactly as received',
  },
  {
    change: 'trailing_newline_removed',
    undo: ({ text }) => (text !== undefined && !text.endsWith('\n') ? [`${text}\n`] : []),
    message:
      'the body that was signed ended with a newline that this body has lost: with it, the signature matches. ' +
      'Something trimmed the body (a framework, a copy-paste); pass the raw bytes exactly as received',
  },
  {
    change: 'byte_order_mark_added',
    undo: ({ text }) => (text?.startsWith('\uFEFF') ? [text.slice(1)] : []),
    message:
      'the body starts with a UTF-8 byte-order mark that was not signed: without it, the signature matches. ' +
      'An editor saved the file with a BOM; pass the body exactly as received',
  },
  {
    change: 'crlf_line_endings',
    undo: ({ text }) => (text?.includes('\r\n') ? [text.replace(/\r\n/g, '\n')] : []),
    message:
      'the body was signed with LF line endings and now has CRLF: converted back, the signature matches. ' +
      'A Windows tool or a git autocrlf setting rewrote it; keep the raw bytes',
  },
  {
    change: 'lf_line_endings',
    undo: ({ text }) => (text !== undefined && /(^|[^\r])\n/.test(text) ? [text.replace(/\r?\n/g, '\r\n')] : []),
    message:
      'the body was signed with CRLF line endings and now has LF: converted back, the signature matches. ' +
      'An editor or tool rewrote the line endings; keep the raw bytes',
  },
  {
    change: 'reformatted_from_compact_json',
    undo: (received) => {
      const json = parsedJson(received);
      return json === undefined ? [] : [JSON.stringify(json)];
    },
    message:
      'the body was re-formatted after signing: it was signed as compact JSON, and re-serialised compact, it matches. ' +
      'Something parsed and re-serialised or pretty-printed it (a JSON body parser, a logger, an editor); verify the raw bytes before any parser runs',
  },
  {
    change: 'reformatted_from_pretty_json',
    undo: (received) => {
      const json = parsedJson(received);
      const pretty = json === undefined ? undefined : JSON.stringify(json, null, 2);
      return pretty === undefined ? [] : [pretty, `${pretty}\n`];
    },
    message:
      'the body was re-formatted after signing: it was signed as JSON indented with 2 spaces, and re-serialised that way, it matches. ' +
      'Something parsed and re-serialised it (a JSON body parser, JSON.stringify(req.body)); verify the raw bytes before any parser runs',
  },
];
