/**
 * @module testing/test-events — realistic events of every catalog type, their `data` shaped like
 * the Together AI resource each type stands for, for users' own tests.
 */
import {
  TOGETHER_RESOURCE_NAMES,
  togetherResources,
  type TogetherResourceName,
  type TogetherResourceSpec,
  type TogetherResourceTypes,
} from '../events-resources.js';
import {
  eventCatalog,
  isTogetherEventType,
  type BatchJob,
  type BatchStatus,
  type DedicatedEndpoint,
  type EndpointState,
  type EvaluationJob,
  type EvaluationStatus,
  type EventFor,
  type FineTuneEventEntry,
  type FineTuneJob,
  type FineTuneProgress,
  type FineTuneStatus,
  type ModelUploadJob,
  type ModelUploadStatus,
  type TogetherEventDataMap,
  type TogetherEventType,
  type VideoJob,
  type VideoStatus,
} from '@x/together-webhooks-core';

/**
 * What {@link createTestEvent} lets a test set. `data` is checked against the resource of the
 * event's type and merged over the generated resource one level deep (a nested object given here
 * replaces the generated one whole).
 */
export interface TestEventOverrides<T extends TogetherEventType> {
  /** The event id, the idempotency key. Default: `evt_` and 24 random hex digits. */
  id?: string;
  /** ISO 8601. Default: now. */
  created?: string;
  /** Fields of the resource to set. */
  data?: Partial<TogetherEventDataMap[T]>;
}

const BASE_MODEL = 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference';
const SERVING_MODEL = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';
const VIDEO_MODEL = 'minimax/video-01-director';
const OWNER = 'acme-ml';
const MINUTE = 60_000;

// Test ids need to be unique, not secret: Web Crypto where the runtime has it (Node 18 only
// behind a flag), Math.random otherwise.
function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const crypto = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof crypto?.getRandomValues === 'function') return crypto.getRandomValues(bytes);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
const randomHex = (length: number): string => toHex(randomBytes(length));

// A version 4 UUID from random bytes: crypto.randomUUID is missing from browser pages not served
// over HTTPS.
function uuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
const iso = (ms: number): string => new Date(ms).toISOString();

/** A job as a fake API stores it and changes it, read and written field by field. */
export type FixtureJob = Record<string, unknown>;

/** One entry of a fine-tune's `events[]` log with every field Together's OpenAPI file requires of a `FineTuneEvent`. */
const fineTuneLogEntry = (type: string, message: string, at: string, level = 'info', extra: FixtureJob = {}): FineTuneEventEntry => ({
  object: 'fine-tune-event',
  type,
  message,
  level,
  created_at: at,
  param_count: 8_030_261_248,
  token_count: 0,
  total_steps: 360,
  wandb_url: '',
  step: 0,
  checkpoint_path: '',
  model_path: '',
  training_offset: 0,
  hash: '',
  ...extra,
});

// A fake's log entries carry no step count: it trains nothing. (Spread into a plain object: a
// fake's job is a bag of fields.)
const fakeLogEntry = (type: string, message: string, at: string, level = 'info', extra: FixtureJob = {}): FixtureJob => ({
  ...fineTuneLogEntry(type, message, at, level, { total_steps: 0, ...extra }),
});

// The fine-tune log entry Together writes with each status (FinetuneEventType of the OpenAPI file).
const FINE_TUNE_STATUS_ENTRY: Readonly<Record<string, string>> = {
  pending: 'job_pending',
  queued: 'job_pending',
  running: 'job_start',
  compressing: 'model_compressing',
  uploading: 'model_uploading',
  cancel_requested: 'cancel_requested',
  cancelled: 'job_stopped',
  error: 'job_error',
  completed: 'job_complete',
};

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

function fineTuneJob(status: FineTuneStatus, now: number): FineTuneJob {
  const created = now - 45 * MINUTE;
  const started = now - 40 * MINUTE;
  const suffix = randomHex(4);
  const log = (type: string, message: string, at: number, level = 'info'): FineTuneEventEntry => fineTuneLogEntry(type, message, iso(at), level);
  const events: FineTuneEventEntry[] = [log('job_pending', 'Fine tune request created', created)];
  const job: FineTuneJob = {
    id: `ft-${uuid()}`,
    status,
    user_id: randomHex(12),
    model: BASE_MODEL,
    model_output_name: `${OWNER}/Meta-Llama-3.1-8B-Instruct-Reference-support-bot-${suffix}`,
    training_file: `file-${uuid()}`,
    validation_file: `file-${uuid()}`,
    n_epochs: 3,
    epochs_completed: 0,
    created_at: iso(created),
    updated_at: iso(now),
    token_count: 1_843_200,
    total_price: 0,
    events,
  };
  if (status === 'pending') return job;
  events.push(log('job_start', 'Job started', created + MINUTE));
  if (status === 'queued') return job;
  job.started_at = iso(started);
  events.push(log('training_start', 'Training started for model ' + BASE_MODEL, started));
  if (status === 'running') {
    job.epochs_completed = 1;
    events.push(log('epoch_complete', 'Epoch completed, at step 120', now - 10 * MINUTE));
  } else if (status === 'completed') {
    job.epochs_completed = 3;
    // An integer in Together's OpenAPI file.
    job.total_price = 18;
    job.wandb_url = `https://wandb.ai/${OWNER}/together/runs/${randomHex(4)}`;
    events.push(
      log('training_complete', 'Training completed', now - 3 * MINUTE),
      log('model_upload_complete', `Model uploaded as ${job.model_output_name ?? ''}`, now - MINUTE),
      log('job_complete', 'Fine tuning job completed', now),
    );
  } else if (status === 'error') {
    job.epochs_completed = 1;
    events.push(log('job_error', 'Training failed: the training file has a line that is not valid JSON', now, 'error'));
  } else if (status === 'cancelled') {
    events.push(log('cancel_requested', 'Cancel requested by the user', now - MINUTE), log('job_stopped', 'Job stopped', now));
  }
  return job;
}

// A fine-tune in training, with the events[] entry that announced the progress event.
function fineTuneProgress(entryType: string, now: number): FineTuneProgress {
  const job = fineTuneJob('running', now);
  const step = 240;
  const last = job.events?.[0];
  const base = { ...last, object: 'fine-tune-event' as const, type: entryType, level: 'info', created_at: iso(now), step };
  const entry: FineTuneEventEntry =
    entryType === 'checkpoint_save'
      ? { ...base, message: `Checkpoint saved at step ${step}`, checkpoint_path: `s3://together-checkpoints/${job.id}/step-${step}` }
      : { ...base, message: `Epoch completed, at step ${step}` };
  job.epochs_completed = 2;
  job.events = [...(job.events ?? []), entry];
  return { ...job, entry };
}

function batchJob(status: BatchStatus, now: number): BatchJob {
  const created = now - 20 * MINUTE;
  const job: BatchJob = {
    id: uuid(),
    status,
    user_id: randomHex(12),
    endpoint: '/v1/chat/completions',
    input_file_id: `file-${uuid()}`,
    model_id: SERVING_MODEL,
    progress: 0,
    created_at: iso(created),
    job_deadline: iso(created + 24 * 60 * MINUTE),
    file_size_bytes: 482_133,
  };
  if (status === 'IN_PROGRESS') job.progress = 42;
  if (status === 'COMPLETED') {
    job.progress = 100;
    job.output_file_id = `file-${uuid()}`;
  }
  if (status === 'FAILED') job.error = 'line 17 of the input file is not valid JSON';
  if (status === 'EXPIRED') job.error = 'the batch did not finish before its deadline';
  if (status === 'FAILED' || status === 'EXPIRED') job.error_file_id = `file-${uuid()}`;
  if (status !== 'VALIDATING' && status !== 'IN_PROGRESS') job.completed_at = iso(now);
  return job;
}

function dedicatedEndpoint(state: EndpointState, now: number): DedicatedEndpoint {
  const suffix = randomHex(4);
  return {
    id: `endpoint-${uuid()}`,
    object: 'endpoint',
    name: `${OWNER}/${SERVING_MODEL.split('/')[1] ?? SERVING_MODEL}-${suffix}`,
    display_name: 'Support bot (production)',
    model: SERVING_MODEL,
    hardware: '2x_nvidia_h100_80gb_sxm',
    owner: OWNER,
    type: 'dedicated',
    state,
    autoscaling: { min_replicas: 1, max_replicas: 2 },
    created_at: iso(now - 3 * 60 * MINUTE),
  };
}

function evaluationJob(status: EvaluationStatus, now: number): EvaluationJob {
  const created = now - 15 * MINUTE;
  const update = (state: string, message: string, at: number) => ({ status: state, message, timestamp: iso(at) });
  return {
    workflow_id: `eval-${randomHex(8)}`,
    type: 'classify',
    status,
    owner_id: randomHex(12),
    parameters: {
      judge: { model: SERVING_MODEL, model_source: 'serverless', system_template: 'Is the answer polite? Answer yes or no.' },
      labels: ['yes', 'no'],
      pass_labels: ['yes'],
      input_data_file_path: `file-${uuid()}`,
    },
    results:
      status === 'completed'
        ? { label_counts: { yes: 182, no: 18 }, pass_percentage: 91, generation_fail_count: 0, judge_fail_count: 0 }
        : null,
    status_updates: [
      update('pending', 'Evaluation submitted', created),
      update('running', 'Judging 200 samples', created + MINUTE),
      status === 'completed'
        ? update('completed', 'Evaluation completed', now)
        : status === 'error' || status === 'user_error'
          ? update(status, 'The judge model could not be reached', now)
          : update(status, `Evaluation ${status}`, now),
    ],
    created_at: iso(created),
    updated_at: iso(now),
  };
}

function videoJob(status: VideoStatus, now: number): VideoJob {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const job: VideoJob = {
    id: uuid(),
    object: 'video',
    model: VIDEO_MODEL,
    status,
    seconds: '6',
    size: '1366x768',
    created_at: seconds(now - 2 * MINUTE),
    completed_at: seconds(now),
  };
  // An example.com host: a test that follows the URL must not reach a real service.
  // Together's OpenAPI file types `cost` as an integer.
  if (status === 'completed') job.outputs = { cost: 1, video_url: `https://videos.example.com/${job.id}.mp4` };
  if (status === 'failed') job.error = { message: 'the prompt was rejected by the content filter', code: 'content_policy_violation' };
  return job;
}

function modelUploadJob(status: ModelUploadStatus, now: number): ModelUploadJob {
  const created = now - 30 * MINUTE;
  const update = (state: ModelUploadStatus, message: string, at: number) => ({ status: state, message, timestamp: iso(at) });
  const updates = [update('Queued', 'Job is Queued', created)];
  if (status !== 'Queued') updates.push(update('Running', 'Job is Running', created + MINUTE));
  if (status === 'Complete') updates.push(update('Complete', 'Job is Complete', now));
  if (status === 'Failed') updates.push(update('Failed', 'the repository has no model weights', now));
  return {
    type: 'model_upload',
    job_id: `job-${uuid()}`,
    status,
    status_updates: updates,
    args: { description: 'Support bot, fine-tuned elsewhere', modelName: `${OWNER}/support-bot-${randomHex(4)}`, modelSource: 'acme/support-bot' },
    created_at: iso(created),
    updated_at: iso(now),
  };
}

function genericResource(now: number): Record<string, unknown> {
  return {
    id: `file-${uuid()}`,
    object: 'file',
    filename: 'support-conversations.jsonl',
    purpose: 'fine-tune',
    bytes: 482_133,
    created_at: Math.floor(now / 1000),
  };
}

/**
 * How one Together AI resource looks in tests: a realistic job in each state (what
 * {@link createTestEvent} puts in `data`), and how a fake of Together's API creates a job and
 * changes it along with its state (what `@x/together-webhooks-watch/testing` serves). The fake's
 * values are fixed (no random ids), so its answers are readable in test output.
 */
export type TestResourceFixture<R extends TogetherResourceName> = {
  /** A job in `state`, with fresh ids and timestamps around `now` (ms since the epoch). */
  readonly sample: (state: TogetherResourceTypes[R]['state'], now: number) => TogetherResourceTypes[R]['job'];
  /** The fields a fake sets on a job it creates at `at`, over the sample in the first state (its id and state set). */
  readonly created?: (job: FixtureJob, at: number) => FixtureJob;
  /** The fields Together updates along with `state`, as a fake sets them at `at`. */
  readonly changed: (job: FixtureJob, state: string, at: number) => FixtureJob;
} & ((typeof togetherResources)[R] extends { readonly progress: object }
  ? {
      /** A job with the `events[]` entry of `entryType` that announced a progress event. */
      readonly progressSample: (entryType: string, now: number) => object;
      /** An `events[]` entry of `type` as a fake appends it at `at` (ISO 8601). */
      readonly logEntry: (type: string, message: string, at: string, fields?: FixtureJob) => FixtureJob;
    }
  : object);

/**
 * A fixture read without knowing which resource it is (a fake's code that serves every resource
 * alike): states are strings, which must be states of that resource's table. Every entry of
 * {@link testResourceFixtures} is one (method syntax, so a fixture of narrower states is assignable).
 */
export interface AnyTestResourceFixture {
  sample(state: string, now: number): object;
  created?(job: FixtureJob, at: number): FixtureJob;
  changed(job: FixtureJob, state: string, at: number): FixtureJob;
  progressSample?(entryType: string, now: number): object;
}

/**
 * The test fixture of each resource, keyed by the names of `togetherResources`: a resource added
 * there does not compile until it has its fixture here.
 */
export const testResourceFixtures: { readonly [R in TogetherResourceName]: TestResourceFixture<R> } = {
  fine_tune: {
    sample: fineTuneJob,
    progressSample: fineTuneProgress,
    logEntry: (type, message, at, fields = {}) => fakeLogEntry(type, message, at, 'info', fields),
    created: (job, at) => ({
      ...job,
      user_id: 'user_fake',
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      model_output_name: `fake-user/Meta-Llama-3.1-8B-Instruct-Reference-${String(job['id'])}`,
      n_epochs: 1,
      epochs_completed: 0,
      total_price: 0,
      events: [fakeLogEntry('job_pending', 'Fine tune request created', iso(at))],
    }),
    changed: (job, state, at) => ({
      updated_at: iso(at),
      ...(state === 'running' ? { started_at: iso(at) } : {}),
      ...(state === 'completed' ? { epochs_completed: job['n_epochs'], total_price: 2, token_count: 123_456 } : {}),
      events: [...listOf(job['events']), fakeLogEntry(FINE_TUNE_STATUS_ENTRY[state] ?? 'warning', `status: ${state}`, iso(at), state === 'error' ? 'error' : 'info')],
    }),
  },
  batch: {
    sample: batchJob,
    created: (job) => ({ ...job, progress: 0 }),
    changed: (job, state, at) => ({
      ...(state === 'IN_PROGRESS' ? { progress: 50 } : {}),
      ...(state === 'COMPLETED' ? { progress: 100, output_file_id: `file-fake-output-${String(job['id'])}` } : {}),
      ...(state === 'FAILED' ? { error: 'the input file has no valid request line', error_file_id: `file-fake-errors-${String(job['id'])}` } : {}),
      ...(togetherResources.batch.final.some((final) => final === state) ? { completed_at: iso(at) } : {}),
    }),
  },
  endpoint: {
    sample: dedicatedEndpoint,
    changed: () => ({}),
  },
  evaluation: {
    sample: evaluationJob,
    created: (job, at) => ({ ...job, results: null, status_updates: [{ status: job['status'], message: 'created', timestamp: iso(at) }] }),
    changed: (job, state, at) => ({
      updated_at: iso(at),
      status_updates: [...listOf(job['status_updates']), { status: state, message: `status: ${state}`, timestamp: iso(at) }],
      ...(state === 'completed' ? { results: { pass_percentage: 87.5, result_file_id: 'file-fake-results' } } : {}),
      ...(state === 'error' || state === 'user_error' ? { results: { error: 'the judge model is unavailable' } } : {}),
    }),
  },
  video: {
    sample: videoJob,
    changed: (job, state, at) => ({
      ...(state === 'completed' ? { completed_at: Math.floor(at / 1000), outputs: { cost: 1, video_url: `https://example.invalid/videos/${String(job['id'])}.mp4` } } : {}),
      ...(state === 'failed' ? { completed_at: Math.floor(at / 1000), error: { message: 'generation failed', code: 'generation_failed' } } : {}),
    }),
  },
  model_upload: {
    sample: modelUploadJob,
    created: (job, at) => ({ ...job, status_updates: [{ status: job['status'], message: `Job is ${String(job['status'])}`, timestamp: iso(at) }] }),
    changed: (job, state, at) => ({
      updated_at: iso(at),
      status_updates: [...listOf(job['status_updates']), { status: state, message: `Job is ${state}`, timestamp: iso(at) }],
    }),
  },
};

// Each catalog type's resource and the state it reports (or the events[] entry it comes from),
// read off `togetherResources`: the first state mapped to a type is the one its sample has.
const typeSources = new Map<string, { resource: TogetherResourceName; state?: string; entry?: string }>();
for (const resource of TOGETHER_RESOURCE_NAMES) {
  const spec: TogetherResourceSpec = togetherResources[resource];
  for (const [state, type] of Object.entries(spec.events)) if (!typeSources.has(type)) typeSources.set(type, { resource, state });
  for (const [entry, type] of Object.entries(spec.progress ?? {})) typeSources.set(type, { resource, entry });
}

function resourceFor(type: TogetherEventType, now: number): object {
  const source = typeSources.get(type);
  if (source === undefined) return genericResource(now);
  const fixture: AnyTestResourceFixture = testResourceFixtures[source.resource];
  if (source.entry !== undefined) return fixture.progressSample!(source.entry, now);
  return fixture.sample(source.state!, now);
}


/**
 * Creates a realistic event of a catalog type: a unique `id` (`evt_…`), `created` now, and
 * `data` shaped like the Together AI resource the type stands for, in the state the type reports
 * (`fine_tune.completed` a fine-tuning job with status `completed`, `batch.failed` a batch job
 * with status `FAILED` and an `error`, `video.*` a video job with Unix-seconds timestamps, …).
 * Ids, names and timestamps are fresh on every call. Works in every runtime (no Node built-ins).
 *
 * @param type - an event type from the catalog
 * @param overrides - `id`, `created`, and resource fields (checked against the type's resource)
 * @returns the event, typed by `type`
 * @throws `TypeError` when `type` is not in the catalog
 * @example
 * ```ts
 * import { createTestEvent } from '@x/together-webhooks-core/testing';
 *
 * const event = createTestEvent('fine_tune.completed', { data: { model_output_name: 'acme/support-bot' } });
 * event.data.status; // 'completed'
 * event.data.model_output_name; // 'acme/support-bot'
 * ```
 */
export function createTestEvent<T extends TogetherEventType>(type: T, overrides: TestEventOverrides<T> = {}): EventFor<T> {
  if (typeof type !== 'string' || !isTogetherEventType(type)) {
    throw new TypeError(`type must be an event type of the catalog (${Object.keys(eventCatalog).join(', ')})`);
  }
  if (typeof overrides !== 'object' || overrides === null) throw new TypeError('overrides must be an object');
  const now = Date.now();
  const data = { ...resourceFor(type, now), ...overrides.data };
  const event = {
    id: overrides.id ?? `evt_${randomHex(12)}`,
    type,
    created: overrides.created ?? iso(now),
    data,
  };
  return event as unknown as EventFor<T>;
}
