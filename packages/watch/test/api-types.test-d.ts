/**
 * The catalog's data types must accept what the official client says Together returns, for every
 * resource the watcher announces, so events.ts cannot drift from the real API unnoticed.
 */
import type {
  BatchJob as CatalogBatchJob,
  DedicatedEndpoint as CatalogDedicatedEndpoint,
  EvaluationJob as CatalogEvaluationJob,
  FineTuneEventEntry,
  FineTuneJob,
  ModelUploadJob,
  TogetherEventDataMap,
  VideoJob as CatalogVideoJob,
} from '@x/together-webhooks-core';
import type { BatchJob, DedicatedEndpoint, EvaluationJob, FinetuneResponse, VideoJob } from 'together-ai/resources';
import type { FinetuneEvent, FineTuningListResponse } from 'together-ai/resources/fine-tuning';
import type { UploadStatusResponse } from 'together-ai/resources/models/uploads';
import { describe, expectTypeOf, it } from 'vitest';

describe('together-ai 0.52.0 responses fit the catalog data types', () => {
  it('fine-tuning job: GET /fine-tunes/{id} (what the watcher sends) and the list summary', () => {
    expectTypeOf<FinetuneResponse>().toExtend<FineTuneJob>();
    expectTypeOf<FineTuningListResponse.Data>().toExtend<FineTuneJob>();
    expectTypeOf<FinetuneResponse>().toExtend<TogetherEventDataMap['fine_tune.completed']>();
  });

  it('fine-tuning progress: an entry of the job’s events[] (the entry of checkpoint_saved and epoch_completed)', () => {
    expectTypeOf<FinetuneEvent>().toExtend<FineTuneEventEntry>();
    expectTypeOf<FinetuneEvent>().toExtend<TogetherEventDataMap['fine_tune.checkpoint_saved']['entry']>();
  });

  it('batch job: GET /batches and GET /batches/{id}', () => {
    expectTypeOf<BatchJob>().toExtend<CatalogBatchJob>();
    expectTypeOf<BatchJob>().toExtend<TogetherEventDataMap['batch.failed']>();
  });

  it('dedicated endpoint: GET /endpoints/{id} (the list summary lacks fields, so the watcher retrieves)', () => {
    expectTypeOf<DedicatedEndpoint>().toExtend<CatalogDedicatedEndpoint>();
    expectTypeOf<DedicatedEndpoint>().toExtend<TogetherEventDataMap['endpoint.started']>();
  });

  it('evaluation: GET /evaluation and GET /evaluation/{id}', () => {
    expectTypeOf<EvaluationJob>().toExtend<CatalogEvaluationJob>();
    expectTypeOf<EvaluationJob>().toExtend<TogetherEventDataMap['evaluation.completed']>();
  });

  it('model upload job: GET /jobs/{jobId}', () => {
    expectTypeOf<UploadStatusResponse>().toExtend<ModelUploadJob>();
    expectTypeOf<UploadStatusResponse>().toExtend<TogetherEventDataMap['model_upload.completed']>();
  });

  it('video: GET /videos/{id}', () => {
    expectTypeOf<VideoJob>().toExtend<CatalogVideoJob>();
    expectTypeOf<VideoJob>().toExtend<TogetherEventDataMap['video.completed']>();
  });
});
