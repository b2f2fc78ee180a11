/**
 * @module record — the item that stands for one event id: who claims it until when, or that it
 * is completed, plus the epoch-seconds attribute DynamoDB's TTL deletes it by.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ClaimResult } from '@x/together-webhooks-core';

/** Attribute names the store writes beside the partition key. @internal */
export const ATTRIBUTES = {
  state: 'state',
  token: 'token',
  /** Milliseconds since the epoch: what every condition compares. */
  expiresAtMs: 'expiresAtMs',
  /** Seconds since the epoch: for the table's TTL, which may delete days late and is never relied on. */
  expiresAt: 'expiresAt',
} as const;

/** Names of the ownership condition; reserved words (`state`, `token`) must go through names. @internal */
export const OWNED_NAMES = { '#state': ATTRIBUTES.state, '#token': ATTRIBUTES.token, '#exp': ATTRIBUTES.expiresAtMs } as const;

/** Names of the claim's condition. @internal */
export function freeNames(partitionKey: string): Record<string, string> {
  return { '#pk': partitionKey, '#exp': ATTRIBUTES.expiresAtMs };
}

/** Holds while `:token` owns the item: claimed by it and not expired at `:now`. @internal */
export const OWNED_BY_TOKEN = '#state = :claimed AND #token = :token AND #exp > :now';

/** Holds when nobody holds the item: absent, or expired at `:now` (claimed or completed). @internal */
export const FREE = 'attribute_not_exists(#pk) OR #exp <= :now';

type Item = Record<string, AttributeValue>;

/** The attributes of a claim by `token` until `expiresAtMs` (the caller adds the key). @internal */
export function claimedItem(token: string, expiresAtMs: number): Item {
  return {
    [ATTRIBUTES.state]: { S: 'claimed' },
    [ATTRIBUTES.token]: { S: token },
    ...expiry(expiresAtMs),
  };
}

/** The attributes of a completed event, retained until `expiresAtMs` (the caller adds the key). @internal */
export function completedItem(expiresAtMs: number): Item {
  return { [ATTRIBUTES.state]: { S: 'completed' }, ...expiry(expiresAtMs) };
}

/** Both expiry attributes: milliseconds for the conditions, seconds (rounded up) for TTL. @internal */
export function expiry(expiresAtMs: number): Item {
  return {
    [ATTRIBUTES.expiresAtMs]: { N: String(expiresAtMs) },
    [ATTRIBUTES.expiresAt]: { N: String(Math.ceil(expiresAtMs / 1000)) },
  };
}

/**
 * What a claim answers given the item that made its condition fail: `undefined` when the item is
 * gone or expired by `at` (it changed since: claim again), the answer otherwise.
 * @throws Error when the item was not written by this store
 * @internal
 */
export function answerFor(item: Item | undefined, token: string, at: number, key: string): ClaimResult | undefined {
  if (item === undefined) return undefined;
  const state = item[ATTRIBUTES.state]?.S;
  const expiresAtMs = Number(item[ATTRIBUTES.expiresAtMs]?.N);
  if ((state !== 'claimed' && state !== 'completed') || !Number.isFinite(expiresAtMs)) {
    throw new Error(`dynamoDbStore: the item of ${key} was not written by this store: does another program use the table?`);
  }
  if (expiresAtMs <= at) return undefined;
  if (state === 'completed') return { state: 'completed' };
  // Our own claim, written by a request the SDK retried after a lost response.
  if (item[ATTRIBUTES.token]?.S === token) return { state: 'claimed', token };
  return { state: 'in_progress', retryAfterMs: Math.max(1, expiresAtMs - at) };
}
