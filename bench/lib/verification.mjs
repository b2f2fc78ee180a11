/**
 * @module verification — the verification cases of spec section 9: the floors, this package's
 * builds, and peers verifying their own signatures over the same bodies.
 */
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
// standardwebhooks and svix take a base64 secret with a whsec_ prefix.
const BASE64_SECRET = `whsec_${Buffer.from('bench-secret-32-bytes-long-12345').toString('base64')}`;
const encoder = new TextEncoder();

/** The headers a Node server hands over, with the signature headers among the usual ones. */
function nodeHeaders(signature, timestamp) {
  return {
    host: 'api.example.com',
    'user-agent': 'Together-Webhooks/1.0',
    'content-type': 'application/json',
    'content-length': '1024',
    'x-forwarded-for': '203.0.113.7',
    'x-together-signature': signature,
    'x-together-timestamp': timestamp,
  };
}

function floorSignature(body, timestamp) {
  return createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * @param {Buffer} body
 * @param {{ node: typeof import('@x/together-webhooks-core'), portable: typeof import('@x/together-webhooks-core') }} builds
 * @returns {Promise<{ name: string, fn: () => unknown, async?: boolean, group: string }[]>}
 */
export async function verificationCases(body, { node, portable }) {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = String(now);
  const signature = floorSignature(body, timestamp);
  const forged = `${signature.slice(0, 60)}${signature.slice(60) === '0000' ? '1111' : '0000'}`;
  const headers = nodeHeaders(signature, timestamp);
  const forgedHeaders = nodeHeaders(forged, timestamp);
  const staleTimestamp = String(now - 3600);
  const staleHeaders = nodeHeaders(floorSignature(body, staleTimestamp), staleTimestamp);
  const options = { secret: SECRET };
  const keyBytes = encoder.encode(SECRET);

  // The floor (spec section 9): HMAC fed the prefix and the body separately, the provided hex
  // decoded to bytes (every verifier must read the header), timingSafeEqual.
  const floorNode = () => {
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest();
    const provided = Buffer.from(signature, 'hex');
    return provided.length === expected.length && timingSafeEqual(expected, provided);
  };
  const floorNodeParse = () => floorNode() && JSON.parse(body.toString());
  const floorNoble = () => hmac.create(sha256, keyBytes).update(encoder.encode(`${timestamp}.`)).update(body).digest();

  const rejects = (verifySync, input, withOptions = options) => () => {
    try {
      return verifySync(input, withOptions);
    } catch (error) {
      return error;
    }
  };

  // Peers, each with its own signer.
  const stripe = new Stripe('sk_test_bench_no_network');
  const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret: SECRET });
  const stripeForged = stripeHeader.replace(/v1=([0-9a-f]{4})/, (_, hex) => `v1=${hex === '0000' ? '1111' : '0000'}`);
  const standard = new StandardWebhook(BASE64_SECRET);
  const standardSignature = standard.sign('msg_bench', new Date(now * 1000), body);
  const standardHeaders = { 'webhook-id': 'msg_bench', 'webhook-timestamp': timestamp, 'webhook-signature': standardSignature };
  const standardForged = { ...standardHeaders, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` };
  // Ours with the Standard Webhooks scheme, on the very delivery standardwebhooks signed, and its
  // floor (spec section 9): HMAC over `<id>.<timestamp>.` then the body, base64 compared in
  // constant time, JSON.parse. The key is decoded once (as a receiver does per secret); the
  // provided signature is read from its header entry on every call, as floor-node decodes its hex.
  const standardOptions = { secret: BASE64_SECRET, scheme: node.standardWebhooksScheme() };
  const standardKey = Buffer.from(BASE64_SECRET.slice('whsec_'.length), 'base64');
  const floorStandard = () => {
    const expected = createHmac('sha256', standardKey).update(`msg_bench.${timestamp}.`).update(body).digest();
    const provided = Buffer.from(standardSignature.slice('v1,'.length), 'base64');
    return provided.length === expected.length && timingSafeEqual(expected, provided);
  };
  const svix = new SvixWebhook(BASE64_SECRET);
  const svixSignature = svix.sign('msg_bench', new Date(now * 1000), body);
  const svixHeaders = { 'svix-id': 'msg_bench', 'svix-timestamp': timestamp, 'svix-signature': svixSignature };
  // octokit takes the payload as a string only: the conversion is done once, outside the loop.
  const bodyText = body.toString();
  const octokitSignature = await octokitSign(SECRET, bodyText);
  const swallow = (fn) => () => {
    try {
      return fn();
    } catch (error) {
      return error;
    }
  };

  // Sanity: every valid case accepts, every rejected case rejects, before anything is timed.
  check(floorNode() === true, 'floor-node');
  check(node.verifySync({ body, headers }, options).id, 'ours verifySync (node)');
  check(portable.verifySync({ body, headers }, options).id, 'ours verifySync (portable)');
  check(rejects(node.verifySync, { body, headers: staleHeaders })().code === 'timestamp_too_old', 'signature check alone');
  check(rejects(node.verifySync, { body, headers: forgedHeaders })().code === 'signature_mismatch', 'rejected');
  check(stripe.webhooks.constructEvent(body, stripeHeader, SECRET).id, 'stripe constructEvent');
  check(stripe.webhooks.signature.verifyHeader(body, stripeHeader, SECRET) === true, 'stripe verifyHeader');
  check(swallow(() => stripe.webhooks.constructEvent(body, stripeForged, SECRET))() instanceof Error, 'stripe rejected');
  check(standard.verify(body, standardHeaders).id, 'standardwebhooks');
  check(swallow(() => standard.verify(body, standardForged))() instanceof Error, 'standardwebhooks rejected');
  check(svix.verify(body, svixHeaders).id, 'svix');
  check(floorStandard() === true, 'floor-standard');
  check(node.verifySync({ body, headers: standardHeaders }, standardOptions).id === 'msg_bench', 'ours verifySync (standard)');
  check(rejects(node.verifySync, { body, headers: standardForged }, standardOptions)().code === 'signature_mismatch', 'ours rejected (standard)');
  check((await octokitVerify(SECRET, bodyText, octokitSignature)) === true, 'octokit verify');

  return [
    { group: 'floor', name: 'floor-node', fn: floorNode },
    { group: 'floor', name: 'floor-node+parse', fn: floorNodeParse },
    { group: 'floor', name: 'floor-noble', fn: floorNoble },
    { group: 'floor', name: 'parse alone', fn: () => JSON.parse(body.toString()) },
    { group: 'ours', name: 'verifySync (node)', fn: () => node.verifySync({ body, headers }, options) },
    { group: 'ours', name: 'verifySync (portable)', fn: () => portable.verifySync({ body, headers }, options) },
    { group: 'ours', name: 'authentic but stale (node)', fn: rejects(node.verifySync, { body, headers: staleHeaders }) },
    { group: 'ours', name: 'rejected, bad signature (node)', fn: rejects(node.verifySync, { body, headers: forgedHeaders }) },
    { group: 'ours', name: 'verify() on {body,headers} (node)', fn: () => node.verify({ body, headers }, options), async: true },
    { group: 'floor', name: 'floor-standard+parse', fn: () => floorStandard() && JSON.parse(body.toString()) },
    { group: 'ours', name: 'verifySync standard (node)', fn: () => node.verifySync({ body, headers: standardHeaders }, standardOptions) },
    { group: 'ours', name: 'rejected standard (node)', fn: rejects(node.verifySync, { body, headers: standardForged }, standardOptions) },
    { group: 'peers', name: 'stripe constructEvent', fn: () => stripe.webhooks.constructEvent(body, stripeHeader, SECRET) },
    { group: 'peers', name: 'stripe verifyHeader', fn: () => stripe.webhooks.signature.verifyHeader(body, stripeHeader, SECRET) },
    { group: 'peers', name: 'stripe rejected', fn: swallow(() => stripe.webhooks.constructEvent(body, stripeForged, SECRET)) },
    { group: 'peers', name: 'standardwebhooks verify', fn: () => standard.verify(body, standardHeaders) },
    { group: 'peers', name: 'standardwebhooks rejected', fn: swallow(() => standard.verify(body, standardForged)) },
    { group: 'peers', name: 'svix verify', fn: () => svix.verify(body, svixHeaders) },
    { group: 'peers', name: 'octokit verify', fn: () => octokitVerify(SECRET, bodyText, octokitSignature), async: true },
  ];
}

function check(ok, name) {
  if (!ok) throw new Error(`bench sanity check failed: ${name}`);
}
