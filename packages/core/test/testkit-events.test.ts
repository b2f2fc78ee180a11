import { describe, expect, it } from 'vitest';
import { eventCatalog, TOGETHER_RESOURCE_NAMES, togetherResources, type TogetherEventType, type TogetherResourceName } from '@x/together-webhooks-core';
import { createTestEvent, testResourceFixtures, type AnyTestResourceFixture, type FixtureJob } from '@x/together-webhooks-core/testing';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FILE_ID = /^file-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const allTypes = Object.keys(eventCatalog) as TogetherEventType[];

// Each row: the type, the resource's state field, and the state together-api.md maps it from.
const lifecycle: [TogetherEventType, string, string][] = [
  ['fine_tune.created', 'status', 'pending'],
  ['fine_tune.queued', 'status', 'queued'],
  ['fine_tune.running', 'status', 'running'],
  ['fine_tune.completed', 'status', 'completed'],
  ['fine_tune.failed', 'status', 'error'],
  ['fine_tune.cancelled', 'status', 'cancelled'],
  ['fine_tune.checkpoint_saved', 'status', 'running'],
  ['fine_tune.epoch_completed', 'status', 'running'],
  ['batch.created', 'status', 'VALIDATING'],
  ['batch.in_progress', 'status', 'IN_PROGRESS'],
  ['batch.completed', 'status', 'COMPLETED'],
  ['batch.failed', 'status', 'FAILED'],
  ['batch.expired', 'status', 'EXPIRED'],
  ['batch.cancelled', 'status', 'CANCELLED'],
  ['endpoint.started', 'state', 'STARTED'],
  ['endpoint.stopped', 'state', 'STOPPED'],
  ['endpoint.failed', 'state', 'ERROR'],
  ['evaluation.completed', 'status', 'completed'],
  ['evaluation.failed', 'status', 'error'],
  ['video.completed', 'status', 'completed'],
  ['video.failed', 'status', 'failed'],
  ['model_upload.completed', 'status', 'Complete'],
  ['model_upload.failed', 'status', 'Failed'],
];

describe('createTestEvent', () => {
  it('covers every lifecycle type of the catalog', () => {
    const generic = allTypes.filter((type) => type.startsWith('resource.'));
    expect(lifecycle.map(([type]) => type).concat(generic).sort()).toEqual([...allTypes].sort());
  });

  it.each(allTypes)('%s: a valid envelope with a unique id and created now', (type) => {
    const before = Date.now();
    const a = createTestEvent(type);
    const b = createTestEvent(type);
    expect(a.type).toBe(type);
    expect(a.id).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.created).toMatch(ISO);
    expect(Date.parse(a.created)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(a.created)).toBeLessThanOrEqual(Date.now() + 1);
    expect(typeof a.data).toBe('object');
    // What goes on the wire survives serialisation unchanged.
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it.each(lifecycle)('%s: data is in the resource state %s = %s', (type, field, state) => {
    expect((createTestEvent(type).data as Record<string, unknown>)[field]).toBe(state);
  });

  it('fine-tuning jobs look like GET /fine-tunes/{id}', () => {
    const { data } = createTestEvent('fine_tune.completed');
    expect(data.id).toMatch(/^ft-[0-9a-f-]{36}$/);
    expect(data.model).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(data.model_output_name).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(data.training_file).toMatch(FILE_ID);
    expect(data.epochs_completed).toBe(data.n_epochs);
    expect(data.created_at).toMatch(ISO);
    expect(Date.parse(data.updated_at!)).toBeGreaterThanOrEqual(Date.parse(data.started_at!));
    expect(data.events?.every((entry) => entry.object === 'fine-tune-event' && ISO.test(entry.created_at))).toBe(true);
    expect(data.events?.at(-1)?.type).toBe('job_complete');

    expect(createTestEvent('fine_tune.created').data.started_at).toBeUndefined();
    expect(createTestEvent('fine_tune.failed').data.events?.at(-1)).toMatchObject({ type: 'job_error', level: 'error' });
  });

  it('batch jobs carry an error when they failed or expired, an output file when completed', () => {
    const failed = createTestEvent('batch.failed').data;
    expect(failed.id).toMatch(UUID);
    expect(typeof failed.error).toBe('string');
    expect(failed.completed_at).toMatch(ISO);
    expect(typeof createTestEvent('batch.expired').data.error).toBe('string');
    const completed = createTestEvent('batch.completed').data;
    expect(completed.progress).toBe(100);
    expect(completed.output_file_id).toMatch(FILE_ID);
    expect(completed.error).toBeUndefined();
    expect(createTestEvent('batch.in_progress').data.completed_at).toBeUndefined();
  });

  it('dedicated endpoints have every field the API returns', () => {
    const { data } = createTestEvent('endpoint.started');
    expect(data).toMatchObject({ object: 'endpoint', type: 'dedicated', state: 'STARTED' });
    expect(data.id).toMatch(/^endpoint-[0-9a-f-]{36}$/);
    for (const field of ['name', 'display_name', 'model', 'hardware', 'owner', 'created_at'] as const) {
      expect(typeof data[field]).toBe('string');
    }
    expect(data.autoscaling.min_replicas).toBeLessThanOrEqual(data.autoscaling.max_replicas);
  });

  it('evaluations have results only when completed', () => {
    const completed = createTestEvent('evaluation.completed').data;
    expect(completed.results).toBeTypeOf('object');
    expect(completed.results).not.toBeNull();
    expect(completed.status_updates?.at(-1)?.status).toBe('completed');
    expect(createTestEvent('evaluation.failed').data.results).toBeNull();
  });

  it('video jobs use Unix seconds and carry outputs or an error', () => {
    const completed = createTestEvent('video.completed').data;
    expect(completed.object).toBe('video');
    expect(Number.isInteger(completed.created_at)).toBe(true);
    expect(Math.abs(completed.created_at - Date.now() / 1000)).toBeLessThan(3600);
    expect(completed.completed_at).toBeGreaterThanOrEqual(completed.created_at);
    expect(completed.outputs?.video_url).toMatch(/^https:\/\//);
    const failed = createTestEvent('video.failed').data;
    expect(typeof failed.error?.message).toBe('string');
    expect(failed.outputs).toBeUndefined();
  });

  it('works where Web Crypto is missing (Node 18 without its flag): ids stay unique and well-formed', () => {
    const crypto = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
    try {
      const events = Array.from({ length: 20 }, () => createTestEvent('batch.completed'));
      expect(new Set(events.map((event) => event.id)).size).toBe(20);
      for (const { id, data } of events) {
        expect(id).toMatch(/^evt_[0-9a-f]{24}$/);
        expect(data.id).toMatch(UUID);
      }
    } finally {
      if (crypto) Object.defineProperty(globalThis, 'crypto', crypto);
    }
  });

  it('fresh ids on every call, for the resource too', () => {
    const ids = new Set(Array.from({ length: 50 }, () => createTestEvent('fine_tune.running').data.id));
    expect(ids.size).toBe(50);
  });

  it('applies overrides: id, created, and data merged over the generated resource', () => {
    const event = createTestEvent('fine_tune.completed', {
      id: 'evt_fixed',
      created: '2025-01-15T10:30:00.000Z',
      data: { model_output_name: 'acme/custom', n_epochs: 7 },
    });
    expect(event.id).toBe('evt_fixed');
    expect(event.created).toBe('2025-01-15T10:30:00.000Z');
    expect(event.data).toMatchObject({ model_output_name: 'acme/custom', n_epochs: 7, status: 'completed' });
    expect(event.data.id).toMatch(/^ft-/);
  });

  it('overrides may set the state a type does not usually report (tests of odd deliveries)', () => {
    expect(createTestEvent('batch.completed', { data: { status: 'FAILED' } }).data.status).toBe('FAILED');
  });

  it('rejects a type outside the catalog with a TypeError naming the catalog', () => {
    expect(() => createTestEvent('fine_tune.paused' as TogetherEventType)).toThrow(/fine_tune\.completed/);
    expect(() => createTestEvent('fine_tune.paused' as TogetherEventType)).toThrow(TypeError);
  });
});

// Every state of every resource, as the core's table lists them.
const resourceStates = TOGETHER_RESOURCE_NAMES.flatMap((resource) =>
  togetherResources[resource].states.map((state): [string, string] => [resource, state]),
);

describe('testResourceFixtures', () => {
  const now = Date.parse('2026-01-15T10:30:00.000Z');
  // Read without knowing the resource, as a fake of Together's API reads them.
  const fixtureOf = (resource: string): AnyTestResourceFixture => testResourceFixtures[resource as TogetherResourceName];
  const sampleOf = (resource: string, state: string): FixtureJob => ({ ...fixtureOf(resource).sample(state, now) });

  it('has a fixture for every resource of togetherResources and nothing else', () => {
    expect(Object.keys(testResourceFixtures).sort()).toEqual([...TOGETHER_RESOURCE_NAMES].sort());
  });

  it.each(resourceStates)('%s in %s: the sample is in that state, with an id, and survives JSON', (resource, state) => {
    const spec = togetherResources[resource as keyof typeof togetherResources];
    const job = sampleOf(resource, state);
    expect(job[spec.stateField]).toBe(state);
    expect(typeof job[spec.idField]).toBe('string');
    expect(sampleOf(resource, state)[spec.idField]).not.toBe(job[spec.idField]);
    expect(JSON.parse(JSON.stringify(job))).toEqual(job);
  });

  it.each(resourceStates)('%s to %s: the fields Together changes with it never touch the id or the state', (resource, state) => {
    const spec = togetherResources[resource as keyof typeof togetherResources];
    const fixture = fixtureOf(resource);
    const first = sampleOf(resource, spec.states[0]);
    const created = fixture.created?.(first, now) ?? first;
    const before = structuredClone(created);
    const changed = fixture.changed(created, state, now + 1000);
    expect(changed).not.toHaveProperty(spec.idField);
    expect(changed).not.toHaveProperty(spec.stateField);
    // The fixture returns new fields; the job it was given stays as it was.
    expect(created).toEqual(before);
  });

  it('a fine-tune moving to a state appends the log entry Together writes with it', () => {
    const fixture = fixtureOf('fine_tune');
    const job = fixture.created!(sampleOf('fine_tune', 'pending'), now);
    const changed = fixture.changed(job, 'completed', now + 1000);
    const events = changed['events'] as { type: string; created_at: string }[];
    expect(events).toHaveLength((job['events'] as unknown[]).length + 1);
    expect(events.at(-1)).toMatchObject({ type: 'job_complete', created_at: new Date(now + 1000).toISOString() });
    expect(testResourceFixtures.fine_tune.logEntry('checkpoint_save', 'saved', 'x', { step: 3 })).toMatchObject({ object: 'fine-tune-event', type: 'checkpoint_save', step: 3 });
  });
});
