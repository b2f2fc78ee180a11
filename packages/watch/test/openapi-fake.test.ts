import { createTestEvent } from '@x/together-webhooks-core/testing';
import { describe, expect, it } from 'vitest';
import { resourceKinds, type TrackedResource } from '../src/resources.js';
import { fakeApi } from './helpers.js';
import { operationPath, responseValidator } from './openapi.js';

// Every resource in every state Together documents: the fake must answer what Together's own
// description says its routes answer, or tests against the fake prove nothing about Together.
const cases = (Object.keys(resourceKinds) as TrackedResource[]).flatMap((resource) => resourceKinds[resource].states.map((state) => [resource, state] as const));

describe('the fake Together API answers what Together’s OpenAPI description says', () => {
  it.each(cases)('%s in state %s: list and retrieve validate against their operations', async (resource, state) => {
    const api = await fakeApi();
    const kind = resourceKinds[resource];
    const job = api.create(resource);
    const id = String(job[kind.idField]);
    if (state !== kind.states[0]) api.set(resource, id, state);
    if (resource === 'fine_tune') api.logEvent(id, 'checkpoint_save', { checkpoint_path: 's3://checkpoints/step-1', step: 1 });
    const paths = [`${kind.path}/${encodeURIComponent(id)}`, ...(kind.listable ? [`${kind.path}${kind.listQuery ? `?${new URLSearchParams(kind.listQuery).toString()}` : ''}`] : [])];
    for (const path of paths) {
      const response = await fetch(`${api.baseURL}${path}`, { headers: { authorization: `Bearer ${api.apiKey}` } });
      expect(response.status, path).toBe(200);
      const template = operationPath(path.split('?')[0]!);
      expect(template, `no GET operation for ${path} in the OpenAPI file`).toBeDefined();
      const validate = responseValidator(template!);
      const body: unknown = await response.json();
      expect(validate(body) ? [] : validate.errors, `GET ${path}`).toEqual([]);
    }
  });
});

// The core test kit's samples (what users' tests get from createTestEvent, and what the fake
// starts each job from) against the schema of their resource's retrieve.
const sampleCases = (Object.keys(resourceKinds) as TrackedResource[]).flatMap((resource) =>
  [...new Set(Object.values(resourceKinds[resource].events))].map((type) => [type, resource] as const),
);

describe('the core test kit’s samples validate against Together’s OpenAPI description', () => {
  it.each(sampleCases)('createTestEvent(%s).data is a valid %s', (type, resource) => {
    const kind = resourceKinds[resource];
    const template = operationPath(`${kind.path}/x`)!;
    const data = createTestEvent(type).data as unknown as Record<string, unknown>;
    const validate = responseValidator(template);
    expect(validate(data) ? [] : validate.errors).toEqual([]);
  });
});
